import { isObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobs, tasks } from '../src/db/tables.ts';
import { schema } from '../src/schema/index.ts';
import { JOB_FIELD_COLUMNS, TASK_FIELD_COLUMNS } from '../src/schema/taskSelection.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { settleEventLog } from './support/subscriptions.ts';

/** Every field of Task, with the sub-selections its object fields need. */
const TASK_TYPE = schema.getType('Task');
const JOB_TYPE = schema.getType('Job');
if (!isObjectType(TASK_TYPE) || !isObjectType(JOB_TYPE)) throw new Error('Task and Job must be object types');
const JOB_SUB_SELECTIONS: Record<string, string> = {
  taskCounts: '{ total queued running completed failed }',
  tasks: '{ totalCount nodes { id name } }',
};
const ALL_JOB_FIELDS = Object.keys(JOB_TYPE.getFields())
  .map((name) => `${name} ${JOB_SUB_SELECTIONS[name] ?? ''}`)
  .join('\n');
const SUB_SELECTIONS: Record<string, string> = {
  job: `{ ${ALL_JOB_FIELDS} }`,
  parent: '{ id name conf }',
  thread: '{ name status }',
  subtasks: '{ totalCount nodes { id name status } }',
  events: '{ nodes { kind status taskId } }',
};
const ALL_FIELDS = Object.keys(TASK_TYPE.getFields())
  .map((name) => `${name} ${SUB_SELECTIONS[name] ?? ''}`)
  .join('\n');

let server: TestServer;
let ids: string[];

beforeAll(async () => {
  server = await startTestServer();
  const { submitJob } = await server.gql<{ submitJob: { tasks: { id: string }[] } }, unknown>(
    `mutation {
      submitJob(input: { name: "selection", tasks: [
        { name: "first", conf: { frame: 1 }, description: "the first", refId: "r-1", thread: "lane", priority: 70, timeoutMs: 5000 }
        { name: "second", conf: { list: [1, 2] }, auto: true, archive: true, open: true, thread: "lane" }
        { name: "third", maxAttempts: 5 }
      ] }) { applied errors { index message } tasks { id } }
    }`,
  );
  ids = submitJob.tasks.map((t) => t.id);
  if (ids.length !== 3) throw new Error(JSON.stringify(submitJob));
  // A child of the first task, and a concluded task with a result, error info and timestamps.
  await server.gql(`mutation { runTasks(input: { tasks: [{ name: "child", parent: "${ids[0]}" }] }) { applied } }`);
  const { claimTasks } = await server.gql<{ claimTasks: { tasks: { id: string }[] } }, unknown>(
    `mutation { claimTasks(input: { worker: "w1", names: ["third"], limit: 1 }) { tasks { id } } }`,
  );
  await server.gql(
    `mutation { concludeTask(input: { id: "${claimTasks.tasks[0]!.id}", outcome: FAILED, result: { why: "x" }, resultType: "t", errorInfo: ["boom"] }) { applied } }`,
  );
  // A suspended job: its tasks' allowedOperations depend on the job row, not only on their status.
  const { submitJob: paused } = await server.gql<{ submitJob: { job: { id: string } } }, unknown>(
    `mutation { submitJob(input: { name: "paused", tasks: [{ name: "held" }] }) { job { id } } }`,
  );
  await server.gql(`mutation { suspendJobs(input: { ids: ["${paused.job.id}"] }) { applied } }`);
  // `events` reads the final log only, and on a shared Postgres another test's open transaction can
  // hold an event back for a while: let the fixture's events settle so a page and a later fetch agree.
  await settleEventLog(server.db.database.db);
});

afterAll(async () => {
  await server?.stop();
});

describe('the columns a page of tasks selects', () => {
  it('has an entry for every field of Task, and only for fields of Task', () => {
    const fields = Object.keys(TASK_TYPE.getFields());
    expect(Object.keys(TASK_FIELD_COLUMNS).filter((f) => f !== '__typename').sort()).toEqual([...fields].sort());
    const columns = new Set(Object.keys(tasks));
    for (const needs of Object.values(TASK_FIELD_COLUMNS)) for (const column of needs) expect(columns).toContain(column);
  });

  it('has an entry for every field of Job, and only for fields of Job', () => {
    const fields = Object.keys(JOB_TYPE.getFields());
    expect(Object.keys(JOB_FIELD_COLUMNS).filter((f) => f !== '__typename').sort()).toEqual([...fields].sort());
    const columns = new Set(Object.keys(jobs));
    for (const needs of Object.values(JOB_FIELD_COLUMNS)) for (const column of needs) expect(columns).toContain(column);
  });

  it('fetches a page with its jobs in one query', async () => {
    server.resetQueries();
    const data = await server.gql<{ tasks: { nodes: { job: { name: string } | null }[] } }, unknown>(`{ tasks(first: 10) { nodes { id job { id name } } } }`);
    expect(data.tasks.nodes.filter((n) => n.job?.name === 'selection')).toHaveLength(3);
    expect(data.tasks.nodes.filter((n) => n.job?.name === 'paused')).toHaveLength(1);
    expect(server.requestQueries().filter((q) => /^\s*select/i.test(q))).toHaveLength(1);
  });

  it("answers a page's job ids from the tasks themselves, joining nothing", async () => {
    server.resetQueries();
    const page = await server.gql<{ tasks: { nodes: { id: string; job: { id: string } | null }[] } }, unknown>(`{ tasks(first: 10) { nodes { id job { id } } } }`);
    const selects = server.requestQueries().filter((q) => /^\s*select/i.test(q));
    expect(selects).toHaveLength(1);
    expect(selects[0]).not.toMatch(/join/i);
    for (const node of page.tasks.nodes) {
      const one = await server.gql<{ task: { job: { id: string; name: string } | null } }, unknown>(`{ task(id: "${node.id}") { job { id name } } }`);
      expect(node.job?.id ?? null).toBe(one.task.job?.id ?? null);
    }
    expect(page.tasks.nodes.filter((n) => n.job === null)).toHaveLength(1); // the child task
  });

  it('answers every field of a page exactly as the tasks fetched one by one', async () => {
    const page = await server.gql<{ tasks: { nodes: Record<string, unknown>[] } }, unknown>(`{ tasks(first: 50) { nodes { ${ALL_FIELDS} } } }`);
    expect(page.tasks.nodes.length).toBe(5);
    for (const node of page.tasks.nodes) {
      const one = await server.gql<{ task: Record<string, unknown> }, unknown>(`{ task(id: "${String(node.id)}") { ${ALL_FIELDS} } }`);
      expect(node).toEqual(one.task);
    }
    const failed = page.tasks.nodes.find((n) => n.name === 'third')!;
    expect(failed).toMatchObject({ status: 'FAILED', result: { why: 'x' }, errorInfo: ['boom'], attempts: 1 });
    expect(failed.finishedAt).toEqual(expect.any(String));
  });

  it('answers each field alone exactly as the tasks fetched one by one (a column missing from one entry would show)', async () => {
    const fields = [
      ...Object.keys(TASK_TYPE.getFields()).map((name) => `${name} ${SUB_SELECTIONS[name] ?? ''}`),
      ...Object.keys(JOB_TYPE.getFields()).map((name) => `job { ${name} ${JOB_SUB_SELECTIONS[name] ?? ''} }`),
    ];
    const byId = new Map<string, Record<string, unknown>>();
    for (const id of (await server.gql<{ tasks: { nodes: { id: string }[] } }, unknown>(`{ tasks(first: 50) { nodes { id } } }`)).tasks.nodes.map((n) => n.id)) {
      byId.set(id, (await server.gql<{ task: Record<string, unknown> }, unknown>(`{ task(id: "${id}") { ${ALL_FIELDS} } }`)).task);
    }
    for (const field of fields) {
      const page = await server.gql<{ tasks: { nodes: Record<string, unknown>[] } }, unknown>(`{ tasks(first: 50) { nodes { id ${field} } } }`);
      for (const node of page.tasks.nodes) {
        const whole = byId.get(String(node.id))!;
        for (const [key, value] of Object.entries(node)) {
          if (key === 'job' && value !== null) expect(whole.job, field).toMatchObject(value as object);
          else expect(value, field).toEqual(whole[key]);
        }
      }
    }
  });

  it('reads fields through edges, aliases, fragments and @include as through nodes', async () => {
    const query = `
      query Page($withConf: Boolean!) {
        tasks(first: 50) {
          edges { node { ...Bits alias: name conf @include(if: $withConf) } }
        }
      }
      fragment Bits on Task { id ... on Node { id } ... on Task { status job { name } } }
    `;
    const withConf = await server.gql<{ tasks: { edges: { node: Record<string, unknown> }[] } }, unknown>(query, { withConf: true });
    expect(withConf.tasks.edges.map((e) => e.node)).toContainEqual({ id: ids[0], alias: 'first', conf: { frame: 1 }, status: 'QUEUED', job: { name: 'selection' } });
    const without = await server.gql<{ tasks: { edges: { node: Record<string, unknown> }[] } }, unknown>(query, { withConf: false });
    expect(without.tasks.edges[0]!.node).not.toHaveProperty('conf');
  });

  it('selects only the columns the query needs', async () => {
    server.resetQueries();
    await server.gql(`{ tasks(first: 10) { nodes { id name status } } }`);
    const list = server.queries.find((q) => /from "tasks"/i.test(q))!;
    expect(list).toMatch(/"name"/);
    expect(list).not.toMatch(/"conf"|"result"|"error_info"|"created_at"/);
  });

  it('reads the cursor column only for a query that shows a cursor, and pages the same either way', async () => {
    server.resetQueries();
    const plain = await server.gql<{ tasks: { nodes: { id: string }[]; pageInfo: { hasNextPage: boolean } } }, unknown>(
      `{ tasks(first: 2) { nodes { id } pageInfo { hasNextPage } } }`,
    );
    expect(server.queries.find((q) => /from "tasks"/i.test(q))).not.toMatch(/AS "seq"/);
    expect(plain.tasks.pageInfo.hasNextPage).toBe(true);
    type Paged = { tasks: { edges: { cursor: string; node: { id: string } }[]; pageInfo: { endCursor: string; hasNextPage: boolean } } };
    for (const shows of ['edges { cursor node { id } } pageInfo { hasNextPage }', 'edges { node { id } } pageInfo { endCursor hasNextPage }']) {
      server.resetQueries();
      const first = await server.gql<Paged, unknown>(`{ tasks(first: 2) { ${shows} } }`);
      expect(server.queries.find((q) => /from "tasks"/i.test(q)), shows).toMatch(/AS "seq"/);
      expect(first.tasks.edges.map((e) => e.node.id)).toEqual(plain.tasks.nodes.map((n) => n.id));
      const cursor = first.tasks.edges[1]!.cursor ?? first.tasks.pageInfo.endCursor;
      expect(cursor, shows).toEqual(expect.any(String));
      const next = await server.gql<{ tasks: { nodes: { id: string }[] } }, unknown>(`{ tasks(first: 2, after: "${cursor}") { nodes { id } } }`);
      const all = await server.gql<{ tasks: { nodes: { id: string }[] } }, unknown>(`{ tasks(first: 4) { nodes { id } } }`);
      expect(next.tasks.nodes.map((n) => n.id), shows).toEqual(all.tasks.nodes.slice(2, 4).map((n) => n.id));
    }
  });

  it('does not let a projected page answer a later lookup of the same task with columns missing', async () => {
    // The parent (the first task) is on the page with only its id selected; `parent` must still load it whole.
    const data = await server.gql<{ tasks: { nodes: { id: string; parent: { conf: unknown; description: string | null } | null }[] } }, unknown>(
      `{ tasks(first: 50) { nodes { id parent { conf description } } } }`,
    );
    const child = data.tasks.nodes.find((n) => n.parent !== null)!;
    expect(child.parent).toEqual({ conf: { frame: 1 }, description: 'the first' });
  });
});
