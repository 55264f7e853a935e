import { readFile } from 'node:fs/promises';
import postgres from 'postgres';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { testDatabaseKind, withDatabaseName } from './databaseKind.ts';
import { trackOpen } from './leaks.ts';

export interface TestDatabase {
  database: Database;
  /** Postgres only: the URL of this file's database (for a second server instance or raw SQL). */
  url: string | undefined;
  /** Closes the connections and drops the database. */
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own for one test file. */
export async function createTestDatabase(options: { onQuery?: (query: string) => void } = {}): Promise<TestDatabase> {
  const kind = testDatabaseKind();
  if (kind.kind === 'pglite') {
    const template = await readFile(inject('pgliteTemplate'));
    const database = await openDatabase({
      dataDir: 'memory://',
      loadDataDir: new Blob([template]),
      onQuery: options.onQuery,
    });
    const release = trackOpen('database', 'a PGlite database');
    return {
      database,
      url: undefined,
      async drop() {
        await database.close();
        release();
      },
    };
  }
  const name = `tasklane_t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = postgres(kind.url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name} TEMPLATE ${inject('postgresTemplate')}`);
  await admin.end();
  const url = withDatabaseName(kind.url, name);
  const database = await openDatabase({ url, onQuery: options.onQuery });
  const release = trackOpen('database', `the Postgres database ${name}`);
  return {
    database,
    url,
    async drop() {
      await database.close();
      const again = postgres(kind.url, { max: 1, onnotice: () => {} });
      await again.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await again.end();
      release();
    },
  };
}
