import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.ts';
import { LIMITS } from '../src/domain/limits.ts';
import { graphql } from '../src/gql/index.ts';
import { runCommand } from './support/commandDocuments.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { waitFor } from './support/waitFor.ts';
import { eventsOf, jobWithTasks, looseTasks, taskStates } from './support/taskSetup.ts';

const Conclude = graphql(`
  mutation ConcludeTaskTest($input: ConcludeTaskInput!) {
    concludeTask(input: $input) {
      applied ids
      tasks { id status result resultType errorInfo progress finishedAt residentOn leaseExpiresAt }
      errors { taskId index code message status }
    }
  }
`);

const JobStatus = graphql(`query ConcludeJobStatus($id: ID!) { job(id: $id) { status } }`);

let server: TestServer;
beforeAll(async () => {
  // A long sweep interval: delayed conclusions must land because the sweeper is woken for them.
  server = await startTestServer({ config: { sweepIntervalMs: 60_000 } });
});
afterAll(async () => {
  await server?.stop();
});

async function pending(id: string) {
  const [row] = await queryRows<{ pending: string | null; due: boolean }>(
    server.db.database.db,
    sql`SELECT pending_conclusion::text AS pending, conclude_at IS NOT NULL AS due FROM tasks WHERE id = ${id}`,
  );
  return row;
}

describe('concludeTask', () => {
  it('maps outcomes to statuses and stores result, resultType and errorInfo', async () => {
    const [ok, bad, stop] = await looseTasks(server, [{ status: 'RUNNING' }, { status: 'RUNNING' }, { status: 'CANCELLING' }]);
    const a = await server.gql(Conclude, { input: { id: ok!, outcome: 'SUCCEEDED', result: { frames: [1, 2] }, resultType: 'application/json', worker: 'worker-1', attempt: 1 } });
    expect(a.concludeTask).toMatchObject({ applied: true, ids: [ok], errors: [] });
    expect(a.concludeTask.tasks![0]).toMatchObject({ status: 'COMPLETED', result: { frames: [1, 2] }, resultType: 'application/json', progress: 1, leaseExpiresAt: null, residentOn: 'worker-1' });
    expect(a.concludeTask.tasks![0]!.finishedAt).not.toBeNull();

    const b = await server.gql(Conclude, { input: { id: bad!, outcome: 'FAILED', errorInfo: ['RENDER_ERROR', 'frame 7'] } });
    expect(b.concludeTask.tasks![0]).toMatchObject({ status: 'FAILED', errorInfo: ['RENDER_ERROR', 'frame 7'], progress: 0.5 });

    const c = await server.gql(Conclude, { input: { id: stop!, outcome: 'CANCELLED' } });
    expect(c.concludeTask.tasks![0]).toMatchObject({ status: 'CANCELLED' });
    const events = await eventsOf(server, [ok!, stop!]);
    expect(events.get(ok!)!.map((e) => [e.kind, e.previous_status, e.status])).toEqual([
      ['CREATED', null, 'QUEUED'],
      ['STATUS_CHANGED', 'RUNNING', 'COMPLETED'],
    ]);
    expect(events.get(stop!)!.at(-1)).toMatchObject({ previous_status: 'CANCELLING', status: 'CANCELLED' });
  });

  it('an operator may conclude a task that is not running (no fencing given)', async () => {
    const [queued] = await looseTasks(server, [{ status: 'QUEUED' }]);
    const r = await server.gql(Conclude, { input: { id: queued!, outcome: 'SUCCEEDED' } });
    expect(r.concludeTask.tasks![0]!.status).toBe('COMPLETED');
  });

  it('refuses a concluded task with INVALID_STATE and unknown ids with NOT_FOUND', async () => {
    const [done] = await looseTasks(server, [{ status: 'COMPLETED' }]);
    const r = await server.gql(Conclude, { input: { id: done!, outcome: 'FAILED' } });
    expect(r.concludeTask).toMatchObject({ applied: false, ids: [], errors: [{ taskId: done, code: 'INVALID_STATE', status: 'COMPLETED' }] });
    for (const id of ['nope', '00000000-0000-7000-8000-000000000000']) {
      const missing = await server.gql(Conclude, { input: { id, outcome: 'FAILED' } });
      expect(missing.concludeTask).toMatchObject({ applied: false, errors: [{ taskId: null, code: 'NOT_FOUND' }] });
    }
  });

  it('is fenced by worker and attempt (NOT_OWNER)', async () => {
    const [id] = await looseTasks(server, [{ status: 'RUNNING' }]);
    const wrongWorker = await server.gql(Conclude, { input: { id: id!, outcome: 'SUCCEEDED', worker: 'worker-2' } });
    expect(wrongWorker.concludeTask).toMatchObject({ applied: false, errors: [{ code: 'NOT_OWNER', taskId: id, status: 'RUNNING' }] });
    const staleAttempt = await server.gql(Conclude, { input: { id: id!, outcome: 'SUCCEEDED', worker: 'worker-1', attempt: 0 } });
    expect(staleAttempt.concludeTask.errors![0]!.code).toBe('NOT_OWNER');
    expect((await taskStates(server, [id!])).get(id!)!.status).toBe('RUNNING');
    const right = await server.gql(Conclude, { input: { id: id!, outcome: 'SUCCEEDED', worker: 'worker-1', attempt: 1 } });
    expect(right.concludeTask.applied).toBe(true);
  });

  it('refuses a result over 1 MiB and too many errorInfo items, naming the limit', async () => {
    const [id] = await looseTasks(server, [{ status: 'RUNNING' }]);
    const big = await server.request(Conclude, { input: { id: id!, outcome: 'SUCCEEDED', result: { blob: 'x'.repeat(LIMITS.maxResultBytes) } } });
    expect(big.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(big.errors?.[0]?.message).toContain(String(LIMITS.maxResultBytes));
    const many = await server.request(Conclude, { input: { id: id!, outcome: 'FAILED', errorInfo: Array.from({ length: 101 }, () => 'E') } });
    expect(many.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await taskStates(server, [id!])).get(id!)!.status).toBe('RUNNING');
  });

  it('refreshes the job status', async () => {
    const { jobId, ids } = await jobWithTasks(server, [{ status: 'RUNNING' }, { status: 'COMPLETED' }]);
    await server.gql(Conclude, { input: { id: ids[0]!, outcome: 'FAILED' } });
    expect((await server.gql(JobStatus, { id: jobId })).job!.status).toBe('FAILED');
  });
});

describe('XINA conclude delay', () => {
  it('delayMs must be 0..5000: outside is BAD_USER_INPUT naming the limit, nothing changes', async () => {
    const [id] = await looseTasks(server, [{ status: 'RUNNING' }]);
    for (const delayMs of [-1, 5001]) {
      const r = await server.request(Conclude, { input: { id: id!, outcome: 'SUCCEEDED', delayMs } });
      expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0]?.message).toContain('5000');
    }
    expect(await pending(id!)).toEqual({ pending: null, due: false });
    const max = await server.gql(Conclude, { input: { id: id!, outcome: 'SUCCEEDED', delayMs: 5000 } });
    expect(max.concludeTask).toMatchObject({ applied: true, ids: [id] });
  });

  it('a delayed conclusion returns at once and lands on time (the sweeper is woken for it)', async () => {
    const [id] = await looseTasks(server, [{ status: 'RUNNING' }]);
    const started = Date.now();
    const r = await server.gql(Conclude, { input: { id: id!, outcome: 'FAILED', errorInfo: ['LATE'], delayMs: 300, worker: 'worker-1', attempt: 1 } });
    expect(Date.now() - started).toBeLessThan(300);
    expect(r.concludeTask).toMatchObject({ applied: true, ids: [id] });
    expect(r.concludeTask.tasks![0]!.status).toBe('RUNNING');
    // A second conclusion while one is pending is refused.
    const twice = await server.gql(Conclude, { input: { id: id!, outcome: 'SUCCEEDED' } });
    expect(twice.concludeTask.errors![0]!.code).toBe('INVALID_STATE');

    const state = await waitFor(
      async () => (await taskStates(server, [id!])).get(id!)!,
      (s) => s.status !== 'RUNNING',
      3_000,
    );
    const elapsed = Date.now() - started;
    expect(state).toMatchObject({ status: 'FAILED', error_info: ['LATE'], lease: false });
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(2_000); // far sooner than the 60 s sweep interval
    expect(await pending(id!)).toEqual({ pending: null, due: false });
  });

  it('survives a restart: another server instance applies the stored conclusion', async () => {
    const [id] = await looseTasks(server, [{ status: 'RUNNING' }]);
    const first = await startTestServer({ db: server.db, config: { sweepIntervalMs: 60_000 } });
    await first.gql(Conclude, { input: { id: id!, outcome: 'SUCCEEDED', result: 42, delayMs: 200 } });
    await first.stop(); // gone before the delay ends
    expect((await pending(id!))!.due).toBe(true);
    const second = await startTestServer({ db: server.db, config: { sweepIntervalMs: 50 } });
    try {
      const state = await waitFor(
        async () => (await taskStates(server, [id!])).get(id!)!,
        (s) => s.status === 'COMPLETED',
      );
      expect(state).toMatchObject({ status: 'COMPLETED', result: '42', progress: 1 });
    } finally {
      await second.stop();
    }
  });

  it('a delayed conclusion of an attempt that was requeued meanwhile is dropped', async () => {
    const [id] = await looseTasks(server, [{ status: 'RUNNING' }]);
    await server.gql(Conclude, { input: { id: id!, outcome: 'SUCCEEDED', delayMs: 100 } });
    await runCommand(server, 'REQUEUE', { target: { ids: [id!] } });
    expect(await pending(id!)).toEqual({ pending: null, due: false });
    // Past the 100 ms delay, so that a conclusion still stored would be due: proves it was dropped.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await server.app.services.sweeper.sweep();
    expect((await taskStates(server, [id!])).get(id!)!.status).toBe('QUEUED');
  });

  it('a delayed conclusion on a destroy-pending task deletes it when it lands', async () => {
    const [id] = await looseTasks(server, [{ status: 'RUNNING' }]);
    await runCommand(server, 'DESTROY', { target: { ids: [id!] } });
    await server.gql(Conclude, { input: { id: id!, outcome: 'CANCELLED', delayMs: 50, worker: 'worker-1' } });
    const gone = await waitFor(
      () => taskStates(server, [id!]),
      (states) => states.size === 0,
    );
    expect(gone.size).toBe(0);
    expect((await eventsOf(server, [id!])).get(id!)!.map((e) => e.kind)).toEqual(['STATUS_CHANGED', 'DELETED']);
  });
});
