import { sql } from 'drizzle-orm';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction, notifyEvents } from '../src/db/database.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { settleEventLog, wsClient, wsSubscribe, type Result } from './support/subscriptions.ts';
import { waitFor } from './support/waitFor.ts';

/**
 * How a shared live member's subscription ends once it has handed its results over to the transport
 * (src/transport/liveGroups.ts): its own pipeline is gone, so its last result comes from its group.
 */

const Events = 'subscription SlowEvents($filter: TaskEventFilter, $after: String) { taskEvents(filter: $filter, after: $after) { cursor progress } }';
const Log = 'query SlowLog($filter: TaskEventFilter) { taskEvents(filter: $filter, first: 500) { nodes { cursor } } }';
type EventsData = { taskEvents: { cursor: string; progress: number } };
const TASK = '01900000-0000-7000-8000-0000000000bb';
/** The smallest backlog the configuration accepts: a burst of events overflows it at once. */
const BACKLOG = 1024;

let server: TestServer;
const clients: Client[] = [];

beforeAll(async () => {
  server = await startTestServer({ config: { maxSubscriberBacklogBytes: BACKLOG } });
});
afterAll(async () => {
  for (const c of clients) await c.dispose();
  await server?.stop();
});

async function write(thread: string, rows: number): Promise<void> {
  await inTransaction(server.app.services.database.db, async (tx) => {
    await tx.execute(sql`INSERT INTO task_events (kind, task_id, thread, progress)
                         SELECT 'PROGRESS', ${TASK}, ${thread}, n FROM generate_series(1, ${rows}) AS n`);
    await notifyEvents(tx);
  });
}

async function log(thread: string): Promise<string[]> {
  await settleEventLog(server.app.services.database.db);
  const data = await server.gql<{ taskEvents: { nodes: { cursor: string }[] } }, unknown>(Log, { filter: { thread } });
  return data.taskEvents.nodes.map((n) => n.cursor);
}

describe('a shared member that falls behind its group', () => {
  it('gets what it was sent, then SUBSCRIBER_TOO_SLOW naming the last of those, then complete; resuming there misses nothing', async () => {
    const groups = server.app.liveGroups!;
    const client = wsClient(server.wsUrl);
    clients.push(client);
    const stream = wsSubscribe<EventsData>(client, Events, { filter: { thread: 'slow' } });
    await waitFor(() => groups.members, (n) => n === 1, 5_000, 'the member to join its group');

    // One transaction: the group delivers all of it in one turn, far more than the backlog holds.
    await write('slow', 200);
    const results: Result<EventsData>[] = [];
    await stream.waitDone(10_000);
    while (stream.buffered > 0) results.push(await stream.next());
    const last = results.pop()!;
    const delivered = results.map((r) => r.data!.taskEvents.cursor);
    const all = await log('slow');
    expect(all).toHaveLength(200);
    expect(delivered.length).toBeGreaterThan(0);
    expect(delivered.length).toBeLessThan(200);
    expect(delivered).toEqual(all.slice(0, delivered.length));

    // The error as the subscription's own execution gives it: at the field, data null.
    expect(last.data).toBeNull();
    expect(last.errors).toHaveLength(1);
    expect(last.errors![0]).toMatchObject({
      message: expect.stringMatching(/fell too far behind/),
      path: ['taskEvents'],
      extensions: { code: 'SUBSCRIBER_TOO_SLOW', lastCursor: delivered.at(-1) },
    });
    expect(stream.failure).toBeNull();
    await waitFor(() => groups.members, (n) => n === 0 && groups.size === 0, 5_000, 'the member and its group to go');

    const resumed = wsSubscribe<EventsData>(client, Events, { filter: { thread: 'slow' }, after: delivered.at(-1) });
    const rest = await resumed.take(200 - delivered.length);
    expect(rest.map((d) => d.taskEvents.cursor)).toEqual(all.slice(delivered.length));
    await resumed.close();
  });
});
