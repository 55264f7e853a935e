import { and, asc, eq, getTableColumns, gt, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { queryRows, type Executor } from '../db/database.ts';
import { jobs, tasks, type JobRow, type TaskRow } from '../db/tables.ts';
import { parseId } from '../domain/ids.ts';
import { countsFromRows, emptyCounts, type TaskCounts } from '../domain/jobStatus.ts';
import type { TaskStatus } from '../domain/taskStateMachine.ts';
import { textArray, uuidArray } from './params.ts';

export interface TaskFilter {
  ids?: readonly string[] | null;
  status?: readonly TaskStatus[] | null;
  jobId?: string | null;
  thread?: string | null;
  name?: string | null;
  refId?: string | null;
  parentId?: string | null;
  residentOn?: string | null;
  createdAfter?: Date | null;
  createdBefore?: Date | null;
}

const NOTHING = sql`false`;

/** The WHERE clause of a task filter. Malformed ids match nothing rather than failing. */
export function taskFilterCondition(filter: TaskFilter | null | undefined): SQL | undefined {
  if (!filter) return undefined;
  const parts: SQL[] = [];
  if (filter.ids != null) {
    const ids = filter.ids.map(parseId).filter((id): id is string => id !== null);
    parts.push(ids.length ? sql`${tasks.id} = ANY(${uuidArray(ids)})` : NOTHING);
  }
  if (filter.status != null) parts.push(filter.status.length ? inArray(tasks.status, [...filter.status]) : NOTHING);
  if (filter.jobId != null) {
    const id = parseId(filter.jobId);
    parts.push(id ? eq(tasks.jobId, id) : NOTHING);
  }
  if (filter.parentId != null) {
    const id = parseId(filter.parentId);
    parts.push(id ? eq(tasks.parentId, id) : NOTHING);
  }
  if (filter.thread != null) parts.push(eq(tasks.thread, filter.thread));
  if (filter.name != null) parts.push(eq(tasks.name, filter.name));
  if (filter.refId != null) parts.push(eq(tasks.refId, filter.refId));
  if (filter.residentOn != null) parts.push(eq(tasks.residentOn, filter.residentOn));
  if (filter.createdAfter != null) parts.push(gte(tasks.createdAt, filter.createdAfter));
  if (filter.createdBefore != null) parts.push(lt(tasks.createdAt, filter.createdBefore));
  return parts.length ? and(...parts) : undefined;
}

export type TaskColumn = keyof TaskRow;
export type JobColumn = keyof JobRow;

/**
 * The named columns of a table, as a drizzle selection, in the table's own order: the statement text
 * depends on which columns a query needs, never on the order a client listed its fields in.
 */
function pick<T extends PgTable>(table: T, columns: readonly string[]): Record<string, PgColumn> {
  const wanted = new Set(columns);
  return Object.fromEntries(Object.entries(getTableColumns(table)).filter(([name]) => wanted.has(name)));
}

/**
 * listTasks: one keyset page in creation order; fetches one extra row to learn whether more follow.
 * With `columns`, the rows hold only those columns (a projection for a page whose query needs few of
 * them; see src/schema/taskSelection.ts): they are typed as whole rows but must not be used as such.
 * With `jobColumns`, each row comes with its job (those columns of it) from a join in the same query.
 *
 * The rows are decoded here with drizzle's own column decoders rather than by the select builder's
 * row mapper: on a 100-row page that mapper (a type check per cell, a path walk per column) cost
 * about a tenth of the whole request.
 */
export async function listTasks(
  ex: Executor,
  filter: TaskFilter | null | undefined,
  page: { afterSeq: number | null; limit: number },
  columns: readonly TaskColumn[] | null = null,
  jobColumns: readonly JobColumn[] | null = null,
): Promise<{ task: TaskRow; job: JobRow | null }[]> {
  const where = and(taskFilterCondition(filter), page.afterSeq === null ? undefined : gt(tasks.seq, page.afterSeq));
  const taskFields = Object.entries(columns ? pick(tasks, columns) : getTableColumns(tasks));
  const jobFields = jobColumns ? Object.entries(pick(jobs, jobColumns)) : [];
  const selection = sql.join(
    [
      ...taskFields.map(([key, column]) => sql`${column} AS ${sql.identifier(key)}`),
      ...jobFields.map(([key, column]) => sql`${column} AS ${sql.identifier(`job.${key}`)}`),
    ],
    sql`, `,
  );
  const join = jobColumns ? sql`LEFT JOIN ${jobs} ON ${jobs.id} = ${tasks.jobId}` : sql``;
  const rows = await queryRows<Record<string, unknown>>(
    ex,
    sql`SELECT ${selection} FROM ${tasks} ${join} ${where ? sql`WHERE ${where}` : sql``} ORDER BY ${tasks.seq} LIMIT ${page.limit + 1}`,
  );
  return rows.map((row) => ({
    task: decode(row, taskFields, '') as TaskRow,
    job: jobColumns && row['job.id'] != null ? (decode(row, jobFields, 'job.') as JobRow) : null,
  }));
}

function decode(row: Record<string, unknown>, fields: readonly [string, PgColumn][], prefix: string): Record<string, unknown> {
  const decoded: Record<string, unknown> = {};
  for (const [key, column] of fields) {
    const raw = row[prefix + key];
    decoded[key] = raw === null || raw === undefined ? null : column.mapFromDriverValue(raw);
  }
  return decoded;
}

export async function countTasks(ex: Executor, filter: TaskFilter | null | undefined): Promise<number> {
  const [row] = await ex
    .select({ count: sql<number>`count(*)::int` })
    .from(tasks)
    .where(taskFilterCondition(filter));
  return Number(row?.count ?? 0);
}

export async function loadTasksByIds(ex: Executor, ids: readonly string[]): Promise<TaskRow[]> {
  if (ids.length === 0) return [];
  return ex.select().from(tasks).where(sql`${tasks.id} = ANY(${uuidArray(ids)})`);
}

export interface GroupCounts {
  counts: TaskCounts;
  /** Sum of `progress` over tasks that are not concluded (for job progress). */
  openProgressSum: number;
}

/** taskCountsByJob: per-status counts of many jobs in one grouped query. */
export async function taskCountsByJob(ex: Executor, jobIds: readonly string[]): Promise<Map<string, GroupCounts>> {
  const rows = await ex
    .select({
      key: tasks.jobId,
      status: tasks.status,
      count: sql<number>`count(*)::int`,
      progress: sql<number>`coalesce(sum(${tasks.progress}), 0)::float8`,
    })
    .from(tasks)
    .where(sql`${tasks.jobId} = ANY(${uuidArray(jobIds)})`)
    .groupBy(tasks.jobId, tasks.status);
  return groupCounts(rows);
}

/** taskCountsByThread: per-status counts of many threads in one grouped query. */
export async function taskCountsByThread(ex: Executor, names: readonly string[]): Promise<Map<string, GroupCounts>> {
  const rows = await ex
    .select({
      key: tasks.thread,
      status: tasks.status,
      count: sql<number>`count(*)::int`,
      progress: sql<number>`coalesce(sum(${tasks.progress}), 0)::float8`,
    })
    .from(tasks)
    .where(sql`${tasks.thread} = ANY(${textArray(names)})`)
    .groupBy(tasks.thread, tasks.status);
  return groupCounts(rows);
}

const CONCLUDED = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

function groupCounts(
  rows: { key: string | null; status: string; count: number; progress: number }[],
): Map<string, GroupCounts> {
  const byKey = new Map<string, { status: string; count: number }[]>();
  const progress = new Map<string, number>();
  for (const row of rows) {
    if (row.key === null) continue;
    const list = byKey.get(row.key) ?? [];
    list.push({ status: row.status, count: Number(row.count) });
    byKey.set(row.key, list);
    if (!CONCLUDED.has(row.status)) progress.set(row.key, (progress.get(row.key) ?? 0) + Number(row.progress));
  }
  const result = new Map<string, GroupCounts>();
  for (const [key, list] of byKey) {
    result.set(key, { counts: countsFromRows(list), openProgressSum: progress.get(key) ?? 0 });
  }
  return result;
}

export function noCounts(): GroupCounts {
  return { counts: emptyCounts(), openProgressSum: 0 };
}

/**
 * threadHeads: the head of each thread, its oldest task not concluded, in one query
 * (DISTINCT ON walks tasks_thread_idx).
 */
export async function threadHeads(ex: Executor, names: readonly string[]): Promise<Map<string, TaskRow>> {
  const rows = await ex
    .selectDistinctOn([tasks.thread])
    .from(tasks)
    .where(
      and(
        sql`${tasks.thread} = ANY(${textArray(names)})`,
        sql`${tasks.status} NOT IN ('COMPLETED', 'FAILED', 'CANCELLED')`,
      ),
    )
    .orderBy(tasks.thread, asc(tasks.seq));
  return new Map(rows.map((row) => [row.thread!, row]));
}
