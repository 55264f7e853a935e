/**
 * Which database the suite runs on: `TASKLANE_TEST_DB=postgres` with `TEST_DATABASE_URL`
 * (scripts/test.mjs sets both for the Postgres run), PGlite otherwise.
 */
export type TestDatabaseKind = { kind: 'pglite' } | { kind: 'postgres'; url: string };

export function testDatabaseKind(): TestDatabaseKind {
  if (process.env.TASKLANE_TEST_DB === 'postgres') {
    const url = process.env.TEST_DATABASE_URL;
    if (!url) throw new Error('TASKLANE_TEST_DB=postgres needs TEST_DATABASE_URL');
    return { kind: 'postgres', url };
  }
  return { kind: 'pglite' };
}

export function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}
