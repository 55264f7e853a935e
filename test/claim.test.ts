import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.ts';
import { threadConflicts } from '../src/sql/claimTasks.ts';
import { graphql } from '../src/gql/index.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { Claim, Conclude, Submit, ThreadState, claim, eventKinds, runTasks, status } from './support/workerOps.ts';
import { waitFor } from './support/waitFor.ts';

const PauseThread = graphql(`mutation ClaimTestPause($input: ThreadInput!) { pauseThread(input: $input) { thread { status paused } } }`);
const ResumeThread = graphql(`mutation ClaimTestResume($input: ThreadInput!) { resumeThread(input: $input) { thread { status paused } } }`);
const SuspendJobs = graphql(`mutation ClaimTestSuspendJobs($input: JobIdsInput!) { suspendJobs(input: $input) { applied } }`);
const ResumeJobs = graphql(`mutation ClaimTestResumeJobs($input: JobIdsInput!) { resumeJobs(input: $input) { applied } }`);
const JobState = graphql(`query ClaimTestJob($id: ID!) { job(id: $id) { status taskCounts { running queued } } }`);
const Workers = graphql(`
  query ClaimTestWorkers { workers { name lastSeenAt tasks { id status } } worker(name: "w-view") { name tasks { id } } }
`);

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ config: { sweepIntervalMs: 60_000 } });
});
afterAll(async () => {
  await server?.stop();
});

/** Every test starts from an empty task table, so claims only see its own tasks. */
beforeEach(async () => {
  const db = server.db.database.db;
  await db.execute(sql`DELETE FROM tasks`);
  await db.execute(sql`DELETE FROM jobs`);
  await db.execute(sql`UPDATE threads SET paused = false`);
});

describe('claimTasks', () => {
  it('claims by priority, then creation order, and sets RUNNING, residentOn, attempts, lease, events', async () => {
    const ids = await runTasks(server, [
      { name: 'p', priority: 10 },
      { name: 'p', priority: 90 },
      { name: 'p', priority: 50 },
      { name: 'p', priority: 90 },
    ]);
    const before = Date.now();
    const { claimTasks } = await server.gql(Claim, { input: { worker: 'w1', limit: 3, leaseMs: 10_000 } });
    expect(claimTasks.tasks.map((t) => t.id)).toEqual([ids[1], ids[3], ids[2]]);
    for (const t of claimTasks.tasks) {
      expect(t).toMatchObject({ status: 'RUNNING', residentOn: 'w1', attempts: 1 });
      const lease = Date.parse(t.leaseExpiresAt!);
      expect(lease).toBeGreaterThan(before + 8_000);
      expect(lease).toBeLessThan(Date.now() + 11_000);
      expect(t.startedAt).toBeTruthy();
    }
    expect(await eventKinds(server, ids[1]!)).toEqual(['CREATED', 'QUEUED>RUNNING']);
    expect(await claim(server, { worker: 'w2', limit: 5 })).toEqual([ids[0]]);
    expect(await claim(server, { worker: 'w2' })).toEqual([]);
  });

  it('filters by name and never claims PENDING tasks', async () => {
    const [a, b, held] = await runTasks(server, [{ name: 'render' }, { name: 'encode' }, { name: 'render', hold: true }]);
    expect(await claim(server, { worker: 'w', names: ['encode', 'other'], limit: 10 })).toEqual([b]);
    expect(await claim(server, { worker: 'w', names: ['render'], limit: 10 })).toEqual([a]);
    expect((await status(server, held!))!.status).toBe('PENDING');
  });

  it('refuses out-of-range limits with an error naming the limit, and changes nothing', async () => {
    const [id] = await runTasks(server, [{ name: 'x' }]);
    for (const [input, limit] of [
      [{ worker: 'w', leaseMs: 999 }, 'leaseMs'],
      [{ worker: 'w', leaseMs: 600_001 }, 'leaseMs'],
      [{ worker: 'w', limit: 0 }, 'maxClaimLimit'],
      [{ worker: 'w', limit: 1001 }, 'maxClaimLimit'],
      [{ worker: 'w', waitMs: 60_001 }, 'maxWaitMs'],
      [{ worker: 'w', waitMs: -1 }, 'maxWaitMs'],
      [{ worker: '' }, undefined],
      [{ worker: 'x'.repeat(201) }, 'maxNameLength'],
    ] as const) {
      const result = await server.request(Claim, { input });
      expect(result.errors?.[0]?.extensions?.code, JSON.stringify(input)).toBe('BAD_USER_INPUT');
      if (limit) expect(result.errors?.[0]?.message).toContain(limit);
    }
    expect((await status(server, id!))!.status).toBe('QUEUED');
  });

  it('skips tasks of suspended jobs and claims them again once resumed', async () => {
    const { submitJob } = await server.gql(Submit, { input: { name: 'j', tasks: [{ name: 'a' }, { name: 'b' }] } });
    const jobId = submitJob!.job!.id!;
    // A QUEUED task of a suspended job (e.g. appended while suspended) is never claimed either.
    await server.gql(SuspendJobs, { input: { ids: [jobId] } });
    await server.db.database.db.execute(sql`UPDATE tasks SET status = 'QUEUED' WHERE job_id = ${jobId} AND job_index = 0`);
    expect(await claim(server, { worker: 'w', limit: 10 })).toEqual([]);
    await server.db.database.db.execute(sql`UPDATE tasks SET status = 'SUSPENDED' WHERE job_id = ${jobId} AND job_index = 0`);
    await server.gql(ResumeJobs, { input: { ids: [jobId] } });
    const claimed = await claim(server, { worker: 'w', limit: 10 });
    expect(claimed).toHaveLength(2);
    const { job } = await server.gql(JobState, { id: jobId });
    expect(job).toMatchObject({ status: 'ACTIVE', taskCounts: { running: 2, queued: 0 } });
  });

  it('runs a thread one task at a time in creation order; priority orders across threads, not inside one', async () => {
    const [t1, t2, t3] = await runTasks(server, [
      { name: 's', thread: 'lane', priority: 10 },
      { name: 's', thread: 'lane', priority: 100 },
      { name: 's', thread: 'lane', priority: 100 },
    ]);
    const [other] = await runTasks(server, [{ name: 's', thread: 'other', priority: 20 }]);
    // The head of "lane" (priority 10) is the only claimable task of its thread; "other" outranks it.
    expect(await claim(server, { worker: 'w', limit: 10 })).toEqual([other, t1]);
    expect((await server.gql(ThreadState, { name: 'lane' })).thread).toMatchObject({ status: 'RUNNING', head: { id: t1 } });
    expect(await claim(server, { worker: 'w', limit: 10 })).toEqual([]);
    await server.gql(Conclude, { input: { id: t1!, outcome: 'SUCCEEDED' } });
    expect(await claim(server, { worker: 'w', limit: 10 })).toEqual([t2]);
    await server.gql(Conclude, { input: { id: t2!, outcome: 'FAILED' } });
    expect(await claim(server, { worker: 'w', limit: 10 })).toEqual([t3]);
  });

  it('does not claim from a BLOCKED thread (PENDING head) or a PAUSED one', async () => {
    const [head, next] = await runTasks(server, [
      { name: 'b', thread: 'blocked', hold: true },
      { name: 'b', thread: 'blocked' },
    ]);
    expect((await server.gql(ThreadState, { name: 'blocked' })).thread).toMatchObject({ status: 'BLOCKED', head: { id: head } });
    expect(await claim(server, { worker: 'w', limit: 10 })).toEqual([]);
    await server.db.database.db.execute(sql`UPDATE tasks SET status = 'CANCELLED', finished_at = now() WHERE id = ${head!}`);
    const [paused] = await runTasks(server, [{ name: 'b', thread: 'paused' }]);
    await server.gql(PauseThread, { input: { name: 'paused' } });
    expect((await server.gql(ThreadState, { name: 'paused' })).thread).toMatchObject({ status: 'PAUSED', paused: true });
    expect(await claim(server, { worker: 'w', limit: 10 })).toEqual([next]);
    await server.gql(ResumeThread, { input: { name: 'paused' } });
    expect(await claim(server, { worker: 'w', limit: 10 })).toEqual([paused]);
  });

  it('never runs two tasks of a thread at once, even when an older concluded task is requeued', async () => {
    const [t1, t2] = await runTasks(server, [{ name: 'r', thread: 'requeued' }, { name: 'r', thread: 'requeued' }]);
    await claim(server, { worker: 'w', limit: 1 });
    await server.gql(Conclude, { input: { id: t1!, outcome: 'SUCCEEDED' } });
    expect(await claim(server, { worker: 'w' })).toEqual([t2]);
    // The operator requeues t1 while t2 runs: t1 is the head again but must wait for t2.
    await server.db.database.db.execute(sql`UPDATE tasks SET status = 'QUEUED', finished_at = NULL WHERE id = ${t1!}`);
    expect(await claim(server, { worker: 'w', limit: 10 })).toEqual([]);
    await server.gql(Conclude, { input: { id: t2!, outcome: 'SUCCEEDED' } });
    expect(await claim(server, { worker: 'w', limit: 10 })).toEqual([t1]);
  });

  it('detects a thread race after the fact (threadConflicts, the check that rolls a racing claim back)', async () => {
    const [t1, t2, t3] = await runTasks(server, [
      { name: 'race', thread: 'raced' },
      { name: 'race', thread: 'raced' },
      { name: 'race', thread: 'calm' },
    ]);
    await claim(server, { worker: 'w', names: ['race'], limit: 10 });
    const db = server.db.database.db;
    expect(await threadConflicts(db, [{ id: t1!, jobId: null, thread: 'raced' }, { id: t3!, jobId: null, thread: 'calm' }])).toEqual([]);
    // What a lost race leaves behind: a second task of the thread RUNNING beside the first.
    await db.execute(sql`UPDATE tasks SET status = 'RUNNING' WHERE id = ${t2!}`);
    const conflicts = await threadConflicts(db, [
      { id: t1!, jobId: null, thread: 'raced' },
      { id: t2!, jobId: null, thread: 'raced' },
      { id: t3!, jobId: null, thread: 'calm' },
    ]);
    expect(conflicts.sort()).toEqual([t1, t2].sort());
  });

  it('gives every task to exactly one of many concurrent claimers', async () => {
    const ids = await runTasks(
      server,
      Array.from({ length: 300 }, (_, i) => ({ name: 'c', priority: i % 7 })),
    );
    const workers = Array.from({ length: 12 }, (_, i) => `cw${i}`);
    const claimed = new Map<string, string>();
    let duplicates = 0;
    await Promise.all(
      workers.map(async (worker) => {
        for (;;) {
          const got = await claim(server, { worker, limit: 1 + (worker.length % 3) });
          if (got.length === 0) return;
          for (const id of got) {
            if (claimed.has(id)) duplicates++;
            claimed.set(id, worker);
          }
        }
      }),
    );
    expect(duplicates).toBe(0);
    expect(new Set(claimed.keys())).toEqual(new Set(ids));
    const [row] = await queryRows<{ n: number; events: number; distinct_residents: number }>(
      server.db.database.db,
      sql`SELECT count(*)::int AS n,
                 (SELECT count(*)::int FROM task_events
                  WHERE kind = 'STATUS_CHANGED' AND status = 'RUNNING' AND task_id IN (SELECT id FROM tasks)) AS events,
                 count(DISTINCT resident_on)::int AS distinct_residents
          FROM tasks WHERE status = 'RUNNING' AND attempts = 1`,
    );
    expect(row).toMatchObject({ n: 300, events: 300 });
    // Every task's residentOn is the claimer that received it.
    const rows = await queryRows<{ id: string; resident_on: string }>(
      server.db.database.db,
      sql`SELECT id::text AS id, resident_on FROM tasks`,
    );
    for (const r of rows) expect(r.resident_on).toBe(claimed.get(r.id));
  });

  it('keeps threads serial under concurrent claimers (many threads, many rounds)', async () => {
    const threads = Array.from({ length: 8 }, (_, i) => `par${i}`);
    const ids = await runTasks(
      server,
      threads.flatMap((thread) => Array.from({ length: 6 }, (_, i) => ({ name: 'tp', thread, priority: (i * 13) % 100 }))),
    );
    const order = new Map<string, string[]>();
    let violations = 0;
    let done = 0;
    // Claimers conclude what they claim; at every claim, the thread must have nothing else running.
    await Promise.all(
      Array.from({ length: 10 }, async (_, w) => {
        let idle = 0;
        while (done < ids.length && idle < 50) {
          const got = await claim(server, { worker: `tw${w}`, limit: 2 });
          if (got.length === 0) {
            idle++;
            // A worker's back-off between empty claims: there is no condition to await, only a pause.
            await new Promise((r) => setTimeout(r, 5));
            continue;
          }
          idle = 0;
          const running = await queryRows<{ thread: string; n: number }>(
            server.db.database.db,
            sql`SELECT thread, count(*)::int AS n FROM tasks WHERE status IN ('RUNNING', 'CANCELLING') GROUP BY thread HAVING count(*) > 1`,
          );
          violations += running.length;
          for (const id of got) {
            const [row] = await queryRows<{ thread: string }>(server.db.database.db, sql`SELECT thread FROM tasks WHERE id = ${id}`);
            order.set(row!.thread, [...(order.get(row!.thread) ?? []), id]);
            await server.gql(Conclude, { input: { id, outcome: 'SUCCEEDED', worker: `tw${w}` } });
            done++;
          }
        }
      }),
    );
    expect(violations).toBe(0);
    expect(done).toBe(ids.length);
    // Each thread ran in creation order.
    for (const [i, thread] of threads.entries()) expect(order.get(thread)).toEqual(ids.slice(i * 6, i * 6 + 6));
  });

  it('records the worker (Worker view: name, last seen, tasks held)', async () => {
    const [a] = await runTasks(server, [{ name: 'v' }]);
    await claim(server, { worker: 'w-view' });
    const { workers, worker } = await server.gql(Workers, {});
    expect(workers.find((w) => w.name === 'w-view')).toMatchObject({ tasks: [{ id: a, status: 'RUNNING' }] });
    expect(Date.parse(workers.find((w) => w.name === 'w-view')!.lastSeenAt)).toBeGreaterThan(Date.now() - 10_000);
    expect(worker).toEqual({ name: 'w-view', tasks: [{ id: a }] });
  });
});

describe('claimTasks with waitMs', () => {
  it('returns soon after a task is submitted, not at the deadline', async () => {
    const started = Date.now();
    const waiting = server.gql(Claim, { input: { worker: 'waiter', waitMs: 20_000 } });
    await waitFor(() => server.app.services.claims.waiting, (n) => n === 1, 5_000, 'the claim to wait');
    expect(server.app.services.claims.waiting).toBe(1);
    const submittedAt = Date.now();
    const [id] = await runTasks(server, [{ name: 'late' }]);
    const { claimTasks } = await waiting;
    const latency = Date.now() - submittedAt;
    expect(claimTasks.tasks.map((t) => t.id)).toEqual([id]);
    expect(latency).toBeLessThan(1_500);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('wakes when a thread frees up, and keeps waiting through unrelated changes', async () => {
    const [t1, t2] = await runTasks(server, [{ name: 'wt', thread: 'wake' }, { name: 'wt', thread: 'wake' }]);
    await claim(server, { worker: 'w' });
    const waiting = server.gql(Claim, { input: { worker: 'w2', names: ['wt'], waitMs: 20_000 } });
    await waitFor(() => server.app.services.claims.waiting, (n) => n === 1, 5_000, 'the claim to wait');
    await runTasks(server, [{ name: 'unrelated' }]); // wakes the waiter, which finds nothing and waits on
    // Time for the woken waiter to look and (wrongly) return: it must still be waiting after it.
    await new Promise((r) => setTimeout(r, 200));
    expect(server.app.services.claims.waiting).toBe(1);
    await server.gql(Conclude, { input: { id: t1!, outcome: 'SUCCEEDED' } });
    expect((await waiting).claimTasks.tasks.map((t) => t.id)).toEqual([t2]);
  });

  it('wakes one waiter per name filter per notification, and more only while they find work', async () => {
    const claims = server.app.services.claims;
    const results: (string | null | undefined)[][] = [];
    const herd = Array.from({ length: 5 }, (_, i) =>
      server.gql(Claim, { input: { worker: `herd${i}`, names: ['herd'], waitMs: 8_000 } }).then((r) => {
        const got = r.claimTasks.tasks.map((t) => t.id);
        results.push(got);
        return got;
      }),
    );
    await waitFor(() => claims.waiting, (n) => n >= 5, 5_000, 'five waiting claims');
    expect(claims.waiting).toBe(5);
    const countClaims = () => server.queries.filter((q) => q.includes('/* claimTasks */')).length;

    // An unrelated change: one herd member looks (and finds nothing), the other four sleep on.
    const settle = async (atLeast: number) => {
      await waitFor(countClaims, (n) => n >= atLeast, 5_000, `${atLeast} claim statements`);
      await new Promise((r) => setTimeout(r, 300)); // room for any extra (unwanted) attempt to show up
    };
    server.resetQueries();
    await runTasks(server, [{ name: 'not-for-the-herd' }]);
    await settle(1);
    expect(countClaims()).toBe(1);
    expect(claims.waiting).toBe(5);

    // Two tasks: the woken member claims one and passes the baton, the next claims the other, and
    // the third finds nothing and stops the chain.
    server.resetQueries();
    const ids = await runTasks(server, [{ name: 'herd' }, { name: 'herd' }]);
    await waitFor(() => results.length, (n) => n >= 2, 3_000, 'two herd members to claim');
    expect(results.flat().sort()).toEqual([...ids].sort());
    await settle(3);
    expect(countClaims()).toBe(3);
    expect(claims.waiting).toBe(3);
    await runTasks(server, [{ name: 'herd' }, { name: 'herd' }, { name: 'herd' }]);
    await Promise.all(herd);
    expect(results.map((got) => got.length)).toEqual([1, 1, 1, 1, 1]);
  });

  it('returns [] at the deadline', async () => {
    const started = Date.now();
    expect(await claim(server, { worker: 'w', names: ['nothing'], waitMs: 400 })).toEqual([]);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(380);
    expect(took).toBeLessThan(3_000);
  });

  it('stops waiting when the client goes away', async () => {
    const controller = new AbortController();
    const request = fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation { claimTasks(input: { worker: "gone", names: ["never"], waitMs: 60000 }) { tasks { id } } }' }),
      signal: controller.signal,
    }).catch(() => null);
    await waitFor(() => server.app.services.claims.waiting, (n) => n === 1, 5_000, 'the claim to wait');
    expect(server.app.services.claims.waiting).toBe(1);
    controller.abort();
    await request;
    await waitFor(() => server.app.services.claims.waiting, (n) => n === 0, 3_000, 'the claim to stop waiting');
    expect(server.app.services.claims.waiting).toBe(0);
  });
});
