import { fork, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runMigrations } from 'graphile-worker';
import { gql, inTurn, median, metric, type BenchContext, type Metric } from './context.ts';

/**
 * 3. Dispatch: no-op tasks claimed and concluded per second, end to end, by 4 reference-worker
 * processes (src/worker/cli.ts, concurrency 8, a no-op handler, everything through the GraphQL API:
 * claims in batches up to the free slots, the conclusions that finished together sent in one
 * concludeTasks call, which also claims the next batch without waiting; a long-polling claimTasks
 * only when that finds nothing) against 4 graphile-worker processes at the same concurrency
 * on the same Postgres (its own schema, default options: no batch jobs, no job keys; enqueued with one
 * `add_job` per task in one statement). Both clocks run from the enqueue call to the last task done.
 * Three rounds of each, in turn; the medians. Target: ≥ 1× graphile-worker.
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
  const rounds = ctx.smoke ? 1 : 3;
  const warmup = WORKERS * CONCURRENCY;
  const server = await ctx.startServer();
  await runMigrations({ connectionString: ctx.url, logger: undefined });
  const children: ChildProcess[] = [];
  try {
    // Both sides' worker processes run from the start: an idle side long-polls (ours) or listens
    // (graphile-worker) while the other is measured, at no cost worth counting.
    for (let i = 0; i < WORKERS; i++) {
      children.push(
        spawn(
          process.execPath,
          ['--import', 'tsx', 'src/worker/cli.ts', '--url', server.url, '--handlers', 'bench/noopHandlers.ts', '--name', `bench-${i}`,
            '--concurrency', String(CONCURRENCY), '--poll-wait-ms', '30000'],
          { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
        ),
      );
      const child = fork(fileURLToPath(new URL('./graphileWorkerProcess.ts', import.meta.url)), [ctx.url, String(CONCURRENCY)], {
        cwd: root,
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      children.push(child);
      await new Promise<void>((resolve, reject) => {
        child.once('message', () => resolve());
        child.once('exit', (code) => reject(new Error(`graphile-worker process exited with ${code}`)));
      });
    }

    // Ours: runTasks, then every task COMPLETED (the check reads the status index, not every row).
    const submit = (n: number) =>
      gql<{ runTasks: { applied: boolean } }>(server.url, 'mutation DispatchRun($tasks: [TaskDefinition!]!) { runTasks(input: { tasks: $tasks }) { applied } }', {
        tasks: Array.from({ length: n }, () => ({ name: 'noop' })),
      });
    const oursDone = async () =>
      (await ctx.sql`SELECT NOT EXISTS (SELECT 1 FROM tasks WHERE status IN ('PENDING', 'QUEUED', 'RUNNING', 'SUSPENDED', 'CANCELLING')) AS done`)[0]!.done === true;
    let oursExpected = 0;
    const ours = async (n: number): Promise<number> => {
      const started = performance.now();
      const { runTasks } = await submit(n);
      if (!runTasks.applied) throw new Error('runTasks was not applied');
      await waitFor(oursDone, 'our dispatch');
      const seconds = (performance.now() - started) / 1000;
      oursExpected += n;
      const completed = (await ctx.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM tasks WHERE status = 'COMPLETED'`)[0]!.n;
      if (completed !== oursExpected) throw new Error(`dispatch: ${completed} tasks completed, ${oursExpected} expected`);
      return n / seconds;
    };

    // graphile-worker: one add_job per task in one statement; it deletes a job when it succeeds (a
    // failed job would stay and time this out).
    const pending = async () => (await ctx.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM graphile_worker._private_jobs`)[0]!.n;
    const theirs = async (n: number): Promise<number> => {
      const started = performance.now();
      await ctx.sql`SELECT graphile_worker.add_job('noop', '{}'::json) FROM generate_series(1, ${n}::int)`;
      await waitFor(async () => (await pending()) === 0, 'graphile-worker dispatch');
      return n / ((performance.now() - started) / 1000);
    };

    const vacuum = () => ctx.sql.unsafe('VACUUM (ANALYZE) tasks, task_events, graphile_worker._private_jobs');

    // Warm-up: every worker process of either side is up and waiting once these are done.
    await ours(warmup);
    await theirs(warmup);
    await vacuum();
    await sleep(500);
    // Rounds in turn, which side goes first alternating, and the median of each side: one run of
    // each moved the ratio between 0.91 and 1.52 from one run of the suite to the next.
    const oursRates: number[] = [];
    const theirRates: number[] = [];
    for (let round = 0; round < rounds; round++) {
      await inTurn(
        round,
        async () => oursRates.push(await ours(taskCount)),
        async () => theirRates.push(await theirs(taskCount)),
      );
      // Each round starts from vacuumed tables, as autovacuum keeps them: without it the dead index
      // entries of every claimed and concluded task piled up from one round to the next, and our third
      // round cost Postgres 980 µs per task against 365 in the first.
      await vacuum();
      await sleep(300);
    }
    return [
      metric({
        suite: 'dispatch',
        name: `${taskCount} no-op tasks, ${WORKERS} worker processes × ${CONCURRENCY}`,
        unit: 'tasks/s',
        ours: median(oursRates),
        baseline: median(theirRates),
        baselineName: `graphile-worker 0.16.6, ${WORKERS} processes × concurrency ${CONCURRENCY}`,
        target: '≥ 1×',
        minRatio: 1,
        note:
          `${rounds} rounds of ${taskCount} tasks each, in turn; tasks/s ours ${oursRates.map((r) => r.toFixed(0)).join(', ')}; ` +
          `graphile-worker ${theirRates.map((r) => r.toFixed(0)).join(', ')}; the median of each; ` +
          `ours/graphile-worker round by round ${oursRates.map((r, i) => (r / theirRates[i]!).toFixed(2)).join(', ')}`,
      }),
    ];
  } finally {
    await stopAll(children);
    await server.stop();
    await ctx.sql.unsafe('DROP SCHEMA IF EXISTS graphile_worker CASCADE');
    await ctx.reset();
  }
}
