import { and, asc, getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { decodeRow, queryShaped, selectFields, ShapedStatements, type Executor, type ResultField } from '../db/database.ts';
import { jobs, tasks, type JobRow, type TaskRow } from '../db/tables.ts';
import { parseId } from '../domain/ids.ts';
import { countsFromRows, emptyCounts, type TaskCounts } from '../domain/jobStatus.ts';
import { CONCLUDED_STATUSES, isConcluded, type TaskStatus } from '../domain/taskStateMachine.ts';
import { plainArrayLiteral, textArray, uuidArray } from './params.ts';
import { statusList } from './statusSets.ts';

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

/**
 * A task filter as a statement shape: the WHERE condition with a placeholder for every value, a key
 * naming the shape (which filters are set, and which match nothing), and the values. Malformed ids
 * match nothing rather than failing.
 */
interface FilterShape {
  key: string;
  condition: SQL | undefined;
  values: Record<string, unknown>;
}

function taskFilterShape(filter: TaskFilter | null | undefined): FilterShape {
  const keys: string[] = [];
  const parts: SQL[] = [];
  const values: Record<string, unknown> = {};
  const add = (key: string, part: SQL, value?: unknown) => {
    keys.push(key);
    parts.push(part);
    if (value !== undefined) values[key] = value;
  };
  const none = (key: string) => add(`${key}:none`, NOTHING);
  const p = (key: string) => sql.placeholder(key);
  if (filter?.ids != null) {
    const ids = filter.ids.map(parseId).filter((id): id is string => id !== null);
    if (ids.length) add('ids', sql`${tasks.id} = ANY(${p('ids')}::uuid[])`, plainArrayLiteral(ids));
    else none('ids');
  }
  if (filter?.status != null) {
    // Statuses are plain identifiers: the array literal needs no quoting.
    if (filter.status.length) add('status', sql`${tasks.status} = ANY(${p('status')}::text[])`, plainArrayLiteral(filter.status));
    else none('status');
  }
  for (const [key, column] of [['jobId', tasks.jobId], ['parentId', tasks.parentId]] as const) {
    if (filter?.[key] == null) continue;
    const id = parseId(filter[key]);
    if (id) add(key, sql`${column} = ${p(key)}`, id);
    else none(key);
  }
  for (const [key, column] of [['thread', tasks.thread], ['name', tasks.name], ['refId', tasks.refId], ['residentOn', tasks.residentOn]] as const) {
    if (filter?.[key] != null) add(key, sql`${column} = ${p(key)}`, filter[key]);
  }
  if (filter?.createdAfter != null) add('createdAfter', sql`${tasks.createdAt} >= ${p('createdAfter')}`, filter.createdAfter.toISOString());
  if (filter?.createdBefore != null) add('createdBefore', sql`${tasks.createdAt} < ${p('createdBefore')}`, filter.createdBefore.toISOString());
  return { key: keys.join(','), condition: parts.length ? and(...parts) : undefined, values };
}

export type TaskColumn = keyof TaskRow;
export type JobColumn = keyof JobRow;

/**
 * The named columns of a table (all of them for null) in the table's own order, each with the name
 * its value has in a result row: the statement text depends on which columns a query needs, never on
 * the order a client listed its fields in.
 */
function fieldsOf(table: PgTable, columns: readonly string[] | null, prefix: string): ResultField[] {
  const wanted = columns && new Set(columns);
  return Object.entries(getTableColumns(table))
    .filter(([name]) => !wanted || wanted.has(name))
    .map(([key, column]) => ({ key, rowKey: prefix + key, column }));
}

/**
 * The job a row of a page came with, when listTasks joined jobs (see below): on the row itself, so that
 * `Task.job` finds it without a lookup. It was first kept in a per-request WeakMap keyed by the row;
 * WeakMap entries outlive young objects in V8's scavenges, and on the reads benchmark that map
 * kept every row of every page alive into the old generation (scavenges took 4.5 ms instead of 2).
 */
export const JOINED_JOB = Symbol('joinedJob');

/** A row of a page of tasks: its job is there when the page joined jobs. */
export type PageTask = TaskRow & { [JOINED_JOB]?: JobRow | null };

const pageStatements = new ShapedStatements<{ taskFields: ResultField[]; jobFields: ResultField[] }>();
const countStatements = new ShapedStatements();

/**
 * listTasks: one keyset page in creation order; fetches one extra row to learn whether more follow.
 * With `columns`, the rows hold only those columns (a projection for a page whose query needs few of
 * them; see src/schema/taskSelection.ts): they are typed as whole rows but must not be used as such.
 * With `jobColumns`, each row comes with its job (those columns of it, under JOINED_JOB) from a join in
 * the same query.
 * A task's job always exists (deleting a job deletes its tasks), so its id is the task's `jobId`:
 * only the other job columns are joined, and a page asking for nothing but `job { id }` joins nothing.
 *
 * The statement is built once per shape (filters, columns, first page or not). The rows are decoded
 * here with drizzle's own column decoders rather than by the select builder's row mapper: on a
 * 100-row page that mapper (a type check per cell, a path walk per column) cost about a tenth of the
 * whole request.
 */
export async function listTasks(
  ex: Executor,
  filter: TaskFilter | null | undefined,
  page: { afterSeq: number | null; limit: number },
  columns: readonly TaskColumn[] | null = null,
  jobColumns: readonly JobColumn[] | null = null,
): Promise<PageTask[]> {
  const shape = taskFilterShape(filter);
  const after = page.afterSeq !== null;
  // A job comes from its task's jobId (see above), which a projection must therefore include.
  const taskColumns = columns && jobColumns && !columns.includes('jobId') ? [...columns, 'jobId' as const] : columns;
  const key = `${shape.key}|${after}|${taskColumns?.join(',') ?? '*'}|${jobColumns?.join(',') ?? '-'}`;
  const { query, extra } = pageStatements.get(key, () => {
    const taskFields = fieldsOf(tasks, taskColumns, '');
    const jobFields = jobColumns ? fieldsOf(jobs, jobColumns.filter((column) => column !== 'id'), 'job.') : [];
    const selection = selectFields([...taskFields, ...jobFields]);
    const join = jobFields.length ? sql`LEFT JOIN ${jobs} ON ${jobs.id} = ${tasks.jobId}` : sql``;
    const where = and(shape.condition, after ? sql`${tasks.seq} > ${sql.placeholder('afterSeq')}` : undefined);
    const statement = sql`SELECT ${selection} FROM ${tasks} ${join} ${where ? sql`WHERE ${where}` : sql``} ORDER BY ${tasks.seq} LIMIT ${sql.placeholder('limit')}`;
    return { statement, extra: { taskFields, jobFields } };
  });
  const rows = await queryShaped<Record<string, unknown>>(ex, query, { ...shape.values, afterSeq: page.afterSeq, limit: page.limit + 1 });
  const { taskFields, jobFields } = extra;
  return rows.map((row) => {
    const task = decodeRow(row, taskFields) as PageTask;
    if (jobColumns) task[JOINED_JOB] = row.jobId != null ? (decodeRow(row, jobFields, { id: row.jobId }) as JobRow) : null;
    return task;
  });
}

export async function countTasks(ex: Executor, filter: TaskFilter | null | undefined): Promise<number> {
  const shape = taskFilterShape(filter);
  const { query } = countStatements.get(shape.key, () => ({
    statement: sql`SELECT count(*)::int AS count FROM ${tasks} ${shape.condition ? sql`WHERE ${shape.condition}` : sql``}`,
    extra: undefined,
  }));
  const [row] = await queryShaped<{ count: number }>(ex, query, shape.values);
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
    if (!isConcluded(row.status as TaskStatus)) progress.set(row.key, (progress.get(row.key) ?? 0) + Number(row.progress));
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
        sql`${tasks.status} NOT IN ${statusList(CONCLUDED_STATUSES)}`,
      ),
    )
    .orderBy(tasks.thread, asc(tasks.seq));
  return new Map(rows.map((row) => [row.thread!, row]));
}
