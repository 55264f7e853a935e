import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.ts';
import { graphql } from '../src/gql/index.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const SubmitJob = graphql(`
  mutation RunFamilySubmitJob($input: SubmitJobInput!) {
    submitJob(input: $input) {
      applied
      errors { index code message taskId status }
      job { id name priority status suspended taskCounts { total pending queued suspended } }
      tasks { id index name status priority conf thread { name } parent { id } refId open archive auto maxAttempts timeoutMs description }
    }
  }
`);

const RunTasks = graphql(`
  mutation RunFamilyRunTasks($input: RunTasksInput!) {
    runTasks(input: $input) {
      applied
      ids
      errors { index code message taskId status }
      tasks { id index name status job { id } }
    }
  }
`);

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

async function count(table: 'tasks' | 'jobs' | 'task_events' | 'job_events'): Promise<number> {
  const [row] = await queryRows<{ n: number }>(server.db.database.db, sql.raw(`SELECT count(*)::int AS n FROM ${table}`));
  return Number(row!.n);
}

describe('submitJob', () => {
  it('creates a job with indices 0..n-1 and every definition field', async () => {
    const { submitJob } = await server.gql(SubmitJob, {
      input: {
        name: 'render',
        priority: 70,
        tasks: [
          { name: 'a', conf: { frame: 1 }, description: 'first', refId: 'ref-1', open: true, archive: true, auto: true },
          { name: 'b', thread: 'lane', maxAttempts: 5, timeoutMs: 1000, priority: 10 },
          { name: 'c', hold: true },
        ],
      },
    });
    expect(submitJob.applied).toBe(true);
    expect(submitJob.errors).toEqual([]);
    expect(submitJob.job).toMatchObject({ name: 'render', priority: 70, status: 'ACTIVE', suspended: false });
    expect(submitJob.job!.taskCounts).toEqual({ total: 3, pending: 1, queued: 2, suspended: 0 });
    expect(submitJob.tasks.map((t) => [t.index, t.name, t.status, t.priority])).toEqual([
      [0, 'a', 'QUEUED', 70],
      [1, 'b', 'QUEUED', 10],
      [2, 'c', 'PENDING', 70],
    ]);
    expect(submitJob.tasks[0]).toMatchObject({ conf: { frame: 1 }, description: 'first', refId: 'ref-1', open: true, archive: true, auto: true });
    expect(submitJob.tasks[1]).toMatchObject({ thread: { name: 'lane' }, maxAttempts: 5, timeoutMs: 1000 });
  });

  it('writes a CREATED event per task and a job event in the same transaction', async () => {
    const before = { events: await count('task_events'), jobEvents: await count('job_events') };
    const { submitJob } = await server.gql(SubmitJob, { input: { name: 'evented', tasks: [{ name: 'x' }, { name: 'y' }] } });
    const rows = await queryRows<{ kind: string; task_id: string; status: string }>(
      server.db.database.db,
      sql`SELECT kind, task_id::text AS task_id, status FROM task_events WHERE job_id = ${submitJob.job!.id} ORDER BY txid, id`,
    );
    expect(rows).toEqual(submitJob.tasks.map((t) => ({ kind: 'CREATED', task_id: t.id, status: 'QUEUED' })));
    expect(await count('task_events')).toBe(before.events + 2);
    expect(await count('job_events')).toBe(before.jobEvents + 1);
  });

  it('starts the tasks of a suspended job SUSPENDED', async () => {
    const { submitJob } = await server.gql(SubmitJob, { input: { name: 's', suspended: true, tasks: [{ name: 'x' }] } });
    expect(submitJob.job).toMatchObject({ status: 'SUSPENDED', suspended: true });
    expect(submitJob.tasks[0]!.status).toBe('SUSPENDED');
  });

  it('rejects the whole batch and lists every invalid definition by index', async () => {
    const before = await count('tasks');
    const { submitJob } = await server.gql(SubmitJob, {
      input: {
        name: 'bad',
        tasks: [
          { name: 'ok' },
          { name: 'arr', conf: [1, 2] },
          { name: 'x'.repeat(201) },
          { name: 'p', priority: 101 },
          { name: 'orphan', parent: '01a20799-2612-7c0b-84ed-e0762a45db99' },
          { name: 'str', conf: 'text' },
          { name: 'big', conf: { blob: 'x'.repeat(70 * 1024) } },
          { name: '' },
          { name: 'ctl\u0001' },
          { name: 'malformed-parent', parent: 'not-an-id' },
        ],
      },
    });
    expect(submitJob.applied).toBe(false);
    expect(submitJob.job).toBeNull();
    expect(submitJob.tasks).toEqual([]);
    expect(submitJob.errors.map((e) => [e.index, e.code])).toEqual([
      [1, 'INVALID_INPUT'],
      [2, 'INVALID_INPUT'],
      [3, 'INVALID_INPUT'],
      [5, 'INVALID_INPUT'],
      [6, 'INVALID_INPUT'],
      [7, 'INVALID_INPUT'],
      [8, 'INVALID_INPUT'],
    ]);
    expect(submitJob.errors.find((e) => e.index === 1)!.message).toMatch(/conf must be a JSON object/);
    expect(submitJob.errors.find((e) => e.index === 2)!.message).toMatch(/200/);
    expect(submitJob.errors.find((e) => e.index === 3)!.message).toMatch(/priority.*0.*100/);
    expect(submitJob.errors.find((e) => e.index === 6)!.message).toMatch(/65536 bytes/);
    expect(await count('tasks')).toBe(before);
  });

  it('reports unknown parents once the definitions are otherwise valid', async () => {
    const { submitJob } = await server.gql(SubmitJob, {
      input: {
        name: 'bad-parent',
        tasks: [{ name: 'a' }, { name: 'orphan', parent: '01a20799-2612-7c0b-84ed-e0762a45db99' }, { name: 'm', parent: 'nope' }],
      },
    });
    expect(submitJob.applied).toBe(false);
    expect(submitJob.errors.map((e) => [e.index, e.code])).toEqual([
      [1, 'INVALID_INPUT'],
      [2, 'INVALID_INPUT'],
    ]);
  });

  it('rejects a job name that breaks the limits as a whole-request error', async () => {
    const result = await server.request(SubmitJob, { input: { name: '', tasks: [] } });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses more than 10,000 definitions with an error naming the limit', async () => {
    const result = await server.request(SubmitJob, {
      input: { name: 'huge', tasks: Array.from({ length: 10_001 }, () => ({ name: 't' })) },
    });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toMatch(/10000/);
  });
});

describe('runTasks', () => {
  it('creates stand-alone tasks, with parents and threads', async () => {
    const first = await server.gql(RunTasks, { input: { tasks: [{ name: 'parent' }] } });
    const parentId = first.runTasks.ids[0]!;
    const { runTasks } = await server.gql(RunTasks, {
      input: { tasks: [{ name: 'child', parent: parentId }, { name: 'child', parent: parentId.toUpperCase(), hold: true }] },
    });
    expect(runTasks.applied).toBe(true);
    expect(runTasks.tasks.map((t) => [t.index, t.status, t.job])).toEqual([
      [null, 'QUEUED', null],
      [null, 'PENDING', null],
    ]);
    expect(runTasks.ids).toEqual(runTasks.tasks.map((t) => t.id));
  });

  it('appends to a job, continuing its numbering', async () => {
    const { submitJob } = await server.gql(SubmitJob, { input: { name: 'grow', tasks: [{ name: 'a' }, { name: 'b' }] } });
    const jobId = submitJob.job!.id;
    const { runTasks } = await server.gql(RunTasks, { input: { jobId, tasks: [{ name: 'c' }, { name: 'd' }] } });
    expect(runTasks.tasks.map((t) => [t.index, t.job?.id])).toEqual([
      [2, jobId],
      [3, jobId],
    ]);
    // Concurrent appends get disjoint, consecutive ranges.
    const results = await Promise.all(
      Array.from({ length: 4 }, () => server.gql(RunTasks, { input: { jobId, tasks: [{ name: 'e' }, { name: 'f' }] } })),
    );
    const indices = results.flatMap((r) => r.runTasks.tasks.map((t) => t.index!)).sort((a, b) => a - b);
    expect(indices).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('answers NOT_FOUND for an unknown or malformed job, creating nothing', async () => {
    const before = await count('tasks');
    for (const jobId of ['01a20799-2612-7c0b-84ed-e0762a45db99', 'garbage']) {
      const { runTasks } = await server.gql(RunTasks, { input: { jobId, tasks: [{ name: 'x' }] } });
      expect(runTasks.applied).toBe(false);
      expect(runTasks.errors).toMatchObject([{ code: 'NOT_FOUND', index: null, taskId: null }]);
    }
    expect(await count('tasks')).toBe(before);
  });

  it('returns the first result again for a repeated idempotency key', async () => {
    const input = { idempotencyKey: 'key-1', tasks: [{ name: 'once' }, { name: 'twice' }] };
    const first = await server.gql(RunTasks, { input });
    const before = await count('tasks');
    const again = await server.gql(RunTasks, { input });
    expect(again.runTasks.ids).toEqual(first.runTasks.ids);
    expect(again.runTasks.applied).toBe(true);
    expect(await count('tasks')).toBe(before);
    // Concurrent first calls with a new key create the tasks once.
    const racing = await Promise.all(
      Array.from({ length: 5 }, () => server.gql(RunTasks, { input: { idempotencyKey: 'key-race', tasks: [{ name: 'r' }] } })),
    );
    expect(new Set(racing.map((r) => r.runTasks.ids[0])).size).toBe(1);
    expect(await count('tasks')).toBe(before + 1);
  });

  it('does not record a key for a rejected submission', async () => {
    const bad = await server.gql(RunTasks, { input: { idempotencyKey: 'key-bad', tasks: [{ name: 'x', priority: -1 }] } });
    expect(bad.runTasks.applied).toBe(false);
    const good = await server.gql(RunTasks, { input: { idempotencyKey: 'key-bad', tasks: [{ name: 'x', priority: 1 }] } });
    expect(good.runTasks.applied).toBe(true);
  });

  it('refuses a key that another operation used, as any other request with the key, creating nothing', async () => {
    await server.gql(SubmitJob, { input: { name: 'j', idempotencyKey: 'shared-key', tasks: [{ name: 'x' }] } });
    const before = await count('tasks');
    const { runTasks } = await server.gql(RunTasks, { input: { idempotencyKey: 'shared-key', tasks: [{ name: 'x' }] } });
    expect(runTasks).toMatchObject({ applied: false, ids: [], tasks: [] });
    expect(runTasks.errors).toEqual([
      { index: null, taskId: null, status: null, code: 'INVALID_INPUT', message: expect.stringMatching(/idempotencyKey "shared-key" was already used for a submitJob request/) },
    ]);
    expect(await count('tasks')).toBe(before);
  });

  it('refuses a key reused with different input, creating nothing (runTasks and submitJob)', async () => {
    const first = await server.gql(RunTasks, { input: { idempotencyKey: 'key-in', tasks: [{ name: 'a', conf: { frame: 1 } }] } });
    const job = await server.gql(SubmitJob, { input: { name: 'j', idempotencyKey: 'key-job', tasks: [{ name: 'a' }] } });
    const before = { tasks: await count('tasks'), jobs: await count('jobs'), events: await count('task_events') };
    const otherRun = await server.gql(RunTasks, { input: { idempotencyKey: 'key-in', tasks: [{ name: 'a', conf: { frame: 2 } }] } });
    const otherJob = await server.gql(SubmitJob, { input: { name: 'j', priority: 9, idempotencyKey: 'key-job', tasks: [{ name: 'a' }] } });
    for (const payload of [otherRun.runTasks, otherJob.submitJob]) {
      expect(payload.applied).toBe(false);
      expect(payload.tasks).toEqual([]);
      expect(payload.errors).toEqual([
        {
          index: null,
          taskId: null,
          status: null,
          code: 'INVALID_INPUT',
          message: expect.stringMatching(/^idempotencyKey "key-(in|job)" was already used for another (runTasks|submitJob) request \(different input\)/),
        },
      ]);
    }
    expect(otherJob.submitJob.job).toBeNull();
    expect({ tasks: await count('tasks'), jobs: await count('jobs'), events: await count('task_events') }).toEqual(before);
    // The first request is still the key's: repeating it returns its result.
    const again = await server.gql(RunTasks, { input: { idempotencyKey: 'key-in', tasks: [{ name: 'a', conf: { frame: 1 } }] } });
    expect(again.runTasks).toMatchObject({ applied: true, ids: first.runTasks.ids, errors: [] });
    const jobAgain = await server.gql(SubmitJob, { input: { name: 'j', idempotencyKey: 'key-job', tasks: [{ name: 'a' }] } });
    expect(jobAgain.submitJob.job!.id).toBe(job.submitJob.job!.id);
  });

  it('takes the same request with its keys in another order as the same request', async () => {
    const input = { tasks: [{ name: 'k', conf: { b: 2, a: { y: 1, x: [1, { q: 1, p: 2 }] } }, priority: 3 }], idempotencyKey: 'key-order' };
    const first = await server.gql(RunTasks, { input });
    const before = await count('tasks');
    const reordered = {
      idempotencyKey: 'key-order',
      tasks: [{ priority: 3, conf: { a: { x: [1, { p: 2, q: 1 }], y: 1 }, b: 2 }, name: 'k' }],
    };
    const again = await server.gql(RunTasks, { input: reordered });
    expect(again.runTasks).toMatchObject({ applied: true, ids: first.runTasks.ids, errors: [] });
    expect(await count('tasks')).toBe(before);
    // Array order is part of the request: the same items in another order are another request.
    const swapped = await server.gql(RunTasks, {
      input: { idempotencyKey: 'key-order', tasks: [{ name: 'k', conf: { b: 2, a: { y: 1, x: [{ q: 1, p: 2 }, 1] } }, priority: 3 }] },
    });
    expect(swapped.runTasks.errors.map((e) => e.code)).toEqual(['INVALID_INPUT']);
  });

  it('inserts 10,000 definitions in one call with a constant number of statements', async () => {
    server.resetQueries();
    const tasks = Array.from({ length: 10_000 }, (_, i) => ({ name: 'bulk', conf: { i } }));
    const { submitJob } = await server.gql(
      graphql(`
        mutation RunFamilyBulk($input: SubmitJobInput!) {
          submitJob(input: $input) { applied job { taskCounts { total } } }
        }
      `),
      { input: { name: 'bulk', tasks } },
    );
    expect(submitJob.applied).toBe(true);
    expect(submitJob.job!.taskCounts.total).toBe(10_000);
    expect(server.requestQueries().length).toBeLessThan(20);
  });
});
