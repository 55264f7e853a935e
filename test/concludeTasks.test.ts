import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.ts';
import { LIMITS } from '../src/domain/limits.ts';
import { graphql } from '../src/gql/index.ts';
import type { ConcludeTaskInput } from '../src/gql/graphql.ts';
import { runCommand } from './support/commandDocuments.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { waitFor } from './support/waitFor.ts';
import { eventCount, eventsOf, jobWithTasks, looseTasks, taskStates } from './support/taskSetup.ts';

const ConcludeMany = graphql(`
  mutation ConcludeTasksTest($input: ConcludeTasksInput!) {
    concludeTasks(input: $input) {
      applied ids
      tasks { id status result resultType errorInfo progress finishedAt residentOn leaseExpiresAt }
      errors { taskId index code message status }
    }
  }
`);

const ConcludeManyLean = graphql(`
  mutation ConcludeTasksTestLean($input: ConcludeTasksInput!) { concludeTasks(input: $input) { applied errors { index code } } }
`);

const ConcludeOne = graphql(`
  mutation ConcludeTasksTestSingle($input: ConcludeTaskInput!) { concludeTask(input: $input) { applied errors { index code } } }
`);

const JobStatus = graphql(`query ConcludeTasksJobStatus($id: ID!) { job(id: $id) { status } }`);

let server: TestServer;
beforeAll(async () => {
  // A long sweep interval: delayed conclusions must land because the sweeper is woken for them.
  server = await startTestServer({ config: { sweepIntervalMs: 60_000 } });
});
afterAll(async () => {
  await server?.stop();
});

const UNKNOWN = '00000000-0000-7000-8000-000000000000';

// "Nothing changed" checks count every event of the database: the delayed conclusions an earlier
// test left (up to 5 s) must have landed first, or one landing mid-test reads as a change.
beforeEach(async () => {
  const pending = () =>
    queryRows<{ n: number }>(server.db.database.db, sql`SELECT count(*)::int AS n FROM tasks WHERE pending_conclusion IS NOT NULL`);
  await waitFor(pending, (rows) => rows[0]!.n === 0, 15_000, 'the delayed conclusions of earlier tests to land');
});

async function pendingOf(ids: readonly string[]): Promise<Map<string, boolean>> {
  const rows = await queryRows<{ id: string; pending: boolean }>(
    server.db.database.db,
    sql`SELECT id::text AS id, pending_conclusion IS NOT NULL AS pending FROM tasks WHERE id = ANY(${`{${ids.join(',')}}`}::uuid[])`,
  );
  return new Map(rows.map((r) => [r.id, r.pending]));
}

/** Everything a conclusion can change, for "nothing changed" checks. */
async function snapshot(ids: readonly string[]) {
  return { states: await taskStates(server, ids), pending: await pendingOf(ids), events: await eventCount(server) };
}

/**
 * One batch with one item of every kind, in this order. Loose RUNNING tasks are held by worker-1 in
 * attempt 1 (support/taskSetup.ts). `applies` says whether the item concludes (now or delayed).
 */
interface Row {
  label: string;
  item: (t: Fixture) => ConcludeTaskInput;
  applies: boolean;
  error?: { code: string; status: string | null; taskId: 'task' | null };
}

interface Fixture {
  ok: string;
  failed: string;
  concluded: string;
  otherWorker: string;
  stale: string;
  delayed: string;
  destroying: string;
  jobTask: string;
  jobId: string;
  delayedBefore: string;
}

const ROWS: Row[] = [
  { label: 'ok: fenced, with result', item: (t) => ({ id: t.ok, outcome: 'SUCCEEDED', result: { n: 1 }, resultType: 'json', worker: 'worker-1', attempt: 1 }), applies: true },
  { label: 'unknown id: NOT_FOUND', item: () => ({ id: UNKNOWN, outcome: 'SUCCEEDED' }), applies: false, error: { code: 'NOT_FOUND', status: null, taskId: null } },
  { label: 'malformed id: NOT_FOUND', item: () => ({ id: 'nope', outcome: 'SUCCEEDED' }), applies: false, error: { code: 'NOT_FOUND', status: null, taskId: null } },
  { label: 'already concluded: INVALID_STATE', item: (t) => ({ id: t.concluded, outcome: 'FAILED' }), applies: false, error: { code: 'INVALID_STATE', status: 'COMPLETED', taskId: 'task' } },
  { label: 'another worker: NOT_OWNER', item: (t) => ({ id: t.otherWorker, outcome: 'SUCCEEDED', worker: 'worker-2' }), applies: false, error: { code: 'NOT_OWNER', status: 'RUNNING', taskId: 'task' } },
  { label: 'stale attempt: NOT_OWNER', item: (t) => ({ id: t.stale, outcome: 'SUCCEEDED', worker: 'worker-1', attempt: 0 }), applies: false, error: { code: 'NOT_OWNER', status: 'RUNNING', taskId: 'task' } },
  { label: 'failed with errorInfo', item: (t) => ({ id: t.failed, outcome: 'FAILED', errorInfo: ['E_RENDER', 'frame 3'] }), applies: true },
  { label: 'delayMs: stored, applied later', item: (t) => ({ id: t.delayed, outcome: 'SUCCEEDED', result: 7, delayMs: 1_500, worker: 'worker-1', attempt: 1 }), applies: true },
  { label: 'deferred destroy: deleted', item: (t) => ({ id: t.destroying, outcome: 'CANCELLED', worker: 'worker-1' }), applies: true },
  { label: 'job task: job status refreshed', item: (t) => ({ id: t.jobTask, outcome: 'FAILED' }), applies: true },
  { label: 'delayed conclusion already pending: INVALID_STATE', item: (t) => ({ id: t.delayedBefore, outcome: 'SUCCEEDED' }), applies: false, error: { code: 'INVALID_STATE', status: 'RUNNING', taskId: 'task' } },
  { label: 'same task again, after it concluded above: INVALID_STATE', item: (t) => ({ id: t.ok, outcome: 'FAILED' }), applies: false, error: { code: 'INVALID_STATE', status: 'COMPLETED', taskId: 'task' } },
];

async function fixture(): Promise<Fixture> {
  const [ok, failed, concluded, otherWorker, stale, delayed, destroying, delayedBefore] = await looseTasks(server, [
    { status: 'RUNNING' },
    { status: 'RUNNING' },
    { status: 'COMPLETED' },
    { status: 'RUNNING' },
    { status: 'RUNNING' },
    { status: 'RUNNING' },
    { status: 'RUNNING' },
    { status: 'RUNNING' },
  ]);
  const destroy = await runCommand(server, 'DESTROY', { target: { ids: [destroying!] } });
  expect(destroy.tasks[0]!.status).toBe('CANCELLING');
  const earlier = await server.gql(ConcludeMany, { input: { tasks: [{ id: delayedBefore!, outcome: 'FAILED', delayMs: 5_000 }] } });
  expect(earlier.concludeTasks.applied).toBe(true);
  const { jobId, ids } = await jobWithTasks(server, [{ status: 'RUNNING' }, { status: 'COMPLETED' }], 'conclude-batch');
  return {
    ok: ok!,
    failed: failed!,
    concluded: concluded!,
    otherWorker: otherWorker!,
    stale: stale!,
    delayed: delayed!,
    destroying: destroying!,
    delayedBefore: delayedBefore!,
    jobTask: ids[0]!,
    jobId,
  };
}

describe('concludeTasks: one mixed batch', () => {
  it.each([
    { ignore: true as boolean | undefined, label: 'ignore: true applies the rest' },
    { ignore: undefined, label: 'ignore omitted: true is the default' },
  ])('$label', async ({ ignore }) => {
    const t = await fixture();
    const items = ROWS.map((r) => r.item(t));
    const { concludeTasks: payload } = await server.gql(ConcludeMany, { input: { tasks: items, ...(ignore === undefined ? {} : { ignore }) } });

    expect(payload.applied).toBe(true);
    // The delayed one is stored now (still RUNNING, nothing in its log yet) and lands when due (below).
    expect((await eventsOf(server, [t.delayed])).get(t.delayed)!.map((e) => e.kind)).toEqual(['CREATED']);
    expect((await taskStates(server, [t.delayed])).get(t.delayed)!.status).toBe('RUNNING');
    expect(payload.ids).toEqual(ROWS.flatMap((r, i) => (r.applies ? [items[i]!.id] : [])));
    expect(payload.errors).toEqual(
      ROWS.flatMap((r, index) =>
        r.error
          ? [{ index, code: r.error.code, status: r.error.status, taskId: r.error.taskId ? items[index]!.id : null, message: expect.stringContaining('concludeTasks: ') }]
          : [],
      ),
    );

    const states = await taskStates(server, Object.values(t));
    expect(states.get(t.ok)).toMatchObject({ status: 'COMPLETED', result: '{"n": 1}', progress: 1, lease: false, finished: true });
    expect(states.get(t.failed)).toMatchObject({ status: 'FAILED', error_info: ['E_RENDER', 'frame 3'], lease: false });
    for (const untouched of [t.otherWorker, t.stale, t.delayedBefore]) expect(states.get(untouched)!.status).toBe('RUNNING');
    expect(states.get(t.concluded)!.status).toBe('COMPLETED');
    expect(states.has(t.destroying)).toBe(false);
    expect((await server.gql(JobStatus, { id: t.jobId })).job!.status).toBe('FAILED');

    // Events, written in the same transaction: one STATUS_CHANGED per concluded task, DELETED for the destroyed one.
    const events = await eventsOf(server, [t.ok, t.failed, t.destroying, t.stale]);
    expect(events.get(t.ok)!.slice(1).map((e) => [e.kind, e.previous_status, e.status])).toEqual([['STATUS_CHANGED', 'RUNNING', 'COMPLETED']]);
    expect(events.get(t.failed)!.at(-1)).toMatchObject({ kind: 'STATUS_CHANGED', previous_status: 'RUNNING', status: 'FAILED' });
    expect(events.get(t.destroying)!.map((e) => [e.kind, e.previous_status, e.status])).toEqual([
      ['STATUS_CHANGED', 'CANCELLING', 'CANCELLED'],
      ['DELETED', 'CANCELLED', null],
    ]);
    expect(events.get(t.stale)!.map((e) => e.kind)).toEqual(['CREATED']);

    const landed = await waitFor(async () => (await taskStates(server, [t.delayed])).get(t.delayed)!, (s) => s.status !== 'RUNNING', 6_000);
    expect(landed).toMatchObject({ status: 'COMPLETED', result: '7' });
  });

  it('ignore: false: any error blocks the batch, nothing changes, every error listed', async () => {
    const t = await fixture();
    const before = await snapshot(Object.values(t));
    const items = ROWS.map((r) => r.item(t));
    const { concludeTasks: payload } = await server.gql(ConcludeMany, { input: { tasks: items, ignore: false } });
    expect(payload).toMatchObject({ applied: false, ids: [], tasks: [] });
    expect(payload.errors.map((e) => [e.index, e.code])).toEqual(ROWS.flatMap((r, i) => (r.error ? [[i, r.error.code]] : [])));
    // The duplicate item is judged as if the first had applied: still refused.
    expect(await snapshot(Object.values(t))).toEqual(before);
    expect((await server.gql(JobStatus, { id: t.jobId })).job!.status).toBe('ACTIVE');
  });

  it('ignore: false without errors applies the whole batch', async () => {
    const ids = await looseTasks(server, [{ status: 'RUNNING' }, { status: 'QUEUED' }, { status: 'CANCELLING' }]);
    const outcomes = ['SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
    const { concludeTasks: payload } = await server.gql(ConcludeMany, {
      input: { tasks: ids.map((id, i) => ({ id, outcome: outcomes[i]! })), ignore: false },
    });
    expect(payload).toMatchObject({ applied: true, ids, errors: [] });
    expect(payload.tasks.map((task) => task.status)).toEqual(['COMPLETED', 'FAILED', 'CANCELLED']);
  });
});

describe('concludeTasks: whole-request limits', () => {
  it.each([
    {
      label: `more than ${LIMITS.maxBatch} items (maxBatch)`,
      tasks: (id: string) => Array.from({ length: LIMITS.maxBatch + 1 }, () => ({ id, outcome: 'SUCCEEDED' as const })),
      message: String(LIMITS.maxBatch),
      limit: 'maxBatch',
    },
    {
      label: 'an item with delayMs over 5000 (maxDelayMs)',
      tasks: (id: string) => [{ id, outcome: 'SUCCEEDED' as const }, { id, outcome: 'SUCCEEDED' as const, delayMs: 5001 }],
      message: 'tasks[1].delayMs',
      limit: 'maxDelayMs',
    },
    {
      label: 'an item with too many errorInfo items (maxErrorInfoItems)',
      tasks: (id: string) => [{ id, outcome: 'FAILED' as const, errorInfo: Array.from({ length: LIMITS.maxErrorInfoItems + 1 }, () => 'E') }],
      message: 'tasks[0].errorInfo',
      limit: 'maxErrorInfoItems',
    },
  ])('$label: BAD_USER_INPUT naming the limit, nothing changed', async ({ tasks, message, limit }) => {
    const [id] = await looseTasks(server, [{ status: 'RUNNING' }]);
    const before = await snapshot([id!]);
    const result = await server.request(ConcludeMany, { input: { tasks: tasks(id!) } });
    expect(result.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', limit } });
    expect(result.errors?.[0]?.message).toContain(message);
    expect(await snapshot([id!])).toEqual(before);
  });

  it(`exactly ${LIMITS.maxBatch} items is accepted`, async () => {
    const ids = await looseTasks(server, Array.from({ length: 50 }, () => ({ status: 'RUNNING' as const })));
    const tasks = Array.from({ length: LIMITS.maxBatch }, (_, i) => ({ id: ids[i % ids.length]!, outcome: 'SUCCEEDED' as const }));
    const { concludeTasks: payload } = await server.gql(ConcludeMany, { input: { tasks } });
    expect(payload.ids).toEqual(ids);
    expect(payload.errors).toHaveLength(LIMITS.maxBatch - ids.length);
    expect(new Set(payload.errors.map((e) => e.code))).toEqual(new Set(['INVALID_STATE']));
  });
});

/**
 * Waits until the delayed conclusions of earlier tests have landed. The sweeper applies them with the
 * same statements a request uses, so one landing inside a window that counts a request's statements
 * is counted as the request's (seen once in CI: 7 statements where 6 were expected).
 */
async function settleDelayedConclusions(): Promise<void> {
  const pending = await waitFor(
    async () => (await queryRows<{ n: number }>(server.db.database.db, sql`SELECT count(*)::int AS n FROM tasks WHERE conclude_at IS NOT NULL`))[0]!.n,
    (n) => n === 0,
    15_000,
  );
  expect(pending).toBe(0);
}

describe('concludeTasks: set-based', () => {
  it('costs the same number of statements for 2 tasks as for 300 (jobs, events and NOTIFY included)', async () => {
    await settleDelayedConclusions();
    const statements = async (size: number) => {
      const { ids } = await jobWithTasks(server, Array.from({ length: size }, () => ({ status: 'RUNNING' as const })), `set-${size}`);
      const loose = await looseTasks(server, Array.from({ length: size }, () => ({ status: 'RUNNING' as const })));
      server.resetQueries();
      const { concludeTasks: payload } = await server.gql(ConcludeMany, {
        input: { tasks: [...ids, ...loose].map((id) => ({ id, outcome: 'SUCCEEDED' as const, worker: 'worker-1', attempt: 1 })) },
      });
      expect(payload.ids).toHaveLength(2 * size);
      return server.requestQueries().length;
    };
    expect(await statements(300)).toBe(await statements(2));
  });

  it('concludeTask is the one-item case: same statements, errors without an index', async () => {
    await settleDelayedConclusions();
    const [a, b] = await looseTasks(server, [{ status: 'RUNNING' }, { status: 'RUNNING' }]);
    server.resetQueries();
    await server.gql(ConcludeManyLean, { input: { tasks: [{ id: a!, outcome: 'SUCCEEDED' }] } });
    const batched = server.requestQueries();
    server.resetQueries();
    const single = await server.gql(ConcludeOne, { input: { id: b!, outcome: 'SUCCEEDED' } });
    expect(single.concludeTask.applied).toBe(true);
    expect(server.requestQueries()).toEqual(batched);
    const refused = await server.gql(ConcludeOne, { input: { id: b!, outcome: 'SUCCEEDED' } });
    expect(refused.concludeTask).toEqual({ applied: false, errors: [{ index: null, code: 'INVALID_STATE' }] });
  });
});

describe('concludeTasks: delayed conclusions land on time', () => {
  it('every due moment wakes the sweeper: several delays in one batch, and an earlier one asked for later', async () => {
    const [a, b, c] = await looseTasks(server, [{ status: 'RUNNING' }, { status: 'RUNNING' }, { status: 'RUNNING' }]);
    const started = Date.now();
    // One batch with two delays, then another call whose conclusion is due before the batch's later one.
    await server.gql(ConcludeManyLean, {
      input: { tasks: [{ id: a!, outcome: 'SUCCEEDED', delayMs: 400 }, { id: b!, outcome: 'SUCCEEDED', delayMs: 1_200 }] },
    });
    await server.gql(ConcludeManyLean, { input: { tasks: [{ id: c!, outcome: 'FAILED', delayMs: 200 }] } });
    const landedAt = new Map<string, number>();
    await waitFor(
      async () => {
        for (const [id, state] of await taskStates(server, [a!, b!, c!])) {
          if (state.status !== 'RUNNING' && !landedAt.has(id)) landedAt.set(id, Date.now() - started);
        }
        return landedAt.size;
      },
      (n) => n === 3,
      10_000,
    );
    // The sweep interval is 60 s: each one landed because the sweeper was woken for it.
    expect(landedAt.get(c!)).toBeGreaterThanOrEqual(190);
    expect(landedAt.get(a!)).toBeGreaterThanOrEqual(390);
    expect(landedAt.get(b!)).toBeGreaterThanOrEqual(1_190);
    for (const id of [a!, b!, c!]) expect(landedAt.get(id)).toBeLessThan(5_000);
    expect(Object.fromEntries([...(await taskStates(server, [a!, b!, c!]))].map(([id, s]) => [id, s.status]))).toEqual({
      [a!]: 'COMPLETED',
      [b!]: 'COMPLETED',
      [c!]: 'FAILED',
    });
  });
});
