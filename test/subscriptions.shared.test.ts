import { sql } from 'drizzle-orm';
import type { Client } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction, notifyEvents } from '../src/db/database.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { settleEventLog, sseSubscribe, wsClient, wsSubscribe, type Stream } from './support/subscriptions.ts';
import { waitFor } from './support/waitFor.ts';

/**
 * Shared live delivery (src/transport/liveGroups.ts): graphql-ws subscriptions that run the same operation
 * with the same role share one execution per event, and each still gets exactly its own events.
 */

const Events = 'subscription SharedEvents($filter: TaskEventFilter, $after: String) { taskEvents(filter: $filter, after: $after) { cursor thread progress } }';
const Log = 'query SharedLog($after: String, $filter: TaskEventFilter) { taskEvents(after: $after, filter: $filter, first: 500) { nodes { cursor thread } } }';

type EventsData = { taskEvents: { cursor: string; thread: string | null; progress: number | null } };
const TASK = '01900000-0000-7000-8000-0000000000aa';

let server: TestServer;
let admin: string;
const clients: Client[] = [];
const open: Stream<EventsData>[] = [];

async function createToken(name: string, role: string): Promise<string> {
  const data = await server.gql<{ createApiToken: { token: string } }, unknown>(
    `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }`,
    { input: { name, role } },
    { token: admin },
  );
  return data.createApiToken.token;
}

function client(token: string): Client {
  const c = wsClient(server.wsUrl, { authorization: `Bearer ${token}` });
  clients.push(c);
  return c;
}

function subscribe(c: Client, variables: Record<string, unknown> = {}): Stream<EventsData> {
  const stream = wsSubscribe<EventsData>(c, Events, variables);
  open.push(stream);
  return stream;
}

/** One transaction writing `rows` PROGRESS events on `thread`, and its NOTIFY. */
async function write(thread: string, rows = 1): Promise<void> {
  await inTransaction(server.app.services.database.db, async (tx) => {
    await tx.execute(sql`INSERT INTO task_events (kind, task_id, thread, progress)
                         SELECT 'PROGRESS', ${TASK}, ${thread}, n FROM generate_series(1, ${rows}) AS n`);
    await notifyEvents(tx);
  });
}

/** The cursors of the log after `after` (on `thread` when given), as the polling query serves them. */
async function log(after: string | null, thread?: string): Promise<string[]> {
  await settleEventLog(server.app.services.database.db);
  const data = await server.gql<{ taskEvents: { nodes: { cursor: string }[] } }, unknown>(
    Log,
    { after, filter: thread ? { thread } : null },
    { token: admin },
  );
  return data.taskEvents.nodes.map((n) => n.cursor);
}

const groups = () => server.app.liveGroups!;
const hub = () => server.app.services.events;

beforeAll(async () => {
  server = await startTestServer();
  const first = await server.gql<{ createApiToken: { token: string } }, unknown>(
    `mutation { createApiToken(input: { name: "root", role: ADMIN }) { token } }`,
  );
  admin = first.createApiToken.token;
});
afterEach(async () => {
  for (const stream of open.splice(0)) await stream.close();
  for (const c of clients.splice(0)) await c.dispose();
  await waitFor(() => hub().feedCount(), (n) => n === 0 && groups().size === 0, 5_000, 'feeds and groups to be released');
});
afterAll(async () => {
  await server?.stop();
});

describe('shared live delivery', () => {
  it('subscribers of one operation share one group and one hub feed, and each gets every event once, in order', async () => {
    const viewer = await createToken('share-a', 'VIEWER');
    const start = (await log(null)).at(-1) ?? null;
    const streams = [subscribe(client(viewer), { filter: { thread: 's1' } }), subscribe(client(viewer), { filter: { thread: 's1' } })];
    // Both on one connection too: the group is per operation, not per socket.
    const same = client(viewer);
    streams.push(subscribe(same, { filter: { thread: 's1' } }), subscribe(same, { filter: { thread: 's1' } }));
    await waitFor(() => groups().members, (n) => n === 4, 5_000, 'four members');
    expect(groups().size).toBe(1);
    expect(hub().feedCount('task')).toBe(1);
    expect(hub().listenerCount('task')).toBe(4);

    for (let i = 0; i < 10; i++) await write(i % 2 ? 's1' : 'other', 1 + (i % 3));
    const expected = await log(start, 's1');
    expect(expected.length).toBeGreaterThan(0);
    for (const stream of streams) {
      expect((await stream.take(expected.length)).map((d) => d.taskEvents.cursor)).toEqual(expected);
      await stream.expectQuiet(100);
    }
  });

  it('different filters and different roles run apart, each getting exactly its own events', async () => {
    const viewer = await createToken('share-b', 'VIEWER');
    const operator = await createToken('share-c', 'OPERATOR');
    const start = (await log(null)).at(-1) ?? null;
    const a = subscribe(client(viewer), { filter: { thread: 'fa' } });
    const b = subscribe(client(viewer), { filter: { thread: 'fb' } });
    const aOperator = subscribe(client(operator), { filter: { thread: 'fa' } });
    const aViewer2 = subscribe(client(viewer), { filter: { thread: 'fa' } });
    await waitFor(() => groups().members, (n) => n === 4, 5_000, 'four members');
    // (thread fa, VIEWER) has two members; (fb, VIEWER) and (fa, OPERATOR) one each.
    expect(groups().size).toBe(3);

    for (let i = 0; i < 9; i++) await write(['fa', 'fb', 'fc'][i % 3]!, 2);
    const fa = await log(start, 'fa');
    const fb = await log(start, 'fb');
    for (const [stream, expected] of [[a, fa], [aOperator, fa], [aViewer2, fa], [b, fb]] as const) {
      const got = await stream.take(expected.length);
      expect(got.map((d) => d.taskEvents.cursor)).toEqual(expected);
      expect(new Set(got.map((d) => d.taskEvents.thread))).toEqual(new Set([expected === fa ? 'fa' : 'fb']));
      await stream.expectQuiet(100);
    }
  });

  it('joins a running group after its own replay or live start: no gap, no duplicate, nothing from before', async () => {
    const viewer = await createToken('share-d', 'VIEWER');
    const start = (await log(null)).at(-1) ?? null;
    const first = subscribe(client(viewer), { filter: { thread: 'j' } });
    await waitFor(() => groups().members, (n) => n === 1, 5_000, 'the first member');
    await write('j', 3);
    const [c1] = (await first.take(3)).map((d) => d.taskEvents.cursor);

    // While writes go on: one subscriber replays from the first event (same variables as a third), one is live from now.
    const writing = (async () => {
      for (let i = 0; i < 20; i++) await write('j', 1 + (i % 2));
    })();
    const replaying = [subscribe(client(viewer), { filter: { thread: 'j' }, after: c1 }), subscribe(client(viewer), { filter: { thread: 'j' }, after: c1 })];
    const liveFromNow = subscribe(client(viewer), { filter: { thread: 'j' } });
    await writing;
    await waitFor(() => hub().listenerCount('task'), (n) => n === 4, 5_000, 'everyone to be registered');
    await write('j', 2); // the live-from-now subscriber must get these
    const all = await log(start, 'j');
    await waitFor(() => groups().members, (n) => n === 4, 5_000, 'everyone to join');

    expect((await first.take(all.length - 3)).map((d) => d.taskEvents.cursor)).toEqual(all.slice(3));
    for (const stream of replaying) {
      expect((await stream.take(all.length - 1)).map((d) => d.taskEvents.cursor)).toEqual(all.slice(1));
    }
    // Live from now: a suffix of the log, ending with the last two events, nothing twice.
    const live: string[] = [];
    while (live.at(-1) !== all.at(-1)) live.push((await liveFromNow.take(1))[0]!.taskEvents.cursor);
    expect(live.length).toBeGreaterThanOrEqual(2);
    expect(live).toEqual(all.slice(all.length - live.length));
    for (const stream of [first, ...replaying, liveFromNow]) await stream.expectQuiet(100);
  });

  it('revoking one token ends only its subscriber; the group goes on for the others', async () => {
    const doomed = await createToken('share-doomed', 'VIEWER');
    const survivor = await createToken('share-survivor', 'VIEWER');
    const start = (await log(null)).at(-1) ?? null;
    const gone = subscribe(client(doomed), { filter: { thread: 'r' } });
    const stays = subscribe(client(survivor), { filter: { thread: 'r' } });
    await waitFor(() => groups().members, (n) => n === 2, 5_000, 'two members');
    expect(groups().size).toBe(1);
    await write('r', 2);
    await gone.take(2);
    await stays.take(2);

    await server.gql(`mutation { revokeApiToken(name: "share-doomed") }`, {}, { token: admin });
    expect((await gone.next(5_000)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    await gone.waitDone(5_000);
    await waitFor(() => groups().members, (n) => n === 1, 5_000, 'the revoked member to leave');

    await write('r', 3);
    const after = (await log(start, 'r')).slice(2);
    expect((await stays.take(3)).map((d) => d.taskEvents.cursor)).toEqual(after);
    expect(gone.buffered).toBe(0);
  });

  it('SSE subscribers stay on their own path next to a group', async () => {
    const viewer = await createToken('share-e', 'VIEWER');
    const start = (await log(null)).at(-1) ?? null;
    const ws = subscribe(client(viewer), { filter: { thread: 'sse' } });
    const sse = sseSubscribe<EventsData>(server.url, Events, { filter: { thread: 'sse' } }, { authorization: `Bearer ${viewer}` });
    open.push(sse);
    await waitFor(() => groups().members, (n) => n === 1 && hub().listenerCount('task') === 2, 5_000, 'both subscribers');
    await write('sse', 3);
    const expected = await log(start, 'sse');
    for (const stream of [ws, sse]) expect((await stream.take(3)).map((d) => d.taskEvents.cursor)).toEqual(expected);
  });
});
