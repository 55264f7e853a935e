import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { Beat, Cancel, Conclude, claim, eventKinds, runTasks, status } from './support/workerOps.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ config: { sweepIntervalMs: 60_000 } });
});
afterAll(async () => {
  await server?.stop();
});

async function beat(
  worker: string,
  tasks: { id: string; attempt?: number; progress?: number; message?: string | null }[],
  leaseMs?: number,
) {
  const { heartbeat } = await server.gql(Beat, { input: { worker, tasks, leaseMs } });
  return heartbeat.results;
}

async function progressEvents(id: string): Promise<number[]> {
  const rows = await queryRows<{ progress: number }>(
    server.db.database.db,
    sql`SELECT progress FROM task_events WHERE task_id = ${id} AND kind = 'PROGRESS' ORDER BY txid, id`,
  );
  return rows.map((r) => Number(r.progress));
}

describe('heartbeat', () => {
  it('extends the lease of a held task and answers CONTINUE, in input order', async () => {
    const [a, b] = await runTasks(server, [{ name: 'hb' }, { name: 'hb' }]);
    await claim(server, { worker: 'hw', names: ['hb'], limit: 2, leaseMs: 2_000 });
    const before = Date.now();
    const results = await beat('hw', [{ id: b! }, { id: a!, attempt: 1 }], 120_000);
    expect(results.map((r) => [r.taskId, r.directive])).toEqual([
      [b, 'CONTINUE'],
      [a, 'CONTINUE'],
    ]);
    for (const r of results) expect(Date.parse(r.leaseExpiresAt!)).toBeGreaterThan(before + 100_000);
    expect(Date.parse((await status(server, a!))!.leaseExpiresAt!)).toBeGreaterThan(before + 100_000);
    // Without leaseMs: the default 30 s from now.
    const [def] = await beat('hw', [{ id: a! }]);
    expect(Date.parse(def!.leaseExpiresAt!)).toBeLessThan(Date.now() + 31_000);
  });

  it('is fenced by worker and attempt: ABANDON for another worker, a stale attempt, unknown and malformed ids', async () => {
    const [id, other] = await runTasks(server, [{ name: 'fence' }, { name: 'fence' }]);
    await claim(server, { worker: 'owner', names: ['fence'], limit: 2 });
    const lease = (await status(server, id!))!.leaseExpiresAt;
    const results = await beat('intruder', [{ id: id! }]);
    expect(results).toEqual([{ taskId: id, directive: 'ABANDON', leaseExpiresAt: null }]);
    const stale = await beat('owner', [{ id: id!, attempt: 0 }, { id: other!, attempt: 1 }]);
    expect(stale.map((r) => r.directive)).toEqual(['ABANDON', 'CONTINUE']);
    expect((await status(server, id!))!.leaseExpiresAt).toBe(lease);
    const unknown = await beat('owner', [
      { id: '00000000-0000-7000-8000-000000000000' },
      { id: 'not-an-id' },
      { id: other!, attempt: 1 },
    ]);
    expect(unknown.map((r) => [r.taskId, r.directive])).toEqual([
      ['00000000-0000-7000-8000-000000000000', 'ABANDON'],
      ['not-an-id', 'ABANDON'],
      [other, 'CONTINUE'],
    ]);
  });

  it('answers CANCEL for a CANCELLING task (lease extended) and ABANDON once it is concluded, requeued or deleted', async () => {
    const [c, q, d] = await runTasks(server, [{ name: 'cx' }, { name: 'cx' }, { name: 'cx' }]);
    await claim(server, { worker: 'cw', names: ['cx'], limit: 3 });
    await server.gql(Cancel, { input: { target: { ids: [c!] } } });
    const [cancel] = await beat('cw', [{ id: c!, attempt: 1 }]);
    expect(cancel).toMatchObject({ directive: 'CANCEL' });
    expect(cancel!.leaseExpiresAt).not.toBeNull();
    await server.gql(Conclude, { input: { id: c!, outcome: 'CANCELLED', worker: 'cw', attempt: 1 } });
    // Requeued behind the worker's back (as the sweeper or an operator would), then claimed again by another.
    await server.db.database.db.execute(sql`UPDATE tasks SET status = 'QUEUED', resident_on = NULL WHERE id = ${q!}`);
    await claim(server, { worker: 'other', names: ['cx'] });
    await server.db.database.db.execute(sql`DELETE FROM tasks WHERE id = ${d!}`);
    const results = await beat('cw', [{ id: c! }, { id: q!, attempt: 1 }, { id: d! }]);
    expect(results.map((r) => r.directive)).toEqual(['ABANDON', 'ABANDON', 'ABANDON']);
    // The new holder of q is in attempt 2.
    expect((await beat('other', [{ id: q!, attempt: 2 }]))[0]!.directive).toBe('CONTINUE');
  });

  it('records progress and message, with throttled PROGRESS events, only for held tasks', async () => {
    const [id] = await runTasks(server, [{ name: 'prog' }]);
    await claim(server, { worker: 'pw', names: ['prog'] });
    await beat('pw', [{ id: id!, progress: 0.1, message: 'starting' }]);
    await beat('pw', [{ id: id!, progress: 0.2 }]); // within 250 ms: stored, no event
    expect(await status(server, id!)).toMatchObject({ progress: 0.2, message: 'starting' });
    expect(await progressEvents(id!)).toEqual([0.1]);
    await new Promise((r) => setTimeout(r, 300)); // past the 250 ms throttle window, which is clock time
    await beat('pw', [{ id: id!, progress: 0.5, message: null }]);
    expect(await status(server, id!)).toMatchObject({ progress: 0.5, message: null });
    expect(await progressEvents(id!)).toEqual([0.1, 0.5]);
    expect(await eventKinds(server, id!)).toEqual(['CREATED', 'QUEUED>RUNNING', 'PROGRESS', 'PROGRESS']);
    // Another worker's report changes nothing.
    await beat('intruder', [{ id: id!, progress: 0.9, message: 'mine' }]);
    expect(await status(server, id!)).toMatchObject({ progress: 0.5, message: null });
  });

  it('refuses progress outside 0..1 and a bad leaseMs, changing nothing', async () => {
    const [id] = await runTasks(server, [{ name: 'bad' }]);
    await claim(server, { worker: 'bw', names: ['bad'] });
    const lease = (await status(server, id!))!.leaseExpiresAt;
    for (const [input, needle] of [
      [{ worker: 'bw', tasks: [{ id: id!, progress: 1.5 }] }, 'progress'],
      [{ worker: 'bw', tasks: [{ id: id!, progress: -0.1 }] }, 'progress'],
      [{ worker: 'bw', tasks: [{ id: id! }], leaseMs: 500 }, 'leaseMs'],
      [{ worker: 'bw', tasks: [{ id: id!, message: 'x'.repeat(10_001) }] }, 'maxMessageLength'],
    ] as const) {
      const result = await server.request(Beat, { input: input as unknown as { worker: string; tasks: { id: string }[] } });
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.message).toContain(needle);
    }
    expect(await status(server, id!)).toMatchObject({ progress: 0, leaseExpiresAt: lease });
  });

  it('handles many tasks in one set-based call (constant number of statements)', async () => {
    const ids = await runTasks(server, Array.from({ length: 200 }, () => ({ name: 'many' })));
    await claim(server, { worker: 'mw', names: ['many'], limit: 200 });
    server.resetQueries();
    const results = await beat(
      'mw',
      ids.map((id, i) => ({ id, attempt: 1, progress: i / 200 })),
    );
    expect(results.every((r) => r.directive === 'CONTINUE')).toBe(true);
    // One statement for all leases, one for all progress, one for the worker row; nothing per task.
    // (The event hub's reads after the NOTIFY run in the background, whatever the mutation.)
    const named = server.requestQueries().map((q) => /\/\* (\w+) \*\//.exec(q)?.[1]);
    expect(named).toEqual(['extendLeases', 'recordProgress', 'touchWorker']);
    const touchingTasks = server.requestQueries().filter((q) => /\btasks\b/.test(q));
    expect(touchingTasks).toHaveLength(2);
  });
});
