import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.ts';
import { graphql } from '../src/gql/index.ts';
import { TaskFailure, type Worker, type WorkerLogger } from '../src/worker/worker.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { Cancel, Submit, eventKinds, runTasks, status } from './support/workerOps.ts';
import { waitFor } from './support/waitFor.ts';
import { startWorker } from './support/workers.ts';

const JobResult = graphql(`
  query WorkerTestJobResult($id: ID!) {
    job(id: $id) { status tasks(first: 50) { nodes { index status result errorInfo progress residentOn attempts } } }
  }
`);
const FailTasks = graphql(`mutation WorkerTestFail($input: TaskCommandInput!) { failTasks(input: $input) { applied } }`);

const ROOT = fileURLToPath(new URL('..', import.meta.url));

let server: TestServer;
const workers: Worker[] = [];
const children: ChildProcess[] = [];
const quiet: WorkerLogger = { info: () => {}, warn: () => {}, error: () => {} };

beforeAll(async () => {
  server = await startTestServer({ config: { sweepIntervalMs: 600_000 } });
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop({ graceful: false })));
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});
afterAll(async () => {
  await server?.stop();
});

function worker(options: Partial<Parameters<typeof startWorker>[0]> & Pick<Parameters<typeof startWorker>[0], 'handlers'>): Worker {
  const w = startWorker({ url: server.url, leaseMs: 3_000, pollWaitMs: 2_000, logger: quiet, ...options });
  workers.push(w);
  return w;
}

describe('reference worker (SDK)', () => {
  it('runs a job end to end: results, progress, failures with errorInfo, concurrency', async () => {
    let concurrent = 0;
    let maxConcurrent = 0;
    worker({
      name: 'sdk-1',
      concurrency: 3,
      handlers: {
        add: async (task, ctx) => {
          concurrent++;
          maxConcurrent = Math.max(maxConcurrent, concurrent);
          ctx.progress(0.5, 'adding');
          await new Promise((r) => setTimeout(r, 100)); // the task's work: long enough for handlers to overlap
          concurrent--;
          return { sum: Number(task.conf.a) + Number(task.conf.b), attempt: task.attempt, worker: ctx.worker };
        },
        refuse: async () => {
          throw new TaskFailure('BAD_INPUT', 'a', 'b');
        },
        crash: async () => {
          throw new RangeError('out of range');
        },
      },
    });
    const { submitJob } = await server.gql(Submit, {
      input: {
        name: 'e2e',
        tasks: [
          ...Array.from({ length: 6 }, (_, i) => ({ name: 'add', conf: { a: i, b: 10 } })),
          { name: 'refuse' },
          { name: 'crash' },
        ],
      },
    });
    const jobId = submitJob!.job!.id!;
    const { job } = await waitFor(
      () => server.gql(JobResult, { id: jobId }),
      (r) => r.job!.status === 'FAILED' || r.job!.status === 'COMPLETED',
    );
    const nodes = job!.tasks!.nodes!;
    for (let i = 0; i < 6; i++) {
      expect(nodes[i]).toMatchObject({ status: 'COMPLETED', result: { sum: i + 10, attempt: 1, worker: 'sdk-1' }, residentOn: 'sdk-1', progress: 1 });
    }
    expect(nodes[6]).toMatchObject({ status: 'FAILED', errorInfo: ['BAD_INPUT', 'a', 'b'] });
    expect(nodes[7]).toMatchObject({ status: 'FAILED', errorInfo: ['RangeError', 'out of range'] });
    expect(job!.status).toBe('FAILED');
    expect(maxConcurrent).toBeGreaterThan(1);
    expect(maxConcurrent).toBeLessThanOrEqual(3);
  });

  it('reports progress through heartbeats', async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    worker({
      name: 'sdk-progress',
      leaseMs: 1_500,
      handlers: {
        report: async (_task, ctx) => {
          ctx.progress(0.25, 'a quarter');
          await released;
          return 'ok';
        },
      },
    });
    const [id] = await runTasks(server, [{ name: 'report' }]);
    await waitFor(() => status(server, id!), (t) => t!.progress === 0.25 && t!.message === 'a quarter');
    release();
    await waitFor(() => status(server, id!), (t) => t!.status === 'COMPLETED');
    expect(await eventKinds(server, id!)).toEqual(['CREATED', 'QUEUED>RUNNING', 'PROGRESS', 'RUNNING>COMPLETED']);
  });

  it('aborts the handler when the task is cancelled, and concludes it CANCELLED', async () => {
    const reasons: unknown[] = [];
    worker({
      name: 'sdk-cancel',
      leaseMs: 1_500, // heartbeats every 500 ms
      handlers: {
        wait: (_task, ctx) =>
          new Promise((_resolve, reject) => {
            ctx.signal.addEventListener('abort', () => {
              reasons.push(ctx.signal.reason);
              reject(new Error('stopped'));
            });
          }),
      },
    });
    const [id] = await runTasks(server, [{ name: 'wait' }]);
    await waitFor(() => status(server, id!), (t) => t!.status === 'RUNNING');
    await server.gql(Cancel, { input: { target: { ids: [id!] } } });
    const cancelled = await waitFor(() => status(server, id!), (t) => t!.status === 'CANCELLED', 5_000);
    expect(cancelled).toMatchObject({ status: 'CANCELLED', residentOn: 'sdk-cancel' });
    expect(reasons).toEqual(['CANCEL']);
    expect(await eventKinds(server, id!)).toEqual(['CREATED', 'QUEUED>RUNNING', 'RUNNING>CANCELLING', 'CANCELLING>CANCELLED']);
  });

  it('abandons a task taken away by an operator without overwriting its outcome', async () => {
    const reasons: unknown[] = [];
    const w = worker({
      name: 'sdk-abandon',
      leaseMs: 1_500,
      handlers: {
        'wait-abandon': (_task, ctx) =>
          new Promise((resolve) => {
            ctx.signal.addEventListener('abort', () => {
              reasons.push(ctx.signal.reason);
              resolve('finished anyway');
            });
          }),
      },
    });
    const [id] = await runTasks(server, [{ name: 'wait-abandon' }]);
    await waitFor(() => status(server, id!), (t) => t!.status === 'RUNNING');
    await server.gql(FailTasks, { input: { target: { ids: [id!] } } });
    await waitFor(async () => reasons.length, (n) => n === 1, 5_000);
    await waitFor(async () => w.running, (n) => n === 0);
    expect(reasons).toEqual(['ABANDON']);
    expect(w.stats.abandoned).toBe(1);
    expect(await status(server, id!)).toMatchObject({ status: 'FAILED', result: null });
  });

  it('coalesces conclusions: results finished while a conclude request is in flight go out together in the next one', async () => {
    const sent: number[] = [];
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    const realFetch = globalThis.fetch;
    // The worker's requests go through the global fetch; the first conclude request is held back
    // until the other handlers have finished, so their conclusions must wait for the next request.
    globalThis.fetch = async (input, init) => {
      type Variables = { input?: { tasks?: unknown[] }; conclude?: { tasks: unknown[] } };
      const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as { query: string; variables: Variables }) : null;
      if (body?.query.includes('concludeTasks(')) {
        // Alone (input) or with the next claim (conclude).
        sent.push((body.variables.conclude ?? body.variables.input)!.tasks!.length);
        if (sent.length === 1) await firstHeld;
      }
      return realFetch(input, init);
    };
    try {
      let releaseOthers!: () => void;
      const others = new Promise<void>((resolve) => (releaseOthers = resolve));
      let finished = 0;
      const ids = await runTasks(server, [{ name: 'quick' }, { name: 'later' }, { name: 'later' }, { name: 'later' }]);
      const w = worker({
        name: 'sdk-coalesce',
        concurrency: 4,
        handlers: {
          quick: async () => void finished++,
          later: async () => {
            await others;
            finished++;
          },
        },
      });
      await waitFor(async () => sent.length, (n) => n === 1);
      releaseOthers();
      await waitFor(async () => finished, (n) => n === 4);
      // Only now does the first request reach the server; the three others are queued behind it.
      releaseFirst();
      for (const id of ids) await waitFor(() => status(server, id), (t) => t!.status === 'COMPLETED');
      expect(sent).toEqual([1, 3]);
      // The worker counts a conclusion when the server's answer arrives, just after the database.
      await waitFor(async () => w.stats.succeeded, (n) => n >= 4, 10_000, 'the worker to count its four conclusions');
      expect(w.stats).toMatchObject({ succeeded: 4, abandoned: 0 });
      await waitFor(async () => w.running, (n) => n === 0);
    } finally {
      globalThis.fetch = realFetch;
    }
  });

  it('a conclude request also claims the next batch for the slots it frees', async () => {
    const requests: { conclude: number; claimLimit: number | null }[] = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = async (input, init) => {
      type Variables = { input?: { tasks?: unknown[]; limit?: number }; conclude?: { tasks: unknown[] }; claim?: { limit: number } };
      const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as { query: string; variables: Variables }) : null;
      if (body?.query.includes('concludeTasks(') || body?.query.includes('claimTasks(')) {
        const v = body.variables;
        const concluded = body.query.includes('concludeTasks(') ? (v.conclude ?? v.input)!.tasks!.length : 0;
        const claimLimit = body.query.includes('claimTasks(') ? (v.claim ?? v.input)!.limit! : null;
        requests.push({ conclude: concluded, claimLimit });
      }
      return realFetch(input, init);
    };
    try {
      const ids = await runTasks(server, Array.from({ length: 12 }, () => ({ name: 'ride' })));
      const w = worker({ name: 'sdk-ride', concurrency: 4, handlers: { ride: async () => 'ok' } });
      for (const id of ids) await waitFor(() => status(server, id), (t) => t!.status === 'COMPLETED');
      // The worker counts a conclusion when the server's answer arrives, just after the database.
      await waitFor(async () => w.stats.succeeded, (n) => n >= 12, 10_000, 'the worker to count its twelve conclusions');
      expect(w.stats.succeeded).toBe(12);
      const both = requests.filter((r) => r.conclude > 0 && r.claimLimit !== null);
      // 4 claimed by the first long poll, then each batch's conclusions carry the next claim.
      expect(both.length).toBeGreaterThanOrEqual(2);
      for (const r of both) expect(r.claimLimit).toBeLessThanOrEqual(4);
      expect(requests.reduce((n, r) => n + r.conclude, 0)).toBe(12);
    } finally {
      globalThis.fetch = realFetch;
    }
  });

  it('a refused conclusion in a batch (NOT_OWNER) is dropped; the others of the batch land', async () => {
    let releaseAll!: () => void;
    const all = new Promise<void>((resolve) => (releaseAll = resolve));
    const ids = await runTasks(server, [{ name: 'batch-a' }, { name: 'batch-a' }, { name: 'batch-a' }]);
    const w = worker({ name: 'sdk-refused', concurrency: 3, handlers: { 'batch-a': async () => void (await all) } });
    await waitFor(
      () => queryRows<{ n: number }>(server.db.database.db, sql`SELECT count(*)::int AS n FROM tasks WHERE resident_on = 'sdk-refused' AND status = 'RUNNING'`),
      (rows) => Number(rows[0]!.n) === 3,
    );
    // An operator fails one of them behind the worker's back (before its next heartbeat could tell it).
    await server.gql(FailTasks, { input: { target: { ids: [ids[1]!] } } });
    releaseAll();
    await waitFor(async () => w.running, (n) => n === 0);
    expect(w.stats).toMatchObject({ succeeded: 2, abandoned: 1 });
    expect((await status(server, ids[0]!))!.status).toBe('COMPLETED');
    expect((await status(server, ids[1]!))!.status).toBe('FAILED');
    expect((await status(server, ids[2]!))!.status).toBe('COMPLETED');
  });

  it('stop({ graceful: true }) finishes running tasks; stop({ graceful: false }) hands them back', async () => {
    let finish!: () => void;
    const w = worker({
      name: 'sdk-stop',
      leaseMs: 3_000,
      handlers: {
        slow: () => new Promise((resolve) => (finish = () => resolve('done'))),
      },
    });
    const [id] = await runTasks(server, [{ name: 'slow' }]);
    await waitFor(() => status(server, id!), (t) => t!.status === 'RUNNING');
    const stopping = w.stop({ graceful: true });
    // A graceful stop must not hand the running task back: give it time to do so wrongly.
    await new Promise((r) => setTimeout(r, 200));
    expect((await status(server, id!))!.status).toBe('RUNNING');
    finish();
    await stopping;
    expect(await status(server, id!)).toMatchObject({ status: 'COMPLETED', result: 'done' });

    const w2 = worker({ name: 'sdk-handback', leaseMs: 30_000, handlers: { slow: () => new Promise(() => {}) } });
    const [id2] = await runTasks(server, [{ name: 'slow' }]);
    await waitFor(() => status(server, id2!), (t) => t!.status === 'RUNNING');
    await w2.stop({ graceful: false });
    const lease = Date.parse((await status(server, id2!))!.leaseExpiresAt!);
    expect(lease).toBeLessThan(Date.now() + 1_500);
    await new Promise((r) => setTimeout(r, Math.max(0, lease - Date.now()) + 50)); // a lease ends by the clock
    await server.app.services.sweeper.sweep();
    expect(await status(server, id2!)).toMatchObject({ status: 'QUEUED', residentOn: null, attempts: 1 });
    await server.db.database.db.execute(sql`DELETE FROM tasks WHERE id = ${id2!}`);
  });
});

describe('reference worker (CLI process)', () => {
  it('runs tasks from a handlers file; a killed worker process gets its tasks back after the lease', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/worker/cli.ts', '--url', server.url, '--handlers', 'test/support/workerHandlers.ts',
        '--name', 'cli-victim', '--concurrency', '3', '--lease-ms', '1000', '--poll-wait-ms', '1000'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    let output = '';
    child.stdout!.on('data', (d) => (output += String(d)));
    child.stderr!.on('data', (d) => (output += String(d)));
    const [doubled] = await runTasks(server, [{ name: 'double', conf: { value: 21 } }]);
    const done = await waitFor(() => status(server, doubled!), (t) => t?.status === 'COMPLETED', 20_000).catch((e) => {
      throw new Error(`${(e as Error).message}\nworker output:\n${output}`);
    });
    expect(done).toMatchObject({ result: { value: 42 }, residentOn: 'cli-victim' });

    const hung = await runTasks(server, [{ name: 'hang' }, { name: 'hang' }]);
    await waitFor(
      () => queryRows<{ n: number }>(server.db.database.db, sql`SELECT count(*)::int AS n FROM tasks WHERE name = 'hang' AND status = 'RUNNING' AND resident_on = 'cli-victim'`),
      (rows) => Number(rows[0]!.n) === 2,
    );
    // While it lives, heartbeats keep the 1 s lease alive (waited out by the clock: nothing must happen).
    await new Promise((r) => setTimeout(r, 1_300));
    await server.app.services.sweeper.sweep();
    for (const id of hung) expect((await status(server, id))!.status).toBe('RUNNING');

    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    await new Promise((r) => setTimeout(r, 1_200)); // the dead worker's 1 s lease ends by the clock
    await server.app.services.sweeper.sweep();
    for (const id of hung) expect(await status(server, id)).toMatchObject({ status: 'QUEUED', residentOn: null, attempts: 1 });

    // Another worker picks them up in attempt 2.
    const seen: number[] = [];
    worker({ name: 'sdk-rescuer', concurrency: 2, handlers: { hang: async (task) => void seen.push(task.attempt) } });
    for (const id of hung) await waitFor(() => status(server, id), (t) => t!.status === 'COMPLETED');
    expect(seen).toEqual([2, 2]);
  });

  it('stops gracefully on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/worker/cli.ts', '--url', server.url, '--handlers', 'test/support/workerHandlers.ts', '--name', 'cli-term'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    let output = '';
    child.stdout!.on('data', (d) => (output += String(d)));
    await waitFor(async () => output, (o) => o.includes('worker started'), 20_000);
    child.kill('SIGTERM');
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(output).toContain('worker stopped');
  });
});
