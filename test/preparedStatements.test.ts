import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { preparePolicy, ShapedStatements } from '../src/db/database.ts';
import { testDatabaseKind } from './support/databaseKind.ts';
import { startTestServer, type TestServer } from './support/server.ts';

describe('which statements are prepared', () => {
  it('prepares named statements always, and at most 100 distinct query-builder texts with few parameters', () => {
    const prepare = preparePolicy();
    for (let i = 0; i < 100; i++) expect(prepare(`select "id" from "tasks" where "seq" > $1 -- ${i}`, [1])).toBe(true);
    // Seen texts stay prepared; new ones past the bound run unprepared.
    expect(prepare('select "id" from "tasks" where "seq" > $1 -- 7', [1])).toBe(true);
    expect(prepare('select "id", "name" from "tasks" where "seq" > $1', [1])).toBe(false);
    // A long list never is; a named statement always is.
    expect(prepare('select 1 where 1 in ($1, …)', Array.from({ length: 17 }, (_, i) => i))).toBe(false);
    expect(prepare('/* lockTasks */ select 1 where $1', [1])).toBe(true);
  });
});

describe('statements built once per shape', () => {
  it('builds a shape once, keeps placeholders for its values, and starts over when full', () => {
    const statements = new ShapedStatements<number>(2);
    let builds = 0;
    const build = () => ({ statement: sql`select 1 where "seq" > ${sql.placeholder('after')}`, extra: ++builds });
    const first = statements.get('a', build);
    expect(first.query.sql).toBe('select 1 where "seq" > $1');
    expect(statements.get('a', build)).toBe(first);
    expect(builds).toBe(1);
    statements.get('b', build);
    statements.get('c', build); // full: starts over
    expect(statements.get('a', build).extra).toBe(4);
  });

  it('answers pages of the same shape with different values from one text', async () => {
    const server = await startTestServer();
    try {
      await server.gql(`mutation { runTasks(input: { tasks: [{ name: "x" }, { name: "y" }, { name: "y" }] }) { applied } }`);
      const page = (name: string) => server.gql<{ tasks: { nodes: { name: string }[] } }, never>(`{ tasks(first: 5, filter: { name: "${name}" }) { nodes { name } } }`);
      expect((await page('x')).tasks.nodes).toEqual([{ name: 'x' }]);
      expect((await page('y')).tasks.nodes).toEqual([{ name: 'y' }, { name: 'y' }]);
      expect((await page('z')).tasks.nodes).toEqual([]);
    } finally {
      await server.stop();
    }
  });
});

describe.skipIf(testDatabaseKind().kind !== 'postgres')('prepared statements across a migration (Postgres only: uses a second connection to migrate)', () => {
  let server: TestServer;
  let admin: postgres.Sql;

  beforeAll(async () => {
    server = await startTestServer();
    admin = postgres(server.db.url!, { max: 1, onnotice: () => {} });
  });

  afterAll(async () => {
    await admin?.end();
    await server?.stop();
  });

  it('claims and lists tasks after a column is added to tasks (a stale prepared statement is retried)', async () => {
    const claim = `mutation { claimTasks(input: { worker: "w", limit: 1 }) { tasks { id } } }`;
    await server.gql(`mutation { runTasks(input: { tasks: [${Array.from({ length: 30 }, () => '{ name: "n" }').join(',')}] }) { applied } }`);
    // Every pooled connection prepares the claim and the page statements.
    for (let i = 0; i < 12; i++) {
      await server.gql(claim);
      await server.gql(`{ tasks(first: 5) { nodes { id name status } } }`);
    }
    // What a newer instance's migration does during a rolling deploy.
    await admin.unsafe('ALTER TABLE tasks ADD COLUMN added_by_test integer');
    for (let i = 0; i < 12; i++) {
      const result = await server.request<{ claimTasks: { tasks: unknown[] } }, unknown>(claim);
      expect(result.errors).toBeUndefined();
      expect(result.data?.claimTasks.tasks).toHaveLength(1);
      const page = await server.request(`{ tasks(first: 5) { nodes { id name status } } }`);
      expect(page.errors).toBeUndefined();
    }
  });
});
