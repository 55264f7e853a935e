import { gql, median, metric, time, type BenchContext, type Metric } from './context.ts';

/**
 * 2. Bulk command: cancelTasks and requeueTasks on a whole 10,000-task job through the API, against
 * the raw single `UPDATE … RETURNING` that makes the same change. Target: ≤ 3× the raw time.
 */
export async function benchCommands(ctx: BenchContext): Promise<Metric[]> {
  const size = ctx.smoke ? 500 : 10_000;
  const rounds = ctx.smoke ? 2 : 5;
  const server = await ctx.startServer();
  const submit = async () =>
    (
      await gql<{ submitJob: { job: { id: string } } }>(
        server.url,
        'mutation Bench($tasks: [TaskDefinition!]!) { submitJob(input: { name: "bench", tasks: $tasks }) { job { id } } }',
        { tasks: Array.from({ length: size }, (_, i) => ({ name: 'bench', conf: { i } })) },
      )
    ).submitJob.job.id;
  const command = (name: string, jobId: string) =>
    gql<Record<string, { applied: boolean; ids: string[] }>>(
      server.url,
      `mutation Bench($job: ID!) { ${name}(input: { target: { job: { id: $job } } }) { applied ids } }`,
      { job: jobId },
    );

  const results: Record<'cancel' | 'requeue', { ours: number[]; raw: number[] }> = {
    cancel: { ours: [], raw: [] },
    requeue: { ours: [], raw: [] },
  };
  for (let round = 0; round < rounds; round++) {
    const apiJob = await submit();
    const rawJob = await submit();
    const cancel = await time(() => command('cancelTasks', apiJob));
    if (cancel.value.cancelTasks!.ids.length !== size) throw new Error('cancelTasks did not apply');
    results.cancel.ours.push(cancel.ms);
    const rawCancel = await time(
      () => ctx.sql`
        UPDATE tasks SET status = 'CANCELLED', finished_at = now()
        WHERE job_id = ${rawJob} AND status IN ('PENDING', 'QUEUED', 'SUSPENDED')
        RETURNING id`,
    );
    if (rawCancel.value.length !== size) throw new Error('raw cancel failed');
    results.cancel.raw.push(rawCancel.ms);

    const requeue = await time(() => command('requeueTasks', apiJob));
    if (requeue.value.requeueTasks!.ids.length !== size) throw new Error('requeueTasks did not apply');
    results.requeue.ours.push(requeue.ms);
    const rawRequeue = await time(
      () => ctx.sql`
        UPDATE tasks SET status = 'QUEUED', progress = 0, result = NULL, result_type = NULL,
                         error_info = '{}', resident_on = NULL, finished_at = NULL
        WHERE job_id = ${rawJob} AND status IN ('RUNNING', 'PENDING', 'SUSPENDED', 'COMPLETED', 'FAILED', 'CANCELLED')
        RETURNING id`,
    );
    if (rawRequeue.value.length !== size) throw new Error('raw requeue failed');
    results.requeue.raw.push(rawRequeue.ms);
  }
  await server.stop();
  await ctx.reset();
  return (['cancel', 'requeue'] as const).map((name) =>
    metric({
      suite: 'commands',
      name: `${name}Tasks on a ${size}-task job (median of ${rounds})`,
      unit: 'ms',
      ours: median(results[name].ours),
      baseline: median(results[name].raw),
      baselineName: 'single UPDATE … RETURNING',
      target: '≤ 3×',
      maxRatio: 3,
    }),
  );
}
