import { print } from 'graphql';
import type { Client } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../src/gql/index.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import {
  changeStatuses,
  deleteTasks,
  settleEventLog,
  sseSubscribe,
  taskLogEnd,
  wsClient,
  wsSubscribe,
  type Stream,
} from './support/subscriptions.ts';
import { waitFor } from './support/waitFor.ts';

const RunTasks = graphql(`
  mutation SubsRunTasks($input: RunTasksInput!) {
    runTasks(input: $input) { ids }
  }
`);

const SubmitJob = graphql(`
  mutation SubsSubmitJob($input: SubmitJobInput!) {
    submitJob(input: $input) { job { id } tasks { id } }
  }
`);

const EventLog = graphql(`
  query SubsEventLog($filter: TaskEventFilter, $first: Int, $after: String) {
    taskEvents(filter: $filter, first: $first, after: $after) {
      nodes { cursor kind taskId jobId thread previousStatus status }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

const TaskEvents = print(
  graphql(`
    subscription SubsTaskEvents($filter: TaskEventFilter, $after: String) {
      taskEvents(filter: $filter, after: $after) {
        cursor kind taskId jobId thread previousStatus status progress at
        task { id name status }
      }
    }
  `),
);

const StatusChanged = print(
  graphql(`
    subscription SubsStatusChanged($filter: TaskEventFilter, $after: String) {
      taskStatusChanged(filter: $filter, after: $after) { cursor kind taskId previousStatus status }
    }
  `),
);

const JobStatusChanged = print(
  graphql(`
    subscription SubsJobStatusChanged($jobId: ID, $after: String) {
      jobStatusChanged(jobId: $jobId, after: $after) { cursor jobId previousStatus status job { id name } }
    }
  `),
);

interface EventData {
  cursor: string;
  kind: string;
  taskId: string;
  jobId: string | null;
  thread: string | null;
  previousStatus: string | null;
  status: string | null;
  task?: { id: string; name: string; status: string } | null;
}
type TaskEventsData = { taskEvents: EventData };

let server: TestServer;
let client: Client;
const open: Stream<any>[] = [];

beforeAll(async () => {
  server = await startTestServer();
  client = wsClient(server.wsUrl);
});
afterEach(async () => {
  for (const stream of open.splice(0)) await stream.close();
  // Every subscription a test opened must have let go of its hub feed.
  await waitFor(() => server.app.services.events.listenerCount(), (n) => n === 0, 5_000, 'feeds to be released');
});
afterAll(async () => {
  await client?.dispose();
  await server?.stop();
});

function track<T>(stream: Stream<T>): Stream<T> {
  open.push(stream);
  return stream;
}

type Transport = 'ws' | 'sse';
function subscribe<T = TaskEventsData>(transport: Transport, query: string, variables: Record<string, unknown> = {}): Stream<T> {
  return track(transport === 'ws' ? wsSubscribe<T>(client, query, variables) : sseSubscribe<T>(server.url, query, variables));
}

/** The whole log after a cursor (following pages), as the polling query serves it. */
async function log(filter: Record<string, unknown> | null, after: string | null): Promise<EventData[]> {
  await settleEventLog(db());
  const out: EventData[] = [];
  let cursor = after;
  for (;;) {
    const { taskEvents } = await server.gql(EventLog, { filter, first: 500, after: cursor });
    out.push(...(taskEvents.nodes as EventData[]));
    if (!taskEvents.pageInfo.hasNextPage) return out;
    cursor = taskEvents.pageInfo.endCursor ?? null;
  }
}

async function run(names: string[], extra: Record<string, unknown> = {}): Promise<string[]> {
  const { runTasks } = await server.gql(RunTasks, { input: { tasks: names.map((name) => ({ name, ...extra })) } });
  return runTasks!.ids as string[];
}

const db = () => server.app.services.database.db;
const hub = () => server.app.services.events;

describe.each(['ws', 'sse'] as const)('taskEvents over %s', (transport) => {
  it('is live from now without `after`, and resolves the task as it is now', async () => {
    await run(['before']);
    const stream = subscribe(transport, TaskEvents);
    await waitFor(() => hub().listenerCount('task'), (n) => n === 1, 5_000, 'the feed');
    const ids = await run(['one', 'two']);
    const got = (await stream.take(2)).map((d) => d.taskEvents);
    expect(got.map((e) => [e.kind, e.taskId, e.status, e.task?.name])).toEqual([
      ['CREATED', ids[0], 'QUEUED', 'one'],
      ['CREATED', ids[1], 'QUEUED', 'two'],
    ]);
    await changeStatuses(db(), [ids[0]!], 'RUNNING');
    const [running] = await stream.take(1);
    expect(running!.taskEvents).toMatchObject({ kind: 'STATUS_CHANGED', previousStatus: 'QUEUED', status: 'RUNNING' });
    expect(running!.taskEvents.task?.status).toBe('RUNNING');
    await deleteTasks(db(), [ids[1]!]);
    const [deleted] = await stream.take(1);
    expect(deleted!.taskEvents).toMatchObject({ kind: 'DELETED', taskId: ids[1], task: null });
    await stream.expectQuiet(100);
  });

  it('filters by ids, job, thread, kinds and statuses — live and replayed alike', async () => {
    const start = await taskLogEnd(server);
    const filters: Record<string, Record<string, unknown>> = {};
    // Live subscriptions (registered before the changes: served by the hub's in-memory filters).
    const live: Record<string, Stream<TaskEventsData>> = {};
    const { submitJob } = await server.gql(SubmitJob, { input: { name: 'filters', tasks: [{ name: 'j0' }, { name: 'j1', thread: 'lane-f' }] } });
    const jobId = submitJob!.job!.id as string;
    const jobTasks = submitJob!.tasks!.map((t) => t.id as string);
    const loose = await run(['l0', 'l1', 'l2']);
    const threaded = await run(['t0', 't1'], { thread: 'lane-f' });
    filters.ids = { taskIds: [loose[0], threaded[1], 'not-a-uuid'] };
    filters.job = { jobId };
    filters.thread = { thread: 'lane-f' };
    filters.kinds = { kinds: ['STATUS_CHANGED', 'DELETED'] };
    filters.statuses = { statuses: ['RUNNING', 'FAILED'] };
    filters.combined = { jobId, kinds: ['STATUS_CHANGED'], statuses: ['COMPLETED'] };
    filters.none = { jobId: 'nonsense' };
    const afterSetup = await taskLogEnd(server);
    for (const [name, filter] of Object.entries(filters)) live[name] = subscribe(transport, TaskEvents, { filter });
    await waitFor(() => hub().listenerCount('task'), (n) => n === Object.keys(filters).length, 5_000, 'the feeds');

    await changeStatuses(db(), [...jobTasks, loose[0]!, threaded[0]!], 'RUNNING');
    await changeStatuses(db(), [jobTasks[0]!, threaded[0]!], 'COMPLETED');
    await changeStatuses(db(), [jobTasks[1]!, loose[1]!, threaded[1]!], 'FAILED');
    await deleteTasks(db(), [loose[2]!, threaded[1]!]);

    for (const [name, filter] of Object.entries(filters)) {
      const expected = await log(filter, afterSetup);
      const got = (await live[name]!.take(expected.length)).map((d) => d.taskEvents.cursor);
      expect(got, `live ${name}`).toEqual(expected.map((e) => e.cursor));
      // Replayed from the log (the SQL form of the filter), from before the tasks existed.
      const replay = subscribe(transport, TaskEvents, { filter, after: start });
      const all = await log(filter, start);
      const replayed = (await replay.take(all.length)).map((d) => d.taskEvents.cursor);
      expect(replayed, `replayed ${name}`).toEqual(all.map((e) => e.cursor));
      await replay.expectQuiet(0);
    }
    // Spot checks of what the filters mean, so that a wrong filter cannot pass by agreeing with itself.
    expect(new Set((await log(filters.ids!, start)).map((e) => e.taskId))).toEqual(new Set([loose[0], threaded[1]]));
    expect((await log(filters.job!, start)).every((e) => e.jobId === jobId)).toBe(true);
    expect((await log(filters.thread!, start)).map((e) => e.taskId)).toEqual(
      expect.arrayContaining([jobTasks[1], threaded[0], threaded[1]]),
    );
    expect(new Set((await log(filters.kinds!, start)).map((e) => e.kind))).toEqual(new Set(['STATUS_CHANGED', 'DELETED']));
    expect(new Set((await log(filters.statuses!, start)).map((e) => e.status))).toEqual(new Set(['RUNNING', 'FAILED']));
    expect((await log(filters.combined!, start)).map((e) => e.taskId)).toEqual([jobTasks[0]]);
    expect(await log(filters.none!, start)).toEqual([]);
    for (const stream of Object.values(live)) await stream.expectQuiet(0);
  });

  it('replays after a cursor, then goes live with no gap and no duplicate', async () => {
    const start = await taskLogEnd(server);
    const ids = await run(['r0', 'r1', 'r2']);
    await changeStatuses(db(), ids, 'RUNNING');
    const stream = subscribe(transport, TaskEvents, { after: start });
    const replayed = (await stream.take(6)).map((d) => d.taskEvents);
    expect(replayed.map((e) => e.kind)).toEqual(['CREATED', 'CREATED', 'CREATED', 'STATUS_CHANGED', 'STATUS_CHANGED', 'STATUS_CHANGED']);
    await changeStatuses(db(), ids, 'COMPLETED');
    const live = (await stream.take(3)).map((d) => d.taskEvents);
    expect(live.map((e) => [e.taskId, e.status])).toEqual(ids.map((id) => [id, 'COMPLETED']));
    expect([...replayed, ...live].map((e) => e.cursor)).toEqual((await log(null, start)).map((e) => e.cursor));
    await stream.expectQuiet(100);
  });

  it('disconnect, changes while away, reconnect with the last cursor: every missed event once, in order', async () => {
    const start = await taskLogEnd(server);
    const ids = await run(['d0', 'd1']);
    const first = subscribe(transport, TaskEvents, { after: start });
    const seen = (await first.take(2)).map((d) => d.taskEvents.cursor);
    await first.close();
    await waitFor(() => hub().listenerCount(), (n) => n === 0, 5_000, 'the feed to be released');

    await changeStatuses(db(), ids, 'RUNNING');
    const more = await run(['d2']);
    await changeStatuses(db(), [ids[0]!], 'FAILED');

    const second = subscribe(transport, TaskEvents, { after: seen.at(-1) });
    const missed = (await second.take(4)).map((d) => d.taskEvents);
    expect(missed.map((e) => [e.kind, e.taskId])).toEqual([
      ['STATUS_CHANGED', ids[0]],
      ['STATUS_CHANGED', ids[1]],
      ['CREATED', more[0]],
      ['STATUS_CHANGED', ids[0]],
    ]);
    await changeStatuses(db(), [ids[1]!], 'COMPLETED');
    const [next] = await second.take(1);
    expect(next!.taskEvents).toMatchObject({ taskId: ids[1], status: 'COMPLETED' });
    expect([...seen, ...missed.map((e) => e.cursor), next!.taskEvents.cursor]).toEqual(
      (await log(null, start)).map((e) => e.cursor),
    );
    await second.expectQuiet(100);
  });

  it('taskStatusChanged carries STATUS_CHANGED events only, with the filter applied', async () => {
    const start = await taskLogEnd(server);
    const ids = await run(['s0', 's1']);
    await changeStatuses(db(), ids, 'RUNNING');
    await deleteTasks(db(), [ids[0]!]);
    const stream = subscribe<{ taskStatusChanged: EventData }>(transport, StatusChanged, {
      after: start,
      filter: { taskIds: [ids[1]] },
    });
    const [only] = await stream.take(1);
    expect(only!.taskStatusChanged).toMatchObject({ kind: 'STATUS_CHANGED', taskId: ids[1], previousStatus: 'QUEUED', status: 'RUNNING' });
    await stream.expectQuiet(100);
    const none = subscribe<{ taskStatusChanged: EventData }>(transport, StatusChanged, { after: start, filter: { kinds: ['CREATED'] } });
    await none.expectQuiet(150);
  });

  it('jobStatusChanged follows a job through its derived statuses', async () => {
    const start = await taskLogEnd(server);
    const jobStart = await (async () => {
      const stream = subscribe<{ jobStatusChanged: { cursor: string } }>(transport, JobStatusChanged, {});
      await waitFor(() => hub().listenerCount('job'), (n) => n === 1, 5_000, 'the job feed');
      const { submitJob } = await server.gql(SubmitJob, { input: { name: 'probe', tasks: [{ name: 'p' }] } });
      const [event] = await stream.take(1);
      await stream.close();
      return { cursor: event!.jobStatusChanged.cursor, jobId: submitJob!.job!.id };
    })();
    const { submitJob } = await server.gql(SubmitJob, { input: { name: 'watched', tasks: [{ name: 'w0' }, { name: 'w1' }] } });
    const jobId = submitJob!.job!.id;
    const taskIds = submitJob!.tasks!.map((t) => t.id as string);
    const stream = subscribe<{ jobStatusChanged: any }>(transport, JobStatusChanged, { jobId, after: jobStart.cursor });
    const [created] = await stream.take(1);
    expect(created!.jobStatusChanged).toMatchObject({ jobId, previousStatus: null, status: 'ACTIVE', job: { id: jobId, name: 'watched' } });
    await changeStatuses(db(), [taskIds[0]!], 'RUNNING'); // still ACTIVE: no job event
    await changeStatuses(db(), taskIds, 'COMPLETED');
    const [completed] = await stream.take(1);
    expect(completed!.jobStatusChanged).toMatchObject({ jobId, previousStatus: 'ACTIVE', status: 'COMPLETED' });
    await stream.expectQuiet(100);
    expect(start).not.toBeUndefined();
  });

  it('a cursor older than the retained log is a clear error', async () => {
    const stream = subscribe(transport, TaskEvents, { after: 'ZTowOjA' /* e:0:0, before any event */ });
    const result = await stream.next();
    expect(result.errors?.[0]?.message).toMatch(/older than the retained event log/);
    expect(result.errors?.[0]?.extensions?.code).toBe('CURSOR_EXPIRED');
    const bad = subscribe(transport, TaskEvents, { after: 'garbage' });
    expect((await bad.next()).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('transports', () => {
  it('closing a subscription frees its hub feed, on both transports', async () => {
    for (const transport of ['ws', 'sse'] as const) {
      const stream = subscribe(transport, TaskEvents, { filter: { thread: 'nobody' } });
      await waitFor(() => hub().listenerCount('task'), (n) => n === 1, 5_000, `${transport} feed`);
      await stream.close();
      await waitFor(() => hub().listenerCount('task'), (n) => n === 0, 5_000, `${transport} feed to be released`);
    }
  });

  it('SSE sends keep-alive comments while idle', async () => {
    const stream = subscribe('sse', TaskEvents, { filter: { thread: 'quiet' } });
    await waitFor(() => stream.pings, (n) => n >= 2, 5_000, 'two pings');
  });

  it('graphql-ws answers protocol pings (client keep-alive)', async () => {
    const { createClient } = await import('graphql-ws');
    const { default: WebSocket } = await import('ws');
    let pongs = 0;
    const pinging = createClient({
      url: server.wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      keepAlive: 50,
      on: { pong: () => void pongs++ },
    });
    try {
      await waitFor(() => pongs, (n) => n >= 2, 5_000, 'pongs');
    } finally {
      await pinging.dispose();
    }
  });

  it('a change sent to one instance reaches a subscriber on another instance of the same database', async () => {
    const other = await startTestServer({ db: server.db });
    const otherClient = wsClient(other.wsUrl);
    try {
      const viaWs = wsSubscribe<TaskEventsData>(otherClient, TaskEvents, { filter: { thread: 'cross' } });
      const viaSse = sseSubscribe<TaskEventsData>(other.url, TaskEvents, { filter: { thread: 'cross' } });
      await waitFor(() => other.app.services.events.listenerCount('task'), (n) => n === 2, 5_000, 'feeds on the other instance');
      const ids = await run(['x0'], { thread: 'cross' }); // sent to the first instance
      await changeStatuses(db(), ids, 'RUNNING');
      for (const stream of [viaWs, viaSse]) {
        const got = (await stream.take(2)).map((d) => d.taskEvents);
        expect(got.map((e) => [e.kind, e.taskId, e.task?.name])).toEqual([
          ['CREATED', ids[0], 'x0'],
          ['STATUS_CHANGED', ids[0], 'x0'],
        ]);
        await stream.close();
      }
    } finally {
      await otherClient.dispose();
      await other.stop();
    }
  });

  it('stopping the server completes open subscriptions', async () => {
    const other = await startTestServer({ db: server.db });
    const otherClient = wsClient(other.wsUrl);
    const ws = wsSubscribe(otherClient, TaskEvents, {});
    const sse = sseSubscribe(other.url, TaskEvents, {});
    await waitFor(() => other.app.services.events.listenerCount(), (n) => n === 2, 5_000, 'both feeds');
    await other.stop();
    await ws.waitDone();
    await sse.waitDone();
    await otherClient.dispose();
  });
});
