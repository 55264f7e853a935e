import { print } from 'graphql';
import type { Client } from 'graphql-ws';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_CHANNEL, inTransaction, notifyEvents } from '../src/db/database.ts';
import { graphql } from '../src/gql/index.ts';
import { testDatabaseKind } from './support/databaseKind.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { settleEventLog, sseSubscribe, wsClient, wsSubscribe, type Stream } from './support/subscriptions.ts';
import { waitFor } from './support/waitFor.ts';

const Log = graphql(`
  query ConcurrencyEventLog($after: String, $first: Int) {
    taskEvents(after: $after, first: $first) {
      nodes { cursor thread }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

const Events = print(
  graphql(`
    subscription ConcurrencyEvents($after: String) {
      taskEvents(after: $after) { cursor thread }
    }
  `),
);

type EventsData = { taskEvents: { cursor: string; thread: string | null } };

const onPostgres = testDatabaseKind().kind === 'postgres';
let server: TestServer;
let client: Client;
/** Postgres: a pool of its own, so that writers really run in parallel transactions. */
let pool: postgres.Sql | null = null;

beforeAll(async () => {
  server = await startTestServer();
  client = wsClient(server.wsUrl);
  if (onPostgres) pool = postgres(server.db.url!, { max: 8, onnotice: () => {} });
});
afterAll(async () => {
  await client?.dispose();
  await pool?.end({ timeout: 5 });
  await server?.stop();
});

async function log(after: string | null, settle = true): Promise<{ cursor: string; thread: string | null }[]> {
  if (settle) await settleEventLog(server.app.services.database.db);
  const out: { cursor: string; thread: string | null }[] = [];
  let cursor = after;
  for (;;) {
    const { taskEvents } = await server.gql(Log, { after: cursor, first: 500 });
    out.push(...taskEvents.nodes);
    if (!taskEvents.pageInfo.hasNextPage) return out;
    cursor = taskEvents.pageInfo.endCursor ?? null;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const TASK = '01900000-0000-7000-8000-000000000001';

/**
 * One writer transaction: `rows` events tagged `tag`, optionally held open for `holdMs` after its
 * inserts (so that transactions that took later ids commit first), then one NOTIFY and commit.
 */
async function write(tag: string, rows: number, holdMs: number): Promise<void> {
  if (pool) {
    await pool.begin(async (tx) => {
      await tx`INSERT INTO task_events (kind, task_id, thread, progress)
               SELECT 'PROGRESS', ${TASK}, ${tag}, n / 10.0 FROM generate_series(1, ${rows}) AS n`;
      if (holdMs) await sleep(holdMs); // holding the transaction open is the point: later ones commit first
      await tx`SELECT pg_notify(${EVENTS_CHANNEL}, '')`;
    });
    return;
  }
  await inTransaction(server.app.services.database.db, async (tx) => {
    await tx.execute(sql`INSERT INTO task_events (kind, task_id, thread, progress)
                         SELECT 'PROGRESS', ${TASK}, ${tag}, n / 10.0 FROM generate_series(1, ${rows}) AS n`);
    if (holdMs) await sleep(holdMs);
    await notifyEvents(tx);
  });
}

describe('concurrent writers', () => {
  it('the live stream equals the log: no gap, no duplicate, in cursor order', async () => {
    await write('start', 1, 0);
    const start = (await log(null)).at(-1)!.cursor;
    const early: Stream<EventsData>[] = [
      wsSubscribe<EventsData>(client, Events, { after: start }),
      wsSubscribe<EventsData>(client, Events, { after: start }),
      sseSubscribe<EventsData>(server.url, Events, { after: start }),
      wsSubscribe<EventsData>(client, Events, {}), // live from now: registered before any write
    ];
    await waitFor(() => server.app.services.events.listenerCount('task'), (n) => n === early.length, 5_000, 'the feeds');

    const writers = 6;
    const perWriter = 20;
    let late: Stream<EventsData> | null = null;
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let k = 0; k < perWriter; k++) {
          // Every third transaction is held open: others with later ids commit meanwhile.
          await write(`w${w}-${k}`, 1 + ((w + k) % 3), (w + k) % 3 === 0 ? 10 + ((w * 7 + k * 13) % 60) : 0);
          // Halfway through, a subscriber arrives with the start cursor: it replays while writes go on,
          // then switches to live.
          if (w === 0 && k === perWriter / 2) late = sseSubscribe<EventsData>(server.url, Events, { after: start });
        }
      }),
    );

    const streams = [...early, late!];
    try {
      const expected = await log(start);
      let rows = 0;
      for (let w = 0; w < writers; w++) for (let k = 0; k < perWriter; k++) rows += 1 + ((w + k) % 3);
      expect(expected.length).toBe(rows);
      expect(new Set(expected.map((e) => e.cursor)).size).toBe(expected.length);
      for (const [i, stream] of streams.entries()) {
        const got = (await stream.take(expected.length, 30_000)).map((d) => d.taskEvents.cursor);
        expect(got, `subscriber ${i}`).toEqual(expected.map((e) => e.cursor));
      }
      for (const stream of streams) await stream.expectQuiet(0);
    } finally {
      for (const stream of streams) await stream.close();
    }
    await waitFor(() => server.app.services.events.listenerCount(), (n) => n === 0, 5_000, 'feeds released');
  }, 60_000);

  it.skipIf(!onPostgres)('holds back a committed row while an older transaction is open, then delivers both in order (Postgres only: needs parallel transactions)', async () => {
    const start = (await log(null)).at(-1)?.cursor ?? null;
    const stream = wsSubscribe<EventsData>(client, Events, { after: start });
    await waitFor(() => server.app.services.events.listenerCount('task'), (n) => n === 1, 5_000, 'the feed');
    const older = await pool!.reserve();
    try {
      await older`BEGIN`;
      await older`INSERT INTO task_events (kind, task_id, thread) VALUES ('PROGRESS', ${TASK}, 'older')`;
      await write('newer', 1, 0); // later txid and id, committed and notified first
      // The newer row is committed and visible, but an older transaction could still commit before it:
      // neither the subscription nor the polling query may pass it yet.
      await stream.expectQuiet(300);
      expect(await log(start, false)).toEqual([]);
      await older`SELECT pg_notify(${EVENTS_CHANNEL}, '')`;
      await older`COMMIT`;
    } finally {
      older.release();
    }
    const got = (await stream.take(2)).map((d) => d.taskEvents.thread);
    expect(got).toEqual(['older', 'newer']);
    await stream.close();
  });

  it.skipIf(!onPostgres)('live from now skips a change committed before subscribing even while it is not final yet (Postgres only: needs parallel transactions)', async () => {
    const blocker = await pool!.reserve();
    let stream: Stream<EventsData> | null = null;
    try {
      await blocker`BEGIN`;
      await blocker`SELECT pg_current_xact_id()`;
      await write('committed-before', 1, 0); // committed, but not final while the blocker is open
      stream = wsSubscribe<EventsData>(client, Events, {});
      await waitFor(() => server.app.services.events.listenerCount('task'), (n) => n === 1, 5_000, 'the feed');
      await blocker`COMMIT`;
    } finally {
      blocker.release();
    }
    await write('committed-after', 1, 0);
    const [event] = await stream!.take(1);
    expect(event!.taskEvents.thread).toBe('committed-after');
    await stream!.expectQuiet(300);
    await stream!.close();
  });

  it.skipIf(!onPostgres)('picks rows up soon after xmin moves even when the transaction holding it sends no NOTIFY (Postgres only: needs parallel transactions)', async () => {
    const start = (await log(null)).at(-1)?.cursor ?? null;
    const stream = wsSubscribe<EventsData>(client, Events, { after: start });
    await waitFor(() => server.app.services.events.listenerCount('task'), (n) => n === 1, 5_000, 'the feed');
    const blocker = await pool!.reserve();
    let released = 0;
    const readsBefore = server.app.services.events.stats.reads;
    try {
      await blocker`BEGIN`;
      await blocker`SELECT pg_current_xact_id()`; // takes a transaction id, writes no event
      await write('behind-blocker', 1, 0);
      await stream.expectQuiet(1_500);
      await blocker`COMMIT`; // no NOTIFY: only the hub's retry can notice xmin moved
      released = Date.now();
    } finally {
      blocker.release();
    }
    const [event] = await stream.take(1, 5_000);
    expect(event!.taskEvents.thread).toBe('behind-blocker');
    // Picked up within the hub's backoff (at most its 1 s poll), and without polling tightly meanwhile.
    expect(Date.now() - released).toBeLessThan(1_500);
    expect(server.app.services.events.stats.reads - readsBefore).toBeLessThan(20);
    await stream.close();
  });

  it.skipIf(!onPostgres)('keeps delivering after its LISTEN connection is cut (database restart) (Postgres only: PGlite has no connection to cut)', async () => {
    const start = (await log(null)).at(-1)?.cursor ?? null;
    const stream = wsSubscribe<EventsData>(client, Events, { after: start });
    const hub = server.app.services.events;
    await waitFor(() => hub.listenerCount('task'), (n) => n === 1, 5_000, 'the feed');
    try {
      const reconnects = hub.stats.reconnects;
      const [killed] = await pool!<{ n: number }[]>`
        SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND query ILIKE 'listen%' AND pid <> pg_backend_pid()`;
      expect(killed!.n).toBeGreaterThan(0);
      await write('while-reconnecting', 1, 0); // its NOTIFY may well be lost
      const [missed] = await stream.take(1, 10_000);
      expect(missed!.taskEvents.thread).toBe('while-reconnecting');
      await waitFor(() => hub.stats.reconnects, (n) => n > reconnects, 10_000, 'the listener to reconnect');
      // Listening again on a new connection, and the stream goes on.
      const [listening] = await pool!<{ n: number }[]>`
        SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'listen%'`;
      expect(listening!.n).toBeGreaterThan(0);
      await write('after-reconnect', 1, 0);
      const [next] = await stream.take(1, 10_000);
      expect(next!.taskEvents.thread).toBe('after-reconnect');
      await stream.expectQuiet(100);
    } finally {
      await stream.close();
    }
  });
});
