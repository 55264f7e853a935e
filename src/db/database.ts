import { fileURLToPath } from 'node:url';
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { fillPlaceholders, sql, type Column, type Query, type SQL } from 'drizzle-orm';
import { PgDialect, type PgDatabase, type PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';

/** Drizzle over either driver. Transactions have the same shape, so SQL functions take this type. */
export type Executor = PgDatabase<PgQueryResultHKT, Record<string, never>>;

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));

/** The channel every committed change notifies once; see src/sql/events.ts. */
export const EVENTS_CHANNEL = 'tasklane_events';

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  readonly db: Executor;
  /**
   * Subscribes to a NOTIFY channel on a dedicated connection that reconnects by itself after a
   * database restart (`onReconnect` runs then, so callers can catch up on what they missed).
   */
  listen(channel: string, onNotify: (payload: string) => void, onReconnect?: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** A postgres:// URL; otherwise PGlite in `dataDir` (`memory://` for a throw-away one). */
  url?: string | undefined;
  dataDir?: string;
  /** postgres.js pool size. */
  maxConnections?: number;
  /** PGlite only: start from this data-directory dump instead of an empty database (tests). */
  loadDataDir?: Blob | File;
  /** Called with the text of every statement the app runs (tests count queries with it). */
  onQuery?: (query: string) => void;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.url ? openPostgres(options.url, options.maxConnections ?? 10, options.onQuery) : openPglite(options);
}

async function openPglite(options: DatabaseOptions): Promise<Database> {
  const dataDir = options.dataDir ?? 'memory://';
  if (!dataDir.includes('://')) await mkdir(dataDir, { recursive: true });
  const client = await PGlite.create(dataDir, options.loadDataDir ? { loadDataDir: options.loadDataDir } : {});
  const db = drizzlePglite({ client, logger: queryLogger(options.onQuery) }) as unknown as Executor;
  await migratePglite(drizzlePglite({ client }), { migrationsFolder: MIGRATIONS_FOLDER });
  return {
    kind: 'pglite',
    db,
    async listen(channel, onNotify) {
      // One process owns a PGlite database: there is no connection to lose, so nothing to reconnect.
      const unlisten = await client.listen(channel, onNotify);
      return unlisten;
    },
    async close() {
      if (!client.closed) await client.close();
    },
  };
}

async function openPostgres(url: string, max: number, onQuery?: (query: string) => void): Promise<Database> {
  // Several instances may start at once: an advisory lock on a one-connection client serialises the migrations.
  const migrator = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await migrator`SELECT pg_advisory_lock(7340123)`;
    await migratePostgres(drizzlePostgres({ client: migrator }), { migrationsFolder: MIGRATIONS_FOLDER });
    await migrator`SELECT pg_advisory_unlock(7340123)`;
  } finally {
    await migrator.end({ timeout: 5 });
  }
  const client = postgres(url, {
    max,
    onnotice: () => {},
    // Prepared statements (see preparingStatements) use Postgres's default plan caching: a generic
    // plan once it is no costlier than the custom ones. Forcing a custom plan per execution cost the
    // reads bench about 70 µs of Postgres CPU per request; the scale bench (claim and filtered list
    // at 10k and 1M tasks) shows the same cost with generic plans.
    connection: { application_name: 'tasklane', plan_cache_mode: 'auto' },
  });
  const db = drizzlePostgres({ client: preparingStatements(client, preparePolicy()), logger: queryLogger(onQuery) }) as unknown as Executor;
  return {
    kind: 'postgres',
    db,
    async listen(channel, onNotify, onReconnect) {
      // postgres.js keeps LISTEN on its own connection and re-issues it after a reconnect; the
      // onlisten callback runs on every (re)connect, which is when a caller must catch up.
      let first = true;
      const { unlisten } = await client.listen(channel, onNotify, () => {
        if (first) first = false;
        else onReconnect?.();
      });
      return unlisten;
    },
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}

/** A statement that carries a name comment, e.g. `/* lockTasks *\/`. */
const NAMED_STATEMENT = /\/\* [A-Za-z]+ \*\//;
/** Query-builder statements with at most this many parameters may be prepared too (see below). */
const PREPARE_MAX_PARAMETERS = 16;
/** How many distinct query-builder texts one client prepares at most (each costs ~25 KB per connection in Postgres). */
const PREPARE_MAX_BUILT_TEXTS = 100;

/**
 * Which statements go out as prepared statements. Postgres parses a prepared statement once per
 * connection, and postgres.js sends its parameters without first asking the server to describe it
 * (an unprepared statement with parameters costs two round trips; a prepared one, one).
 *
 * - The hand-written statements (src/sql, src/auth) carry a comment naming them and their text never
 *   varies with the data (lists travel as one array or JSON parameter): always prepared.
 * - Query-builder statements vary with their input: a page of tasks with the columns and filters a
 *   client's query asks for, an `in ($1, $2, …)` list. Postgres keeps every prepared statement until
 *   the connection closes, and postgres.js cannot unprepare one, so only the first
 *   PREPARE_MAX_BUILT_TEXTS distinct texts with few parameters are prepared; any other text runs
 *   unprepared, as before. A client cycling through field selections cannot grow the server's memory.
 */
export function preparePolicy(): (query: string, parameters: readonly unknown[] | undefined) => boolean {
  const builtTexts = new Set<string>();
  return (query, parameters) => {
    if (NAMED_STATEMENT.test(query)) return true;
    if ((parameters?.length ?? 0) > PREPARE_MAX_PARAMETERS) return false;
    if (builtTexts.has(query)) return true;
    if (builtTexts.size >= PREPARE_MAX_BUILT_TEXTS) return false;
    builtTexts.add(query);
    return true;
  };
}

/** drizzle calls `unsafe` on the client it was given, and on the client of each transaction. */
function preparingStatements(client: postgres.Sql, prepare: ReturnType<typeof preparePolicy>): postgres.Sql {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'unsafe') {
        return (query: string, parameters?: postgres.ParameterOrJSON<never>[], options?: postgres.UnsafeQueryOptions) =>
          target.unsafe(query, parameters, prepare(query, parameters) ? { ...options, prepare: true } : options);
      }
      if (property === 'begin' || property === 'savepoint') {
        return (...args: unknown[]) => {
          const work = args.pop() as (sql: postgres.Sql) => unknown;
          const method = Reflect.get(target, property, target) as (...a: unknown[]) => Promise<unknown>;
          return method(...args, (sql: postgres.Sql) => work(preparingStatements(sql, prepare)));
        };
      }
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}

function queryLogger(onQuery: ((query: string) => void) | undefined) {
  return onQuery ? { logQuery: (query: string) => onQuery(query) } : false;
}

/** Runs raw SQL and returns its rows, whichever driver answers. */
export async function queryRows<T>(ex: Executor, query: SQL): Promise<T[]> {
  return rowsOf<T>(await ex.execute(query));
}

function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

const dialect = new PgDialect();

/**
 * Statements whose text depends only on the shape of a request (which filters, which columns), built
 * once per shape with `sql.placeholder` for every value and then run with the values filled in.
 * Building a statement with drizzle's `sql` and turning it into text cost about a tenth of a read
 * request's CPU (a page of tasks), every time, for a text that is the same for every request of the
 * same shape. Each entry can carry what else its shape decides (e.g. how to decode its rows).
 * At most `max` shapes are kept: when full, the cache starts over.
 */
export class ShapedStatements<Extra = undefined> {
  readonly #entries = new Map<string, { query: Query; extra: Extra }>();
  constructor(private readonly max = 500) {}

  /** The shape's statement (built by `build` the first time) and what `build` returned with it. */
  get(key: string, build: () => { statement: SQL; extra: Extra }): { query: Query; extra: Extra } {
    let entry = this.#entries.get(key);
    if (!entry) {
      const built = build();
      entry = { query: dialect.sqlToQuery(built.statement), extra: built.extra };
      if (this.#entries.size >= this.max) this.#entries.clear();
      this.#entries.set(key, entry);
    }
    return entry;
  }
}

/** A column a hand-built statement selects: the property it decodes to and its name in the result row. */
export interface ResultField {
  /** The row property (and drizzle's name for the column). */
  key: string;
  /** Its name in the result row. */
  rowKey: string;
  column: Column;
}

/** The fields as `column AS "rowKey"`, for the SELECT list of a hand-built statement. */
export function selectFields(fields: readonly ResultField[]): SQL {
  return sql.join(
    fields.map(({ rowKey, column }) => sql`${column} AS ${sql.identifier(rowKey)}`),
    sql`, `,
  );
}

/**
 * A raw result row decoded with drizzle's own column decoders into `decoded`: each field's value
 * under its key (null stays null). What the select builder's row mapper does, without its type check
 * per cell and path walk per column.
 */
export function decodeRow(raw: Record<string, unknown>, fields: readonly ResultField[], decoded: Record<string, unknown> = {}): Record<string, unknown> {
  for (const { key, rowKey, column } of fields) {
    const value = raw[rowKey];
    decoded[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return decoded;
}

/** Runs a statement from ShapedStatements with its placeholders filled from `values`. */
export async function queryShaped<T>(ex: Executor, query: Query, values: Record<string, unknown>): Promise<T[]> {
  const prepared = ex._.session.prepareQuery({ ...query, params: fillPlaceholders(query.params, values) }, undefined, undefined, false);
  return rowsOf<T>(await prepared.execute());
}

/** An error and the errors it wraps (`cause`), as far as drizzle's wrappers go. */
function* errorChain(error: unknown): Generator<Record<string, unknown>> {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    yield current as Record<string, unknown>;
    current = (current as { cause?: unknown }).cause;
  }
}

/** The Postgres error code (SQLSTATE) of an error, looking through drizzle's wrapper. */
export function pgErrorCode(error: unknown): string | undefined {
  for (const { code } of errorChain(error)) {
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

const RETRYABLE = new Set(['40001', '40P01']); // serialization_failure, deadlock_detected

/**
 * "cached plan must not change result type": a prepared statement whose result columns changed
 * under it (a migration added a column to a table it selects `*` from). postgres.js has dropped the
 * stale statement by then; outside a transaction it retries by itself, inside one the transaction
 * is already aborted, so the whole transaction is retried here.
 */
function isStalePreparedStatement(error: unknown): boolean {
  for (const { routine } of errorChain(error)) if (routine === 'RevalidateCachedQuery') return true;
  return false;
}

/**
 * Runs `work` in one transaction, retrying it when Postgres aborts it for a serialization failure
 * or a deadlock (so that concurrent batches never surface those as server errors), or because a
 * prepared statement went stale under a migration.
 */
export async function inTransaction<T>(db: Executor, work: (tx: Executor) => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction((tx) => work(tx as unknown as Executor));
    } catch (error) {
      const code = pgErrorCode(error);
      const retryable = (code !== undefined && RETRYABLE.has(code)) || isStalePreparedStatement(error);
      if (!retryable || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}

/** One NOTIFY per transaction: Postgres folds identical notifications of a transaction into one. */
export async function notifyEvents(tx: Executor): Promise<void> {
  await tx.execute(sql`/* notifyEvents */ SELECT pg_notify(${EVENTS_CHANNEL}, '')`);
}
