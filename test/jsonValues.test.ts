import { sql } from 'drizzle-orm';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { settleEventLog, taskLogEnd, wsClient, wsSubscribe } from './support/subscriptions.ts';
import { waitFor } from './support/waitFor.ts';

/**
 * JSON values come back exactly as they were sent, on every read path. A JSON string that spells
 * JSON (`"{\"a\":1}"`, `"123"`) is stored as a jsonb string and must not be decoded a second time
 * into the object or number it spells.
 */

/** The result values each concluded task carries, one task per value. */
const RESULTS: readonly unknown[] = ['{"a":1}', '123', 'plain', 123, { a: [1, '2'] }, null, '"quoted"', 'true', '[1,2]'];
/** The conf values the tasks are created with (conf is an object; its values may be such strings). */
const CONFS: readonly Record<string, unknown>[] = RESULTS.map((r, i) => ({ s: '{"x":1}', n: '7', i, r }));

interface TaskJson {
  id: string;
  result: unknown;
  conf: unknown;
}

let server: TestServer;
let client: Client;
/** Task ids in RESULTS order; the first half concluded at once, the second half with a delay (the sweeper applies those). */
let ids: string[];
/** The cursor of the newest event before the conclusions. */
let cursorBefore: string;
/** What each path returned when the tasks were created, claimed and concluded. */
let created: TaskJson[];
let claimed: TaskJson[];
let concluded: TaskJson[];

async function runTasksFor(name: string): Promise<TaskJson[]> {
  const { runTasks } = await server.gql<{ runTasks: { tasks: TaskJson[]; errors: unknown[] } }, { input: unknown }>(
    `mutation JsonValuesRun($input: RunTasksInput!) { runTasks(input: $input) { errors { index message } tasks { id result conf } } }`,
    { input: { tasks: CONFS.map((conf) => ({ name, conf })) } },
  );
  expect(runTasks.errors).toEqual([]);
  return runTasks.tasks;
}

beforeAll(async () => {
  server = await startTestServer();
  client = wsClient(server.wsUrl);
  created = await runTasksFor('json-values');
  ids = created.map((t) => t.id);

  const { claimTasks } = await server.gql<{ claimTasks: { tasks: TaskJson[] } }, { input: unknown }>(
    `mutation JsonValuesClaim($input: ClaimTasksInput!) { claimTasks(input: $input) { tasks { id result conf } } }`,
    { input: { worker: 'w-json', names: ['json-values'], limit: ids.length } },
  );
  claimed = claimTasks.tasks;

  // Not null: a subscription given `after: null` starts live from now and would rightly miss every conclusion.
  const end = await taskLogEnd(server);
  expect(end, 'the cursor of the events so far').not.toBeNull();
  cursorBefore = end!;

  const { concludeTasks } = await server.gql<{ concludeTasks: { errors: unknown[]; tasks: TaskJson[] } }, { input: unknown }>(
    `mutation JsonValuesConclude($input: ConcludeTasksInput!) {
      concludeTasks(input: $input) { errors { index code message } tasks { id result conf } }
    }`,
    {
      input: {
        tasks: RESULTS.map((result, i) => ({
          id: ids[i],
          outcome: 'SUCCEEDED',
          result,
          worker: 'w-json',
          // Every other one is delayed: the sweeper applies it from the stored pending conclusion.
          delayMs: i % 2 === 1 ? 50 : 0,
        })),
      },
    },
  );
  expect(concludeTasks.errors).toEqual([]);
  concluded = concludeTasks.tasks;
  // The delayed ones conclude shortly after.
  await waitFor(
    async () => {
      const [row] = await queryRows<{ open: number }>(
        server.db.database.db,
        sql`SELECT count(*)::int AS open FROM tasks WHERE name = 'json-values' AND status <> 'COMPLETED'`,
      );
      return Number(row?.open);
    },
    (open) => open === 0,
    10_000,
    'the delayed conclusions to land',
  );
});

afterAll(async () => {
  await client?.dispose();
  await server?.stop();
});

/** The values by task id, in ids order. */
function inOrder(list: readonly TaskJson[]): TaskJson[] {
  const byId = new Map(list.map((t) => [t.id, t]));
  return ids.map((id) => byId.get(id)!);
}

const expectedResults = () => ids.map((id, i) => ({ id, result: RESULTS[i], conf: CONFS[i] }));

describe('JSON values round-trip unchanged', () => {
  it('are stored as the JSON types that were sent', async () => {
    const rows = await queryRows<{ id: string; kind: string | null; result: string | null; conf_s: string }>(
      server.db.database.db,
      sql`SELECT id::text AS id, jsonb_typeof(result) AS kind, result::text AS result, jsonb_typeof(conf -> 's') AS conf_s
          FROM tasks WHERE id = ANY(${`{${ids.join(',')}}`}::uuid[])`,
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    ids.forEach((id, i) => {
      const row = byId.get(id)!;
      expect(row.result === null ? null : (JSON.parse(row.result) as unknown), `task ${i}`).toEqual(RESULTS[i]);
      expect(row.conf_s).toBe('string');
    });
    expect(byId.get(ids[0]!)!.kind).toBe('string');
  });

  it('from the mutations that create, claim and conclude tasks', () => {
    expect(created.map((t) => t.conf)).toEqual(CONFS);
    expect(created.map((t) => t.result)).toEqual(CONFS.map(() => null));
    expect(inOrder(claimed).map((t) => t.conf)).toEqual(CONFS);
    // The delayed conclusions are not applied yet in the payload; the others are.
    const payload = inOrder(concluded);
    RESULTS.forEach((result, i) => {
      expect(payload[i]!.conf).toEqual(CONFS[i]);
      if (i % 2 === 0) expect(payload[i]!.result, `task ${i}`).toEqual(result);
    });
  });

  it('from task(id)', async () => {
    for (const [i, id] of ids.entries()) {
      const { task } = await server.gql<{ task: TaskJson }, { id: string }>(
        `query JsonValuesTask($id: ID!) { task(id: $id) { id result conf } }`,
        { id },
      );
      expect(task, `task ${i}`).toEqual({ id, result: RESULTS[i], conf: CONFS[i] });
    }
  });

  it('from tasks { nodes }, with and without the job columns', async () => {
    const { tasks } = await server.gql<{ tasks: { nodes: TaskJson[] } }, { ids: string[] }>(
      `query JsonValuesTasks($ids: [ID!]) { tasks(filter: { ids: $ids }, first: 100) { nodes { id result conf } } }`,
      { ids },
    );
    expect(inOrder(tasks.nodes)).toEqual(expectedResults());

    const withJob = await server.gql<{ tasks: { nodes: (TaskJson & { job: null })[] } }, { ids: string[] }>(
      `query JsonValuesTasksJob($ids: [ID!]) { tasks(filter: { ids: $ids }, first: 100) { nodes { id result conf job { id } } } }`,
      { ids },
    );
    expect(inOrder(withJob.tasks.nodes).map(({ id, result, conf }) => ({ id, result, conf }))).toEqual(expectedResults());
  });

  it('from the task event log and the taskEvents subscription', async () => {
    // Both read the final log only; on a shared Postgres another test's open transaction can hold
    // the conclusions' events back for a while.
    await settleEventLog(server.db.database.db);
    const kinds = '[STATUS_CHANGED]';
    const statuses = '[COMPLETED]';
    const { taskEvents } = await server.gql<{ taskEvents: { nodes: { taskId: string; task: TaskJson }[] } }, { ids: string[]; after: string }>(
      `query JsonValuesEvents($ids: [ID!], $after: String) {
        taskEvents(after: $after, first: 100, filter: { taskIds: $ids, kinds: ${kinds}, statuses: ${statuses} }) { nodes { taskId task { id result conf } } }
      }`,
      { ids, after: cursorBefore },
    );
    expect(inOrder(taskEvents.nodes.map((e) => e.task))).toEqual(expectedResults());

    const stream = wsSubscribe<{ taskEvents: { taskId: string; task: TaskJson } }>(
      client,
      `subscription JsonValuesLive($ids: [ID!], $after: String) {
        taskEvents(after: $after, filter: { taskIds: $ids, kinds: ${kinds}, statuses: ${statuses} }) { taskId task { id result conf } }
      }`,
      { ids, after: cursorBefore },
    );
    try {
      const events = await stream.take(ids.length);
      expect(inOrder(events.map((e) => e.taskEvents.task))).toEqual(expectedResults());
    } finally {
      await stream.close();
    }
  });
});
