import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { MIGRATIONS_FOLDER, openDatabase } from '../../src/db/database.ts';
import { BROWSER_SKIP_NOTICE, skipBrowserTests } from './browser.ts';
import { testDatabaseKind, withDatabaseName } from './databaseKind.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** PGlite: a migrated data-directory dump every test file starts from. */
    pgliteTemplate: string;
    /** Postgres: a migrated template database every test file copies. */
    postgresTemplate: string;
  }
}

/**
 * Migrates once, then every test file starts from a copy: `CREATE DATABASE … TEMPLATE` on Postgres,
 * a data-directory dump on PGlite (migrating PGlite from scratch takes seconds).
 */
export default async function setup(project: TestProject) {
  // Once for the run, not once per skipped file.
  if (skipBrowserTests) console.warn(BROWSER_SKIP_NOTICE);
  const kind = testDatabaseKind();
  if (kind.kind === 'pglite') {
    const dir = await mkdtemp(join(tmpdir(), 'tasklane-test-'));
    const client = await PGlite.create('memory://');
    await migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS_FOLDER });
    const dump = await client.dumpDataDir('none');
    await client.close();
    const file = join(dir, 'template.tar');
    await writeFile(file, Buffer.from(await dump.arrayBuffer()));
    project.provide('pgliteTemplate', file);
    project.provide('postgresTemplate', '');
    return async () => rm(dir, { recursive: true, force: true });
  }
  const admin = postgres(kind.url, { max: 1, onnotice: () => {} });
  const name = `tasklane_tpl_${process.pid}_${Date.now()}`;
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const db = await openDatabase({ url: withDatabaseName(kind.url, name), maxConnections: 1 });
  await db.close();
  await admin.end();
  project.provide('postgresTemplate', name);
  project.provide('pgliteTemplate', '');
  return async () => {
    const again = postgres(kind.url, { max: 1, onnotice: () => {} });
    await again.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await again.end();
  };
}
