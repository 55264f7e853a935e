import { fork, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runMigrations } from 'graphile-worker';
import { gql, metric, type BenchContext, type Metric } from './context.ts';

/**
 * 3. Dispatch: no-op tasks claimed and concluded per second, end to end, by 4 reference-worker
 * processes (src/worker/cli.ts, concurrency 8, a no-op handler, everything through the GraphQL API:
 * claims in batches up to the free slots, the conclusions that finished together sent in one
 * concludeTasks call, which also claims the next batch without waiting; a long-polling claimTasks
 * only when that finds nothing) against 4 graphile-worker processes at the same concurrency
 * on the same Postgres (its own schema, default options: no batch jobs, no job keys; enqueued with one
 * `add_job` per task in one statement). Both clocks run from the enqueue call to the last task done.
 * Target: ≥ 1× graphile-worker.
 */
const WORKERS = 4;
const CONCURRENCY = 8;
const root = fileURLToPath(new URL('..', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

async function stopAll(children: ChildProcess[]): Promise<void> {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all(
    children.map((c) => Promise.race([c.exitCode !== null ? null : new Promise((r) => c.once('exit', r)), sleep(10_000)])),
  );
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
}

export async function benchDispatch(ctx: BenchContext): Promise<Metric[]> {
  const taskCount = ctx.smoke ? 200 : 4000;
  const warmup = WORKERS * CONCURRENCY;

  // --- ours -------------------------------------------------------------------------------------
  const server = await ctx.startServer();
  const workers: ChildProcess[] = [];
  let oursPerSecond: number;
  try {
    for (let i = 0; i < WORKERS; i++) {
      workers.push(
        spawn(
          process.execPath,
          ['--import', 'tsx', 'src/worker/cli.ts', '--url', server.url, '--handlers', 'bench/noopHandlers.ts', '--name', `bench-${i}`,
            '--concurrency', String(CONCURRENCY), '--poll-wait-ms', '30000'],
          { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
        ),
      );
    }
    const submit = (n: number) =>
      gql<{ runTasks: { applied: boolean } }>(server.url, 'mutation DispatchRun($tasks: [TaskDefinition!]!) { runTasks(input: { tasks: $tasks }) { applied } }', {
        tasks: Array.from({ length: n }, () => ({ name: 'noop' })),
      });
    const completed = async () =>
      (await ctx.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM tasks WHERE status = 'COMPLETED'`)[0]!.n;
    // Warm-up: every worker process is up and long-polling once these are done.
    await submit(warmup);
    await waitFor(async () => (await completed()) >= warmup, 'dispatch warm-up');
    await sleep(500);
    const started = performance.now();
    const { runTasks } = await submit(taskCount);
    if (!runTasks.applied) throw new Error('runTasks was not applied');
    await waitFor(async () => (await completed()) >= warmup + taskCount, 'our dispatch');
    oursPerSecond = taskCount / ((performance.now() - started) / 1000);
  } finally {
    await stopAll(workers);
    await server.stop();
  }
  await ctx.reset();

  // --- graphile-worker ------------------------------------------------------------------------
  await runMigrations({ connectionString: ctx.url, logger: undefined });
  const baseline: ChildProcess[] = [];
  let theirsPerSecond: number;
  try {
    for (let i = 0; i < WORKERS; i++) {
      const child = fork(fileURLToPath(new URL('./graphileWorkerProcess.ts', import.meta.url)), [ctx.url, String(CONCURRENCY)], {
        cwd: root,
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      baseline.push(child);
      await new Promise<void>((resolve, reject) => {
        child.once('message', () => resolve());
        child.once('exit', (code) => reject(new Error(`graphile-worker process exited with ${code}`)));
      });
    }
    const enqueue = (n: number) => ctx.sql`SELECT graphile_worker.add_job('noop', '{}'::json) FROM generate_series(1, ${n}::int)`;
    const pending = async () =>
      (await ctx.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM graphile_worker._private_jobs`)[0]!.n;
    await enqueue(warmup);
    await waitFor(async () => (await pending()) === 0, 'graphile-worker warm-up');
    await sleep(500);
    const started = performance.now();
    await enqueue(taskCount);
    // graphile-worker deletes a job when it succeeds; a failed job would stay and time this out.
    await waitFor(async () => (await pending()) === 0, 'graphile-worker dispatch');
    theirsPerSecond = taskCount / ((performance.now() - started) / 1000);
  } finally {
    await stopAll(baseline);
    await ctx.sql.unsafe('DROP SCHEMA IF EXISTS graphile_worker CASCADE');
  }
  return [
    metric({
      suite: 'dispatch',
      name: `${taskCount} no-op tasks, ${WORKERS} worker processes × ${CONCURRENCY}`,
      unit: 'tasks/s',
      ours: oursPerSecond,
      baseline: theirsPerSecond,
      baselineName: `graphile-worker 0.16.6, ${WORKERS} processes × concurrency ${CONCURRENCY}`,
      target: '≥ 1×',
      minRatio: 1,
    }),
  ];
}
