import { spawn, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { graphql } from '../src/gql/index.ts';
import { createGraphqlClient } from '../src/worker/client.ts';

/**
 * npx tsx bench/dispatch.ts [--tasks 4000] [--workers 4] [--concurrency 8]
 *
 * Tasks/second dispatched end to end on real Postgres: one server (the app factory, in this process),
 * `--workers` reference-worker processes (the CLI, long-polling claimTasks, a no-op handler,
 * concludeTask through the API). The tasks are submitted in one runTasks call once the workers are
 * waiting; the clock runs from that call to the moment the last task is COMPLETED. Each task costs
 * a claim (amortised over `limit`) and a conclusion, both with their events, job status and NOTIFY.
 */
const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '4000' },
    workers: { type: 'string', default: '4' },
    concurrency: { type: 'string', default: '8' },
  },
});
const taskCount = Number(values.tasks);
const workerCount = Number(values.workers);
const concurrency = Number(values.concurrency);
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const root = fileURLToPath(new URL('..', import.meta.url));

const RunTasks = graphql(`
  mutation DispatchBenchRun($input: RunTasksInput!) { runTasks(input: $input) { applied ids } }
`);

const name = `tasklane_dispatch_${process.pid}`;
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
await admin.unsafe(`CREATE DATABASE ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const app = await buildApp({
  config: { ...loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATABASE_URL: url.toString() }) },
});
const { url: endpoint } = await app.start();
const db = postgres(url.toString(), { max: 1, onnotice: () => {} });
const children: ChildProcess[] = [];
try {
  for (let i = 0; i < workerCount; i++) {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/worker/cli.ts', '--url', endpoint, '--handlers', 'bench/noopHandlers.ts', '--name', `bench-${i}`,
        '--concurrency', String(concurrency), '--poll-wait-ms', '30000'],
      { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    children.push(child);
  }
  // Wait until every worker process is long-polling.
  const deadline = Date.now() + 30_000;
  while (app.services.claims.waiting < workerCount) {
    if (Date.now() > deadline) throw new Error(`only ${app.services.claims.waiting} of ${workerCount} workers are waiting`);
    await new Promise((r) => setTimeout(r, 50));
  }

  const client = createGraphqlClient(endpoint, undefined);
  const started = performance.now();
  const { runTasks } = await client.request(RunTasks, {
    input: { tasks: Array.from({ length: taskCount }, () => ({ name: 'noop' })) },
  });
  if (!runTasks?.applied) throw new Error('runTasks was not applied');
  const submitted = performance.now();
  for (;;) {
    const [row] = await db<{ done: number }[]>`SELECT count(*)::int AS done FROM tasks WHERE status = 'COMPLETED'`;
    if (row!.done >= taskCount) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const finished = performance.now();
  const seconds = (finished - submitted) / 1000;
  const [events] = await db<{ n: number }[]>`SELECT count(*)::int AS n FROM task_events`;
  const perWorker = await db<{ resident_on: string; n: number }[]>`
    SELECT resident_on, count(*)::int AS n FROM tasks GROUP BY resident_on ORDER BY resident_on`;
  console.log(
    JSON.stringify(
      {
        tasks: taskCount,
        workers: workerCount,
        concurrencyPerWorker: concurrency,
        submitMs: Math.round(submitted - started),
        dispatchSeconds: Number(seconds.toFixed(2)),
        tasksPerSecond: Math.round(taskCount / seconds),
        events: events!.n,
        perWorker: Object.fromEntries(perWorker.map((r) => [r.resident_on, r.n])),
        machine: { cpus: cpus().length, node: process.version },
      },
      null,
      2,
    ),
  );
} finally {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
  await db.end();
  await app.stop();
  await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
