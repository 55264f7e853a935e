import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { graphql } from '../src/gql/index.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { Stream, taskLogEnd, type Result } from './support/subscriptions.ts';
import { createTestDatabase, type TestDatabase } from './support/testDatabase.ts';

/**
 * Conformance: a real graphql-ws client that keeps the last cursor it received and, after the server
 * restarts, resubscribes with it gets every event exactly once, in order — the ones written while the
 * server was down, and after.
 */

const RunTasks = graphql(`
  mutation ResubscribeRun($input: RunTasksInput!) {
    runTasks(input: $input) { applied ids cursor }
  }
`);

const Command = graphql(`
  mutation ResubscribeCommand($cancel: TaskCommandInput!, $suspend: TaskCommandInput!) {
    cancelTasks(input: $cancel) { applied cursor }
    suspendTasks(input: $suspend) { applied cursor }
  }
`);

const Requeue = graphql(`
  mutation ResubscribeRequeue($input: TaskCommandInput!) {
    requeueTasks(input: $input) { applied cursor }
  }
`);

const Complete = graphql(`
  mutation ResubscribeComplete($input: TaskCommandInput!) {
    completeTasks(input: $input) { applied cursor }
  }
`);

const LogPage = graphql(`
  query ResubscribeLog($after: String) {
    taskEvents(first: 500, after: $after) {
      edges { node { cursor kind taskId status } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

const TASK_EVENTS = 'subscription ResubscribeEvents($after: String) { taskEvents(after: $after) { cursor kind taskId status } }';

interface Event {
  cursor: string;
  kind: string;
  taskId: string;
  status: string | null;
}

let db: TestDatabase;
/** The server that restarts, and one that stays up on the same database (another instance). */
let restarting: TestServer;
let other: TestServer;
beforeAll(async () => {
  db = await createTestDatabase();
  restarting = await startTestServer({ db });
  other = await startTestServer({ db });
});
afterAll(async () => {
  await restarting?.stop();
  await other?.stop();
  await db?.drop();
});

/** Every event of the log after `after`, once the log has settled. */
async function logAfter(server: TestServer, after: string): Promise<Event[]> {
  await taskLogEnd(server);
  const events: Event[] = [];
  let cursor: string | null = after;
  for (;;) {
    const { taskEvents }: { taskEvents: { edges: { node: Event }[]; pageInfo: { hasNextPage: boolean; endCursor?: string | null } } } =
      await server.gql(LogPage, { after: cursor });
    events.push(...taskEvents.edges.map((e) => e.node));
    if (!taskEvents.pageInfo.hasNextPage) return events;
    cursor = taskEvents.pageInfo.endCursor!;
  }
}

describe('graphql-ws client across a server restart', () => {
  it('resubscribes with its last cursor and receives every event once, in order', async () => {
    const port = Number(new URL(restarting.url).port);
    const { runTasks } = await restarting.gql(RunTasks, { input: { tasks: [{ name: 'rs-0' }, { name: 'rs-1' }, { name: 'rs-2' }] } });
    const ids = runTasks.ids;

    // The payload object is the one graphql-ws sends again when it resubscribes after a reconnect:
    // keeping `after` on it up to date makes the resubscription resume from the last event received.
    // It starts at the cursor of the mutation that created the tasks (read your writes).
    const payload = { query: TASK_EVENTS, variables: { after: runTasks.cursor } };
    const connections: boolean[] = [];
    const client = createClient({
      url: restarting.wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 200,
      shouldRetry: () => true,
      retryWait: () => new Promise((resolve) => setTimeout(resolve, 50)),
      on: { connected: (_socket, _payload, wasRetry) => void connections.push(wasRetry) },
    });
    let unsubscribe: () => void = () => {};
    const stream = new Stream<{ taskEvents: Event }>(() => unsubscribe());
    unsubscribe = client.subscribe<{ taskEvents: Event }>(payload, {
      next: (result) => {
        if (result.data) payload.variables.after = result.data.taskEvents.cursor;
        stream.push(result as Result<{ taskEvents: Event }>);
      },
      error: (error) => stream.end(error),
      complete: () => stream.end(),
    });
    const received: Event[] = [];
    try {
      // Before the restart.
      const completed = await restarting.gql(Complete, { input: { target: { ids: [ids[0]!] } } });
      received.push(...(await stream.take(1)).map((d) => d.taskEvents));
      expect(received.at(-1)!.cursor).toBe(completed.completeTasks.cursor);

      // While it is down: another instance changes two tasks.
      await restarting.stop();
      const down = await other.gql(Command, { cancel: { target: { ids: [ids[1]!] } }, suspend: { target: { ids: [ids[2]!] } } });
      expect(down.cancelTasks.applied && down.suspendTasks.applied).toBe(true);

      // Back on the same port and database: the client reconnects by itself and resubscribes.
      restarting = await startTestServer({ db, config: { port } });
      received.push(...(await stream.take(2)).map((d) => d.taskEvents));
      expect(received.at(-1)!.cursor).toBe(down.suspendTasks.cursor);

      // After the restart.
      const requeued = await restarting.gql(Requeue, { input: { target: { ids: [ids[1]!] } } });
      received.push(...(await stream.take(1)).map((d) => d.taskEvents));
      expect(received.at(-1)!.cursor).toBe(requeued.requeueTasks.cursor);

      expect(connections).toEqual([false, true]);
      expect(received.map((e) => [e.taskId, e.status])).toEqual([
        [ids[0], 'COMPLETED'],
        [ids[1], 'CANCELLED'],
        [ids[2], 'SUSPENDED'],
        [ids[1], 'QUEUED'],
      ]);
      // Exactly the log after the starting cursor: nothing missed, nothing twice, the log's order.
      expect(received).toEqual(await logAfter(restarting, runTasks.cursor!));
      expect(stream.buffered).toBe(0);
    } finally {
      await stream.close();
      await client.dispose();
    }
  });
});
