import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../src/gql/index.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const Submit = graphql(`
  mutation QueriesSubmit($input: SubmitJobInput!) {
    submitJob(input: $input) { applied job { id } tasks { id index } }
  }
`);
const Run = graphql(`
  mutation QueriesRun($input: RunTasksInput!) {
    runTasks(input: $input) { applied ids }
  }
`);
const ListTasks = graphql(`
  query QueriesListTasks($filter: TaskFilter, $first: Int, $after: String) {
    tasks(filter: $filter, first: $first, after: $after) {
      totalCount
      edges { cursor node { id name } }
      nodes { id name status index }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`);

let server: TestServer;
let jobA: { id: string; tasks: { id: string; index: number | null }[] };
let jobB: { id: string; tasks: { id: string; index: number | null }[] };
let parentId: string;
let childIds: string[];

beforeAll(async () => {
  server = await startTestServer();
  const a = await server.gql(Submit, {
    input: {
      name: 'alpha',
      tasks: [
        { name: 'render', refId: 'shot-1', thread: 'lane-1' },
        { name: 'render', refId: 'shot-1', thread: 'lane-1', hold: true },
        { name: 'encode', refId: 'shot-2' },
        { name: 'encode', hold: true },
        { name: 'upload' },
      ],
    },
  });
  jobA = { id: a.submitJob.job!.id, tasks: a.submitJob.tasks };
  const b = await server.gql(Submit, { input: { name: 'beta', tasks: [{ name: 'render' }, { name: 'lint', thread: 'lane-2' }] } });
  jobB = { id: b.submitJob.job!.id, tasks: b.submitJob.tasks };
  parentId = jobA.tasks[0]!.id;
  const children = await server.gql(Run, { input: { tasks: [{ name: 'child', parent: parentId }, { name: 'child', parent: parentId }] } });
  childIds = children.runTasks.ids;
});

afterAll(async () => {
  await server?.stop();
});

describe('task, node and job lookups', () => {
  const Lookup = graphql(`
    query QueriesLookup($id: ID!) {
      task(id: $id) { id name job { id name } parent { id } subtasks { totalCount nodes { id } } }
      job(id: $id) { id name }
      node(id: $id) { id __typename ... on Task { name } ... on Job { name } }
    }
  `);

  it('finds a task by id, as task and as node', async () => {
    const data = await server.gql(Lookup, { id: parentId });
    expect(data.task).toMatchObject({ id: parentId, name: 'render', job: { id: jobA.id, name: 'alpha' }, parent: null });
    expect(data.task!.subtasks.totalCount).toBe(2);
    expect(data.task!.subtasks.nodes.map((n) => n.id)).toEqual(childIds);
    expect(data.job).toBeNull();
    expect(data.node).toMatchObject({ id: parentId, __typename: 'Task', name: 'render' });
  });

  it('finds a job by id, as job and as node', async () => {
    const data = await server.gql(Lookup, { id: jobA.id });
    expect(data.task).toBeNull();
    expect(data.job).toMatchObject({ id: jobA.id, name: 'alpha' });
    expect(data.node).toMatchObject({ __typename: 'Job', name: 'alpha' });
  });

  it.each(['not-a-uuid', '', "'; DROP TABLE tasks; --", '01a20799-2612-7c0b-84ed-e0762a45db99'])(
    'answers null, not an error, for the id %j',
    async (id) => {
      const result = await server.request(Lookup, { id });
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({ task: null, job: null, node: null });
    },
  );
});

describe('tasks(filter)', () => {
  const names = async (filter: object) =>
    (await server.gql(ListTasks, { filter, first: 500 })).tasks.nodes.map((n) => n.id);

  it('lists every task in creation order without a filter', async () => {
    const { tasks } = await server.gql(ListTasks, {});
    expect(tasks.totalCount).toBe(9);
    expect(tasks.nodes.map((n) => n.id)).toEqual([...jobA.tasks, ...jobB.tasks].map((t) => t.id).concat(childIds));
  });

  it('filters by each field', async () => {
    expect(await names({ ids: [jobA.tasks[2]!.id, jobB.tasks[0]!.id, 'garbage'] })).toEqual([jobA.tasks[2]!.id, jobB.tasks[0]!.id]);
    expect(await names({ ids: [] })).toEqual([]);
    expect(await names({ status: ['PENDING'] })).toEqual([jobA.tasks[1]!.id, jobA.tasks[3]!.id]);
    expect(await names({ jobId: jobB.id })).toEqual(jobB.tasks.map((t) => t.id));
    expect(await names({ jobId: 'garbage' })).toEqual([]);
    expect(await names({ thread: 'lane-1' })).toEqual([jobA.tasks[0]!.id, jobA.tasks[1]!.id]);
    expect(await names({ name: 'encode' })).toEqual([jobA.tasks[2]!.id, jobA.tasks[3]!.id]);
    expect(await names({ refId: 'shot-1' })).toEqual([jobA.tasks[0]!.id, jobA.tasks[1]!.id]);
    expect(await names({ parentId })).toEqual(childIds);
    expect(await names({ residentOn: 'nobody' })).toEqual([]);
    expect(await names({ name: 'render', jobId: jobA.id, status: ['QUEUED'] })).toEqual([jobA.tasks[0]!.id]);
  });

  it('filters by creation time', async () => {
    const future = new Date(Date.now() + 3600_000).toISOString();
    const past = new Date(Date.now() - 3600_000).toISOString();
    expect(await names({ createdAfter: future })).toEqual([]);
    expect((await names({ createdAfter: past })).length).toBe(9);
    expect(await names({ createdBefore: past })).toEqual([]);
    const invalid = await server.request(ListTasks, { filter: { createdAfter: 'yesterday' } });
    expect(invalid.errors?.[0]?.message).toMatch(/DateTime/);
  });

  it('pages with first/after, stable under inserts', async () => {
    const page1 = await server.gql(ListTasks, { first: 4 });
    expect(page1.tasks.nodes).toHaveLength(4);
    expect(page1.tasks.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(page1.tasks.pageInfo.startCursor).toBe(page1.tasks.edges[0]!.cursor);
    expect(page1.tasks.pageInfo.endCursor).toBe(page1.tasks.edges[3]!.cursor);
    // A task inserted between page requests appears at the end, never shifting the pages.
    await server.gql(Run, { input: { tasks: [{ name: 'late' }] } });
    const page2 = await server.gql(ListTasks, { first: 4, after: page1.tasks.pageInfo.endCursor });
    expect(page2.tasks.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const page3 = await server.gql(ListTasks, { first: 4, after: page2.tasks.pageInfo.endCursor });
    expect(page3.tasks.nodes.map((n) => n.name)).toEqual(['child', 'late']);
    expect(page3.tasks.pageInfo.hasNextPage).toBe(false);
    const all = [...page1.tasks.nodes, ...page2.tasks.nodes, ...page3.tasks.nodes].map((n) => n.id);
    expect(new Set(all).size).toBe(10);
    // After the last row: an empty page.
    const empty = await server.gql(ListTasks, { first: 4, after: page3.tasks.pageInfo.endCursor });
    expect(empty.tasks.nodes).toEqual([]);
    expect(empty.tasks.pageInfo).toMatchObject({ hasNextPage: false, startCursor: null, endCursor: null });
    const zero = await server.gql(ListTasks, { first: 0 });
    expect(zero.tasks.nodes).toEqual([]);
    expect(zero.tasks.pageInfo.hasNextPage).toBe(true);
    expect(zero.tasks.totalCount).toBe(10);
  });

  it('refuses bad page arguments with a clear error', async () => {
    for (const [variables, pattern] of [
      [{ first: 501 }, /500/],
      [{ first: -1 }, /non-negative/],
      [{ after: 'not-a-cursor' }, /Invalid cursor/],
    ] as const) {
      const result = await server.request(ListTasks, variables);
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.message).toMatch(pattern);
    }
  });

  it('defaults to pages of 50', async () => {
    await server.gql(Run, { input: { tasks: Array.from({ length: 60 }, () => ({ name: 'filler' })) } });
    const { tasks } = await server.gql(ListTasks, { filter: { name: 'filler' } });
    expect(tasks.nodes).toHaveLength(50);
    expect(tasks.pageInfo.hasNextPage).toBe(true);
    expect(tasks.totalCount).toBe(60);
  });
});

describe('jobs', () => {
  const Jobs = graphql(`
    query QueriesJobs($filter: JobFilter, $first: Int, $after: String) {
      jobs(filter: $filter, first: $first, after: $after) {
        totalCount
        nodes { id name status progress suspended taskCounts { total pending queued running suspended cancelling completed failed cancelled } }
        pageInfo { hasNextPage hasPreviousPage endCursor }
      }
    }
  `);
  const JobTasks = graphql(`
    query QueriesJobTasks($id: ID!, $status: [TaskStatus!], $first: Int, $after: String) {
      job(id: $id) {
        tasks(status: $status, first: $first, after: $after) { totalCount nodes { index status } pageInfo { hasNextPage endCursor } }
      }
    }
  `);

  it('lists jobs with derived status, counts and progress', async () => {
    const { jobs } = await server.gql(Jobs, {});
    expect(jobs.totalCount).toBe(2);
    expect(jobs.nodes[0]).toMatchObject({
      name: 'alpha',
      status: 'ACTIVE',
      progress: 0,
      suspended: false,
      taskCounts: { total: 5, pending: 2, queued: 3, running: 0, suspended: 0, cancelling: 0, completed: 0, failed: 0, cancelled: 0 },
    });
  });

  it('derives progress from concluded tasks and task progress', async () => {
    await server.db.database.db.execute(
      sql`UPDATE tasks SET status = 'COMPLETED' WHERE id = ${jobB.tasks[0]!.id}`,
    );
    await server.db.database.db.execute(sql`UPDATE tasks SET status = 'RUNNING', progress = 0.5 WHERE id = ${jobB.tasks[1]!.id}`);
    const { job } = await server.gql(
      graphql(`query QueriesJobProgress($id: ID!) { job(id: $id) { status progress taskCounts { completed running } } }`),
      { id: jobB.id },
    );
    expect(job).toEqual({ status: 'ACTIVE', progress: 0.75, taskCounts: { completed: 1, running: 1 } });
  });

  it('filters jobs by name and status, and pages them', async () => {
    expect((await server.gql(Jobs, { filter: { name: 'beta' } })).jobs.nodes.map((j) => j.name)).toEqual(['beta']);
    expect((await server.gql(Jobs, { filter: { status: ['COMPLETED'] } })).jobs.totalCount).toBe(0);
    expect((await server.gql(Jobs, { filter: { status: ['ACTIVE', 'PENDING'] } })).jobs.totalCount).toBe(2);
    const first = await server.gql(Jobs, { first: 1 });
    expect(first.jobs.pageInfo.hasNextPage).toBe(true);
    const second = await server.gql(Jobs, { first: 1, after: first.jobs.pageInfo.endCursor });
    expect(second.jobs.nodes.map((j) => j.name)).toEqual(['beta']);
    expect(second.jobs.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it("lists a job's tasks in index order, filtered by status", async () => {
    const all = await server.gql(JobTasks, { id: jobA.id });
    expect(all.job!.tasks.nodes.map((t) => t.index)).toEqual([0, 1, 2, 3, 4]);
    const pending = await server.gql(JobTasks, { id: jobA.id, status: ['PENDING'] });
    expect(pending.job!.tasks.nodes.map((t) => t.index)).toEqual([1, 3]);
    expect(pending.job!.tasks.totalCount).toBe(2);
    const page = await server.gql(JobTasks, { id: jobA.id, first: 2 });
    const next = await server.gql(JobTasks, { id: jobA.id, first: 2, after: page.job!.tasks.pageInfo.endCursor });
    expect(next.job!.tasks.nodes.map((t) => t.index)).toEqual([2, 3]);
  });
});

describe('threads', () => {
  const Thread = graphql(`
    query QueriesThread($name: String!) {
      thread(name: $name) {
        name status paused head { id status } taskCounts { total queued pending }
        tasks(first: 10) { totalCount nodes { id } }
      }
    }
  `);
  const Threads = graphql(`
    query QueriesThreads($first: Int, $after: String) {
      threads(first: $first, after: $after) { nodes { name status } pageInfo { hasNextPage endCursor } }
    }
  `);

  it('shows a thread with its head, counts and tasks', async () => {
    const { thread } = await server.gql(Thread, { name: 'lane-1' });
    expect(thread).toMatchObject({
      name: 'lane-1',
      status: 'IDLE',
      paused: false,
      head: { id: jobA.tasks[0]!.id, status: 'QUEUED' },
      taskCounts: { total: 2, queued: 1, pending: 1 },
    });
    expect(thread!.tasks.nodes.map((t) => t.id)).toEqual([jobA.tasks[0]!.id, jobA.tasks[1]!.id]);
  });

  it('is BLOCKED when its head is held', async () => {
    await server.db.database.db.execute(sql`UPDATE tasks SET status = 'COMPLETED' WHERE id = ${jobA.tasks[0]!.id}`);
    const { thread } = await server.gql(Thread, { name: 'lane-1' });
    expect(thread).toMatchObject({ status: 'BLOCKED', head: { id: jobA.tasks[1]!.id, status: 'PENDING' } });
    await server.db.database.db.execute(sql`UPDATE tasks SET status = 'QUEUED' WHERE id = ${jobA.tasks[0]!.id}`);
  });

  it('answers null for an unknown thread and pages threads', async () => {
    expect((await server.gql(Thread, { name: 'nope' })).thread).toBeNull();
    const first = await server.gql(Threads, { first: 1 });
    expect(first.threads.nodes.map((t) => t.name)).toEqual(['lane-1']);
    expect(first.threads.pageInfo.hasNextPage).toBe(true);
    const second = await server.gql(Threads, { first: 1, after: first.threads.pageInfo.endCursor });
    expect(second.threads.nodes.map((t) => t.name)).toEqual(['lane-2']);
    expect(second.threads.pageInfo.hasNextPage).toBe(false);
  });
});

describe('batch loading', () => {
  const Wide = graphql(`
    query QueriesWide($first: Int) {
      tasks(first: $first) {
        nodes {
          id status allowedOperations
          job { id name status progress taskCounts { total } }
          thread { name status paused head { id } taskCounts { total } }
          parent { id name job { name } }
        }
      }
    }
  `);

  it('costs a constant number of queries for 500 tasks with their jobs and threads', async () => {
    // 25 jobs × 20 tasks, spread over 10 threads, each task a child of the previous job's first task.
    let previous: string | undefined;
    for (let j = 0; j < 25; j++) {
      const { submitJob } = await server.gql(Submit, {
        input: {
          name: `wide-${j}`,
          tasks: Array.from({ length: 20 }, (_, i) => ({ name: 'w', thread: `wide-lane-${(j * 20 + i) % 10}`, parent: previous })),
        },
      });
      previous = submitJob.tasks[0]!.id;
    }
    server.resetQueries();
    const small = await server.gql(Wide, { first: 5 });
    const smallCount = server.requestQueries().length;
    server.resetQueries();
    const large = await server.gql(Wide, { first: 500 });
    const largeCount = server.requestQueries().length;
    expect(small.tasks.nodes).toHaveLength(5);
    expect(large.tasks.nodes).toHaveLength(500);
    expect(large.tasks.nodes.every((n) => n.job === null || n.job.taskCounts.total > 0)).toBe(true);
    expect(largeCount).toBeLessThanOrEqual(smallCount + 2);
    expect(largeCount).toBeLessThanOrEqual(12);
  });
});

describe('health', () => {
  it('answers liveness and readiness', async () => {
    const base = server.url.replace(/\/graphql$/, '');
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('serves GraphiQL with the example operation to browsers', async () => {
    const page = await fetch(server.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('GraphiQL');
    expect(html).toContain('submitJob');
  });
});
