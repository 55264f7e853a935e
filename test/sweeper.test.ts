import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taskRetentionStep } from '../src/sweeper/steps.ts';
import { queryRows } from '../src/db/database.ts';
import { graphql } from '../src/gql/index.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { createTestDatabase } from './support/testDatabase.ts';
import { Beat, Cancel, Conclude, Destroy, Submit, claim, eventKinds, expireLeases, runTasks, status } from './support/workerOps.ts';

const JobState = graphql(`query SweeperTestJob($id: ID!) { job(id: $id) { status } }`);

let server: TestServer;
beforeAll(async () => {
  // The timer never fires during the tests: every sweep is explicit.
  server = await startTestServer({ config: { sweepIntervalMs: 600_000 } });
});
afterAll(async () => {
  await server?.stop();
});

const sweep = () => server.app.services.sweeper.sweep();

describe('lease expiry', () => {
  it('requeues a task whose lease expired while attempts remain; the old claim is void', async () => {
    const [id] = await runTasks(server, [{ name: 'le', maxAttempts: 3 }]);
    await claim(server, { worker: 'dead', names: ['le'] });
    await sweep();
    expect((await status(server, id!))!.status).toBe('RUNNING'); // lease not expired yet
    await expireLeases(server, [id!]);
    await sweep();
    expect(await status(server, id!)).toMatchObject({ status: 'QUEUED', residentOn: null, leaseExpiresAt: null, attempts: 1 });
    expect(await eventKinds(server, id!)).toEqual(['CREATED', 'QUEUED>RUNNING', 'RUNNING>QUEUED']);
    await claim(server, { worker: 'alive', names: ['le'] });
    expect(await status(server, id!)).toMatchObject({ status: 'RUNNING', residentOn: 'alive', attempts: 2 });
    // The first worker comes back: its heartbeat and conclusion are refused.
    const { heartbeat } = await server.gql(Beat, { input: { worker: 'dead', tasks: [{ id: id!, attempt: 1 }] } });
    expect(heartbeat.results[0]!.directive).toBe('ABANDON');
    const { concludeTask } = await server.gql(Conclude, { input: { id: id!, outcome: 'SUCCEEDED', worker: 'dead', attempt: 1 } });
    expect(concludeTask.applied).toBe(false);
    expect(concludeTask.errors![0]!.code).toBe('NOT_OWNER');
  });

  it('fails a task with ["LEASE_EXPIRED"] when no attempt remains, and derives the job status', async () => {
    const { submitJob } = await server.gql(Submit, { input: { name: 'lj', tasks: [{ name: 'lf', maxAttempts: 1 }] } });
    const id = submitJob!.tasks![0]!.id!;
    await claim(server, { worker: 'w', names: ['lf'] });
    await expireLeases(server, [id]);
    await sweep();
    expect(await status(server, id)).toMatchObject({ status: 'FAILED', errorInfo: ['LEASE_EXPIRED'], attempts: 1 });
    expect((await status(server, id))!.finishedAt).toBeTruthy();
    expect((await server.gql(JobState, { id: submitJob!.job!.id! })).job!.status).toBe('FAILED');
  });

  it('never expires open tasks', async () => {
    const [id] = await runTasks(server, [{ name: 'open', open: true, maxAttempts: 1 }]);
    await claim(server, { worker: 'w', names: ['open'] });
    await expireLeases(server, [id!]);
    await sweep();
    expect((await status(server, id!))!.status).toBe('RUNNING');
    await server.gql(Cancel, { input: { target: { ids: [id!] } } });
    await sweep();
    expect((await status(server, id!))!.status).toBe('CANCELLING');
    await server.gql(Conclude, { input: { id: id!, outcome: 'CANCELLED' } });
    expect((await status(server, id!))!.status).toBe('CANCELLED');
  });

  it('is safe with several sweepers at once: every task is requeued exactly once', async () => {
    const ids = await runTasks(server, Array.from({ length: 150 }, () => ({ name: 'many-sweep' })));
    await claim(server, { worker: 'w', names: ['many-sweep'], limit: 150 });
    await expireLeases(server, ids);
    const second = await startTestServer({ db: server.db, config: { sweepIntervalMs: 600_000 } });
    try {
      await Promise.all([sweep(), second.app.services.sweeper.sweep(), sweep()]);
    } finally {
      await second.stop();
    }
    const [row] = await queryRows<{ queued: number; events: number }>(
      server.db.database.db,
      sql`SELECT (SELECT count(*)::int FROM tasks WHERE name = 'many-sweep' AND status = 'QUEUED') AS queued,
                 (SELECT count(*)::int FROM task_events e JOIN tasks t ON t.id = e.task_id
                  WHERE t.name = 'many-sweep' AND e.previous_status = 'RUNNING' AND e.status = 'QUEUED') AS events`,
    );
    expect(row).toEqual({ queued: 150, events: 150 });
  });
});

describe('timeouts', () => {
  it('fails a task running past its timeoutMs with ["TIMEOUT", "<ms>"]', async () => {
    const [slow, fast] = await runTasks(server, [
      { name: 'to', timeoutMs: 1_500 },
      { name: 'to', timeoutMs: 60_000 },
    ]);
    await claim(server, { worker: 'w', names: ['to'], limit: 2, leaseMs: 600_000 });
    await server.db.database.db.execute(sql`UPDATE tasks SET started_at = now() - interval '2 seconds' WHERE name = 'to'`);
    await sweep();
    expect(await status(server, slow!)).toMatchObject({ status: 'FAILED', errorInfo: ['TIMEOUT', '1500'] });
    expect((await status(server, fast!))!.status).toBe('RUNNING');
    const { heartbeat } = await server.gql(Beat, { input: { worker: 'w', tasks: [{ id: slow! }, { id: fast! }] } });
    expect(heartbeat.results.map((r) => r.directive)).toEqual(['ABANDON', 'CONTINUE']);
  });

  it('times out for real without SQL help', async () => {
    const [id] = await runTasks(server, [{ name: 'to-real', timeoutMs: 1_000 }]);
    await claim(server, { worker: 'w', names: ['to-real'], leaseMs: 600_000 });
    await sweep();
    expect((await status(server, id!))!.status).toBe('RUNNING');
    await new Promise((r) => setTimeout(r, 1_100)); // the 1 s timeout ends by the clock
    await sweep();
    expect(await status(server, id!)).toMatchObject({ status: 'FAILED', errorInfo: ['TIMEOUT', '1000'] });
  });
});

describe('unacknowledged cancels', () => {
  it('concludes a CANCELLING task CANCELLED once its lease expires, and deletes it when a destroy was pending', async () => {
    const [cancelled, destroyed] = await runTasks(server, [{ name: 'uc' }, { name: 'uc' }]);
    await claim(server, { worker: 'w', names: ['uc'], limit: 2 });
    await server.gql(Cancel, { input: { target: { ids: [cancelled!] } } });
    await server.gql(Destroy, { input: { target: { ids: [destroyed!] } } });
    await sweep();
    expect((await status(server, cancelled!))!.status).toBe('CANCELLING');
    await expireLeases(server, [cancelled!, destroyed!]);
    await sweep();
    expect(await status(server, cancelled!)).toMatchObject({ status: 'CANCELLED', leaseExpiresAt: null });
    expect(await eventKinds(server, cancelled!)).toEqual(['CREATED', 'QUEUED>RUNNING', 'RUNNING>CANCELLING', 'CANCELLING>CANCELLED']);
    expect(await status(server, destroyed!)).toBeNull();
    expect(await eventKinds(server, destroyed!)).toEqual(['CANCELLING>CANCELLED', 'DELETED']);
  });
});

describe('delayed conclusions', () => {
  it('survive a server restart and are applied by the next instance, and the lease does not requeue meanwhile', async () => {
    const db = await createTestDatabase();
    try {
      const first = await startTestServer({ db, config: { sweepIntervalMs: 600_000 } });
      const [id] = await runTasks(first, [{ name: 'delayed' }]);
      await claim(first, { worker: 'w', names: ['delayed'], leaseMs: 1_000 });
      const { concludeTask } = await first.gql(Conclude, {
        input: { id: id!, outcome: 'SUCCEEDED', delayMs: 1_500, worker: 'w', attempt: 1 },
      });
      expect(concludeTask.applied).toBe(true);
      await first.stop(); // before the conclusion is due
      const second = await startTestServer({ db, config: { sweepIntervalMs: 600_000 } });
      try {
        await new Promise((r) => setTimeout(r, 1_100)); // the 1 s lease would have expired by now
        await second.app.services.sweeper.sweep();
        expect((await status(second, id!))!.status).toBe('RUNNING');
        await new Promise((r) => setTimeout(r, 600)); // now the 1.5 s delay is due, by the clock
        await second.app.services.sweeper.sweep();
        expect((await status(second, id!))!.status).toBe('COMPLETED');
        expect(await eventKinds(second, id!)).toEqual(['CREATED', 'QUEUED>RUNNING', 'RUNNING>COMPLETED']);
      } finally {
        await second.stop();
      }
    } finally {
      await db.drop();
    }
  });
});

describe('retention', () => {
  it('deletes old concluded tasks (not archive) and whole finished jobs, leaving DELETED events', async () => {
    const [oldDone, archived, recent, running] = await runTasks(server, [
      { name: 'ret' },
      { name: 'ret' },
      { name: 'ret' },
      { name: 'ret' },
    ]);
    await server.db.database.db.execute(sql`UPDATE tasks SET archive = true WHERE id = ${archived!}`);
    const finishedJob = await server.gql(Submit, { input: { name: 'old-job', tasks: [{ name: 'ret-j' }, { name: 'ret-j' }] } });
    const keptJob = await server.gql(Submit, { input: { name: 'kept-job', tasks: [{ name: 'ret-k' }, { name: 'ret-k' }] } });
    const db = server.db.database.db;
    // Conclude everything but `running` and the kept job's second task, then age them.
    for (const id of [oldDone, archived, recent, ...finishedJob.submitJob!.tasks!.map((t) => t.id), keptJob.submitJob!.tasks![0]!.id]) {
      await server.gql(Conclude, { input: { id: id!, outcome: 'SUCCEEDED' } });
    }
    await db.execute(sql`UPDATE tasks SET finished_at = now() - interval '2 days' WHERE finished_at IS NOT NULL AND name LIKE 'ret%' AND id <> ${recent!}`);
    await db.execute(sql`UPDATE jobs SET finished_at = now() - interval '2 days' WHERE finished_at IS NOT NULL AND name IN ('old-job', 'kept-job')`);
    const [step] = taskRetentionStep(24 * 3600 * 1000);
    expect(taskRetentionStep(undefined)).toEqual([]);
    const deleted = await step!.run(server.db.database, new Date());
    expect(deleted).toBe(1 + 2 + 1); // oldDone, the finished job's two tasks, and the job
    expect(await status(server, oldDone!)).toBeNull();
    expect(await eventKinds(server, oldDone!)).toEqual(['DELETED']);
    for (const id of [archived, recent, running]) expect(await status(server, id!)).not.toBeNull();
    expect((await server.gql(JobState, { id: finishedJob.submitJob!.job!.id! })).job).toBeNull();
    expect((await server.gql(JobState, { id: keptJob.submitJob!.job!.id! })).job).not.toBeNull();
    expect(await status(server, keptJob.submitJob!.tasks![0]!.id!)).not.toBeNull();
    expect(await step!.run(server.db.database, new Date())).toBe(0);
  });
});
