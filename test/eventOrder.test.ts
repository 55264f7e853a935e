import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows, type Database } from '../src/db/database.ts';
import { graphql } from '../src/gql/index.ts';
import { applyTransitions } from '../src/sql/taskCommands.ts';
import { testDatabaseKind } from './support/databaseKind.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const Run = graphql(`
  mutation EventOrderRun($input: RunTasksInput!) {
    runTasks(input: $input) { ids }
  }
`);
const Suspend = graphql(`
  mutation EventOrderSuspend($input: TaskCommandInput!) {
    suspendTasks(input: $input) { applied }
  }
`);

// Interleaving two transactions needs two connections: real Postgres only.
describe.skipIf(testDatabaseKind().kind !== 'postgres')("a task's events in cursor order (Postgres only: needs two connections)", () => {
  let server: TestServer;
  let other: Database;
  beforeAll(async () => {
    server = await startTestServer();
    other = await openDatabase({ url: server.db.url, maxConnections: 2 });
  });
  afterAll(async () => {
    await other?.close();
    await server?.stop();
  });

  it('follow the order the changes happened, when an older transaction changes the task last', async () => {
    const { runTasks } = await server.gql(Run, { input: { tasks: [{ name: 'ordered' }] } });
    const id = runTasks.ids[0]!;
    await other.db.transaction(async (tx) => {
      // This transaction takes its txid now, so it is older than the command below.
      await tx.execute(sql`SELECT pg_current_xact_id()`);
      // A younger transaction suspends the task and commits first…
      const { suspendTasks } = await server.gql(Suspend, { input: { target: { ids: [id] } } });
      expect(suspendTasks.applied).toBe(true);
      // …then the older one resumes it.
      await applyTransitions(tx as never, [id], [
        {
          from: 'SUSPENDED',
          to: 'QUEUED',
          revokeClaim: false,
          resetRun: true,
          conclude: false,
          progressOne: false,
          deferDelete: false,
          keepPendingConclusion: false,
        },
      ]);
    });
    const events = await queryRows<{ kind: string; previous_status: string | null; status: string }>(
      server.db.database.db,
      sql`SELECT kind, previous_status, status FROM task_events WHERE task_id = ${id} ORDER BY txid, id`,
    );
    expect(events).toEqual([
      { kind: 'CREATED', previous_status: null, status: 'QUEUED' },
      { kind: 'STATUS_CHANGED', previous_status: 'QUEUED', status: 'SUSPENDED' },
      { kind: 'STATUS_CHANGED', previous_status: 'SUSPENDED', status: 'QUEUED' },
    ]);
  });
});
