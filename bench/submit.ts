import { uuidv7 } from 'uuidv7';
import { gql, median, metric, time, type BenchContext, type Metric } from './context.ts';

/**
 * 1. Submit: runTasks with 10,000 tasks through the API (ids selected) against a raw postgres.js
 * multi-row INSERT of the same rows. Target: ≤ 3× the raw time.
 */
export async function benchSubmit(ctx: BenchContext): Promise<Metric[]> {
  const size = ctx.smoke ? 500 : 10_000;
  const rounds = ctx.smoke ? 2 : 5;
  const server = await ctx.startServer();
  const definitions = Array.from({ length: size }, (_, i) => ({ name: 'bench', conf: { frame: i, scene: 'forest' } }));
  const mutation = 'mutation Bench($tasks: [TaskDefinition!]!) { runTasks(input: { tasks: $tasks }) { applied ids } }';
  const ours: number[] = [];
  const raw: number[] = [];
  await gql(server.url, mutation, { tasks: definitions.slice(0, 10) }); // warm-up
  for (let round = 0; round < rounds; round++) {
    const api = await time(() => gql<{ runTasks: { applied: boolean; ids: string[] } }>(server.url, mutation, { tasks: definitions }));
    if (!api.value.runTasks.applied || api.value.runTasks.ids.length !== size) throw new Error('runTasks did not apply');
    ours.push(api.ms);
    const rows = definitions.map((d) => ({ id: uuidv7(), name: d.name, conf: d.conf, status: 'QUEUED' }));
    const insert = await time(
      () => ctx.sql`INSERT INTO tasks ${ctx.sql(rows.map((r) => ({ ...r, conf: ctx.sql.json(r.conf) })), 'id', 'name', 'conf', 'status')} RETURNING id`,
    );
    if (insert.value.length !== size) throw new Error('raw insert failed');
    raw.push(insert.ms);
  }
  await server.stop();
  await ctx.reset();
  return [
    metric({
      suite: 'submit',
      name: `runTasks ${size} tasks (median of ${rounds})`,
      unit: 'ms',
      ours: median(ours),
      baseline: median(raw),
      baselineName: 'postgres.js multi-row INSERT … RETURNING id',
      target: '≤ 3×',
      maxRatio: 3,
    }),
  ];
}
