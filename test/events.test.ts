import { sql } from 'drizzle-orm';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction, queryRows } from '../src/db/database.ts';
import { graphql } from '../src/gql/index.ts';
import { EventHub } from '../src/events/hub.ts';
import { openTaskEventStream, StreamEnd } from '../src/events/streams.ts';
import { pruneEvents } from '../src/sql/events.ts';
import { recordProgress } from '../src/sql/progress.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { changeStatuses, settleEventLog, sseSubscribe, taskLogEnd, wsClient, wsSubscribe } from './support/subscriptions.ts';
import { waitFor } from './support/waitFor.ts';

const RunTasks = graphql(`
  mutation EventsRunTasks($input: RunTasksInput!) {
    runTasks(input: $input) { ids }
  }
`);

const SubmitJob = graphql(`
  mutation EventsSubmitJob($input: SubmitJobInput!) {
    submitJob(input: $input) { job { id } }
  }
`);

const Page = graphql(`
  query EventsPage($filter: TaskEventFilter, $first: Int, $after: String) {
    taskEvents(filter: $filter, first: $first, after: $after) {
      edges { cursor node { cursor kind taskId status progress at task { id name } } }
      nodes { cursor }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`);

const TaskLogs = graphql(`
  query EventsTaskLogs($ids: [ID!], $first: Int, $after: String) {
    tasks(filter: { ids: $ids }, first: 500) {
      nodes { id events(first: $first, after: $after) { nodes { kind taskId } pageInfo { hasNextPage endCursor } } }
    }
  }
`);

const Progress = print(
  graphql(`
    subscription EventsProgress($filter: TaskEventFilter, $after: String) {
      taskEvents(filter: $filter, after: $after) { kind taskId progress status task { progress message } }
    }
  `),
);

let server: TestServer;
beforeAll(async () => {
  // Sweeps run when a test asks for one: a periodic sweep could prune the rows the retention test
  // has just aged before that test prunes them itself (it then found nothing left to delete).
  server = await startTestServer({ config: { sweepIntervalMs: 3_600_000 } });
});
afterAll(async () => {
  await server?.stop();
});

const db = () => server.app.services.database.db;

async function run(names: string[]): Promise<string[]> {
  const { runTasks } = await server.gql(RunTasks, { input: { tasks: names.map((name) => ({ name })) } });
  return runTasks!.ids as string[];
}

describe('the taskEvents query', () => {
  it('pages through the log in order with stable cursors', async () => {
    const start = await taskLogEnd(server);
    const ids = await run(['a', 'b', 'c', 'd', 'e']);
    await settleEventLog(db());
    const first = (await server.gql(Page, { first: 2, after: start })).taskEvents!;
    expect(first.edges.map((e) => [e.node.kind, e.node.taskId, e.node.status, e.node.task?.name])).toEqual([
      ['CREATED', ids[0], 'QUEUED', 'a'],
      ['CREATED', ids[1], 'QUEUED', 'b'],
    ]);
    expect(first.edges.map((e) => e.cursor)).toEqual(first.edges.map((e) => e.node.cursor));
    expect(first.nodes.map((n) => n.cursor)).toEqual(first.edges.map((e) => e.cursor));
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: start !== null, endCursor: first.edges[1]!.cursor });
    const rest = (await server.gql(Page, { first: 10, after: first.pageInfo.endCursor })).taskEvents!;
    expect(rest.edges.map((e) => e.node.taskId)).toEqual(ids.slice(2));
    expect(rest.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const empty = (await server.gql(Page, { first: 10, after: rest.pageInfo.endCursor })).taskEvents!;
    expect(empty.edges).toEqual([]);
    expect(empty.pageInfo).toMatchObject({ hasNextPage: false, startCursor: null, endCursor: null });
  });

  it('rejects bad cursors and page sizes with clear errors', async () => {
    const bad = await server.request(Page, { after: 'bm9wZQ' });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0]?.message).toMatch(/Invalid cursor/);
    const big = await server.request(Page, { first: 501 });
    expect(big.errors?.[0]?.message).toMatch(/page limit of 500/);
    const many = await server.request(Page, { filter: { taskIds: Array.from({ length: 10_001 }, () => 'x') } });
    expect(many.errors?.[0]?.message).toMatch(/batch limit of 10000/);
  });

  it('Task.events loads the logs of a whole page of tasks in one statement', async () => {
    const ids = await run(Array.from({ length: 30 }, (_, i) => `many-${i}`));
    await changeStatuses(db(), ids, 'RUNNING');
    await changeStatuses(db(), ids.slice(0, 10), 'COMPLETED');
    await settleEventLog(db());
    server.resetQueries();
    const { tasks } = await server.gql(TaskLogs, { ids, first: 2 });
    // (The event hub reads task_events in the background too; its reads are the ones without a window.)
    const perTaskQueries = server.queries.filter((q) => q.includes('"task_events"') && q.includes('PARTITION BY'));
    expect(perTaskQueries).toHaveLength(1);
    const byId = new Map(tasks!.nodes.map((t) => [t.id, t.events]));
    for (const [i, id] of ids.entries()) {
      const events = byId.get(id)!;
      expect(events.nodes.map((e) => e.kind)).toEqual(['CREATED', 'STATUS_CHANGED']);
      expect(events.nodes.every((e) => e.taskId === id)).toBe(true);
      expect(events.pageInfo.hasNextPage).toBe(i < 10);
    }
    // The next page of one task's log, from its end cursor.
    const { tasks: next } = await server.gql(TaskLogs, { ids: [ids[0]!], first: 5, after: byId.get(ids[0]!)!.pageInfo.endCursor });
    expect(next!.nodes[0]!.events.nodes.map((e) => e.kind)).toEqual(['STATUS_CHANGED']);
  });
});

describe('retention', () => {
  it('prunes old events as a prefix of the log; older cursors get CURSOR_EXPIRED everywhere', async () => {
    for (const name of ['old-job-1', 'old-job-2']) await server.gql(SubmitJob, { input: { name, tasks: [{ name }] } });
    await run(['old-1', 'old-2', 'old-3']);
    await settleEventLog(db());
    const all = (await server.gql(Page, { first: 500 })).taskEvents!;
    const before = await taskLogEnd(server);
    const keepFrom = all.edges.at(-2)!.node; // the last two events stay young
    await db().execute(sql`UPDATE task_events SET at = now() - interval '8 days'`);
    await db().execute(sql`UPDATE task_events SET at = now() WHERE id >= (
      SELECT id FROM task_events ORDER BY txid DESC, id DESC OFFSET 1 LIMIT 1)`);
    await server.app.services.sweeper.sweep();
    const left = (await server.gql(Page, { first: 500 })).taskEvents!;
    expect(left.edges.map((e) => e.cursor)).toEqual(all.edges.slice(-2).map((e) => e.cursor));
    expect(left.edges[0]!.node.cursor).toBe(keepFrom.cursor);

    const expired = all.edges.at(-4)!.cursor;
    const page = await server.request(Page, { after: expired });
    expect(page.errors?.[0]?.extensions?.code).toBe('CURSOR_EXPIRED');
    expect(page.errors?.[0]?.message).toMatch(/older than the retained event log/);
    const client = wsClient(server.wsUrl);
    try {
      for (const stream of [wsSubscribe(client, Progress, { after: expired }), sseSubscribe(server.url, Progress, { after: expired })]) {
        const result = await stream.next();
        expect(result.errors?.[0]?.extensions?.code).toBe('CURSOR_EXPIRED');
        await stream.close();
      }
      // The oldest retained cursor still resumes.
      const ok = await server.request(Page, { after: left.edges[0]!.cursor });
      expect(ok.errors).toBeUndefined();
      expect(ok.data!.taskEvents!.edges.map((e) => e.cursor)).toEqual([before]);
    } finally {
      await client.dispose();
    }

    // When everything is old, the newest event stays as the anchor that cursors are checked against.
    await db().execute(sql`UPDATE task_events SET at = now() - interval '8 days'`);
    await db().execute(sql`UPDATE job_events SET at = now() - interval '8 days'`);
    const deleted = await pruneEvents(db(), new Date(Date.now() - 7 * 24 * 3600 * 1000));
    expect(deleted).toBeGreaterThan(0);
    const [counts] = await queryRows<{ tasks: number; jobs: number }>(
      db(),
      sql`SELECT (SELECT count(*)::int FROM task_events) AS tasks, (SELECT count(*)::int FROM job_events) AS jobs`,
    );
    expect(counts).toEqual({ tasks: 1, jobs: 1 });
    const anchor = (await server.gql(Page, { first: 5 })).taskEvents!;
    expect(anchor.edges.map((e) => e.cursor)).toEqual([before]);
    expect((await server.request(Page, { after: keepFrom.cursor })).errors?.[0]?.extensions?.code).toBe('CURSOR_EXPIRED');
  });
});

describe('progress events', () => {
  it('records progress set-based and throttles PROGRESS events per task, keeping the trailing value', async () => {
    const [running, other, queued] = await run(['p-run', 'p-other', 'p-queued']);
    await changeStatuses(db(), [running!, other!], 'RUNNING');
    const client = wsClient(server.wsUrl);
    const stream = wsSubscribe<{ taskEvents: { kind: string; taskId: string; progress: number; task: { progress: number; message: string } } }>(
      client,
      Progress,
      { filter: { kinds: ['PROGRESS'] } },
    );
    await waitFor(() => server.app.services.events.listenerCount('task'), (n) => n === 1, 5_000, 'the feed');
    try {
      const report = (updates: Parameters<typeof recordProgress>[1], intervalMs?: number) =>
        inTransaction(db(), (tx) => recordProgress(tx, updates, intervalMs));

      server.resetQueries();
      const first = await report([
        { taskId: running!, progress: 0.1, message: 'warming up' },
        { taskId: other!, progress: 0.5 },
        { taskId: queued!, progress: 0.9 },
      ]);
      expect(server.queries.filter((q) => q.includes('recordProgress'))).toHaveLength(1);
      expect(new Set(first.updatedIds)).toEqual(new Set([running, other])); // a QUEUED task is not being worked on
      expect(first.events).toBe(2);
      const got = (await stream.take(2)).map((d) => d.taskEvents);
      expect(got.map((e) => [e.taskId, e.progress]).sort()).toEqual([[running, 0.1], [other, 0.5]].sort());
      expect(got.find((e) => e.taskId === running)!.task).toEqual({ progress: 0.1, message: 'warming up' });

      // Within the throttle window (a long one here, so that a slow machine cannot leave it): stored, but no event.
      const second = await report([{ taskId: running!, progress: 0.2 }], 60_000);
      expect(second).toEqual({ updatedIds: [running], events: 0 });
      const [row] = await queryRows<{ progress: number; message: string }>(
        db(),
        sql`SELECT progress, message FROM tasks WHERE id = ${running!}`,
      );
      expect(row).toEqual({ progress: 0.2, message: 'warming up' });
      await stream.expectQuiet(50);

      // Outside the window, the value listeners have not seen yet goes out, once.
      // (The throttle window is clock time: only letting it pass leaves it.)
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await report([{ taskId: running!, progress: 0.2, message: null }])).events).toBe(1);
      const [trailing] = await stream.take(1);
      expect(trailing!.taskEvents).toMatchObject({ taskId: running, progress: 0.2, task: { progress: 0.2, message: null } });
      await new Promise((resolve) => setTimeout(resolve, 300)); // the next window, by the clock
      expect((await report([{ taskId: running!, progress: 0.2 }])).events).toBe(0);
      await stream.expectQuiet(100);

      await expect(report([{ taskId: running!, progress: 1.5 }])).rejects.toThrow(/from 0 to 1/);
    } finally {
      await stream.close();
      await client.dispose();
    }
  });

  it('handles a 10,000-task heartbeat in one statement', async () => {
    const ids = (await server.gql(RunTasks, { input: { tasks: Array.from({ length: 10_000 }, (_, i) => ({ name: `bulk-${i}` })) } }))
      .runTasks!.ids as string[];
    await db().execute(sql`UPDATE tasks SET status = 'RUNNING' WHERE name LIKE 'bulk-%'`);
    server.resetQueries();
    const result = await inTransaction(db(), (tx) => recordProgress(tx, ids.map((taskId) => ({ taskId, progress: 0.25 }))));
    expect(result.events).toBe(10_000);
    expect(server.queries.filter((q) => q.includes('recordProgress'))).toHaveLength(1);
  }, 60_000);
});

describe('the event hub', () => {
  it('ends a subscriber that falls too far behind, telling it where to resume', async () => {
    const hub = await EventHub.start(server.app.services.database, server.app.services.log, { maxQueuedPerFeed: 3 });
    try {
      const stream = await openTaskEventStream(hub, db(), { filter: { thread: 'slow' }, after: null });
      const iterator = stream[Symbol.asyncIterator]();
      const first = iterator.next(); // starts the stream: the feed registers
      await waitFor(() => hub.listenerCount('task'), (n) => n === 1, 5_000, 'the feed');
      const { runTasks } = await server.gql(RunTasks, { input: { tasks: [{ name: 's0', thread: 'slow' }] } });
      const delivered = (await first).value as { taskId: string; cursor: unknown };
      expect(delivered.taskId).toBe(runTasks!.ids![0]);
      // Nobody reads now: five more events overflow a queue of three.
      await server.gql(RunTasks, { input: { tasks: Array.from({ length: 5 }, (_, i) => ({ name: `s${i + 1}`, thread: 'slow' })) } });
      await waitFor(() => hub.listenerCount('task'), (n) => n === 0, 5_000, 'the feed to be dropped');
      const end = (await iterator.next()).value;
      expect(end).toBeInstanceOf(StreamEnd);
      const error = (end as StreamEnd).error as { message: string; extensions: Record<string, unknown> };
      expect(error.message).toMatch(/fell too far behind/);
      expect(error.extensions).toMatchObject({ code: 'SUBSCRIBER_TOO_SLOW' });
      expect(typeof error.extensions.lastCursor).toBe('string');
      expect((await iterator.next()).done).toBe(true);
    } finally {
      await hub.close();
    }
  });
});
