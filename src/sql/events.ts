import { and, asc, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { decodeRow, queryRows, queryShaped, selectFields, ShapedStatements, type Executor, type ResultField } from '../db/database.ts';
import { jobEvents, taskEvents } from '../db/tables.ts';
import { compareCursors, type EventCursor } from '../domain/cursors.ts';
import { DomainError } from '../domain/errors.ts';
import { parseId } from '../domain/ids.ts';
import type { JobStatus } from '../domain/jobStatus.ts';
import type { TaskStatus } from '../domain/taskStateMachine.ts';
import { uuidArray } from './params.ts';

/*
 * The event log and its cursor.
 *
 * task_events and job_events are append-only. Each row carries the id of the transaction that wrote
 * it (`txid`, from pg_current_xact_id()) and an identity `id`; the cursor of a row is (txid, id), and
 * readers walk the log in that order.
 *
 * Why not just `id`? Identity values are handed out when a row is inserted, long before the writing
 * transaction commits. Transaction A takes id 10, transaction B takes id 11 and commits first; a
 * reader that delivered 11 and remembered "after 11" would never see 10 once A commits. Ordering by
 * id alone therefore has gaps under concurrency, whatever the reader does.
 *
 * Why (txid, id) works: a reader only passes rows whose txid is below the xmin of its snapshot,
 * `pg_snapshot_xmin(pg_current_snapshot())`. Every transaction below xmin has finished (committed or
 * rolled back) and its rows are all visible to that snapshot; every transaction that can still commit
 * — running now, or not even started — has a txid ≥ xmin. So once a reader has delivered everything
 * up to some cursor (t, i) with t < xmin, no row can ever appear before that cursor: the delivered
 * prefix of the log is final. Rows of transactions ≥ xmin that have already committed are visible but
 * not yet "safe"; they are delivered as soon as xmin moves past them (the event hub re-reads shortly
 * after, see src/events/hub.ts). All rows of one transaction share a txid and are ordered by id,
 * which within one transaction is the insertion order.
 *
 * The snapshot that gives xmin is the statement's own snapshot (pg_current_snapshot() is the active
 * snapshot), so "txid < xmin" and "the row is visible" are judged against the same moment.
 *
 * Cost of this rule: a long-running transaction (in this database or another one of the cluster)
 * holds xmin back and delays delivery — never loses or reorders it.
 *
 * One more rule keeps each task's events in the order they happened. A transaction gets its txid
 * when it first writes or locks a row, and may then wait for a lock: an older transaction A can
 * change a task after a younger B changed it and committed. With A's own txid, A's event would sort
 * before B's although it came after. So writers stamp an event with nextEventTxid(): the greater of
 * their own txid and the txid of the row's latest event (tasks.event_txid, jobs.event_txid, read in
 * the UPDATE/DELETE itself, which sees the newest committed row version). The safety argument above
 * still holds: the stamp is never below the writer's own txid, so never below the xmin of a reader
 * that could see the row.
 */

/** The cursor txid for a new event of a row whose latest event was stamped `lastTxid` (see above). */
export function nextEventTxid(lastTxid: SQL): SQL {
  return sql`GREATEST(pg_current_xact_id()::text::bigint, ${lastTxid})`;
}

/**
 * The tail of a statement that writes task events in the CTE `written` (`INSERT … RETURNING txid,
 * id`): one row, the cursor of the last event it wrote (none when it wrote none). Mutations answer
 * this cursor (`TaskBatchPayload.cursor`) so that a client can subscribe right after its own write.
 *
 * Every later change of a task the statement wrote an event for sorts after that cursor: its txid is
 * at least this event's (nextEventTxid), and its id is larger, as it is inserted after our commit.
 * Changes of other tasks by an older transaction that commits later may sort before it; those are
 * no consequence of this write.
 */
export const LAST_WRITTEN_EVENT = sql`SELECT txid::text AS last_txid, id::text AS last_id FROM written ORDER BY txid DESC, id DESC LIMIT 1`;

/** The cursor a statement ending in LAST_WRITTEN_EVENT reported, null when it wrote no event. */
export function lastWrittenCursor(rows: readonly { last_txid: string | null; last_id: string | null }[]): EventCursor | null {
  const row = rows[0];
  return row?.last_txid != null && row.last_id != null ? { txid: BigInt(row.last_txid), id: BigInt(row.last_id) } : null;
}

/** The later of two cursors, either of which may be absent: the last event of several statements. */
export function laterCursor(a: EventCursor | null, b: EventCursor | null): EventCursor | null {
  if (a === null) return b;
  if (b === null) return a;
  return compareCursors(a, b) >= 0 ? a : b;
}

export const TASK_EVENT_KINDS = ['CREATED', 'STATUS_CHANGED', 'PROGRESS', 'DELETED'] as const;
export type TaskEventKind = (typeof TASK_EVENT_KINDS)[number];

export interface TaskEventRecord {
  id: number;
  txid: number;
  kind: TaskEventKind;
  taskId: string;
  jobId: string | null;
  thread: string | null;
  previousStatus: TaskStatus | null;
  status: TaskStatus | null;
  progress: number | null;
  at: Date;
}

export interface JobEventRecord {
  id: number;
  txid: number;
  jobId: string;
  previousStatus: JobStatus | null;
  status: JobStatus;
  at: Date;
}

/** A row read by the event hub: `safe` says whether its transaction is below the snapshot's xmin. */
export type WithSafety<T> = T & { safe: boolean };

/** Filter of task events (the contract's TaskEventFilter). Malformed ids match nothing. */
export interface TaskEventFilter {
  taskIds?: readonly string[] | null;
  jobId?: string | null;
  thread?: string | null;
  kinds?: readonly TaskEventKind[] | null;
  statuses?: readonly TaskStatus[] | null;
}

export interface EventRange {
  /** Exclusive lower bound; the start of the retained log when null. */
  after: EventCursor | null;
  /** Inclusive upper bound (a subscriber's replay stops where the live feed starts). */
  upTo?: EventCursor | null;
  limit: number;
}

/** The oldest transaction that can still commit, as of this statement's snapshot. */
const SNAPSHOT_XMIN = sql`(SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint)`;

const NOTHING = sql`false`;

/** Cursors travel as text and are cast, so they stay exact on both drivers whatever their size. */
function rowAfter(txid: SQL | unknown, id: SQL | unknown, cursor: EventCursor): SQL {
  return sql`(${txid}, ${id}) > (${cursor.txid.toString()}::bigint, ${cursor.id.toString()}::bigint)`;
}

function rowAtOrBefore(txid: SQL | unknown, id: SQL | unknown, cursor: EventCursor): SQL {
  return sql`(${txid}, ${id}) <= (${cursor.txid.toString()}::bigint, ${cursor.id.toString()}::bigint)`;
}

/**
 * The rows of a range that readers may pass: after `after`, up to `upTo`, and final (their
 * transaction is below the snapshot's xmin, see the comment at the top). Every reader of either log
 * goes through here, so the safety rule is stated once.
 */
function finalRowsInRange(txid: SQL | unknown, id: SQL | unknown, range: Pick<EventRange, 'after' | 'upTo'>): SQL | undefined {
  return and(
    range.after ? rowAfter(txid, id, range.after) : undefined,
    range.upTo ? rowAtOrBefore(txid, id, range.upTo) : undefined,
    sql`${txid} < ${SNAPSHOT_XMIN}`,
  );
}

export function taskEventFilterCondition(filter: TaskEventFilter | null | undefined): SQL | undefined {
  if (!filter) return undefined;
  const parts: SQL[] = [];
  if (filter.taskIds != null) {
    const ids = filter.taskIds.map(parseId).filter((id): id is string => id !== null);
    parts.push(ids.length ? sql`${taskEvents.taskId} = ANY(${uuidArray(ids)})` : NOTHING);
  }
  if (filter.jobId != null) {
    const id = parseId(filter.jobId);
    parts.push(id ? eq(taskEvents.jobId, id) : NOTHING);
  }
  if (filter.thread != null) parts.push(eq(taskEvents.thread, filter.thread));
  if (filter.kinds != null) parts.push(filter.kinds.length ? inArray(taskEvents.kind, [...filter.kinds]) : NOTHING);
  if (filter.statuses != null) {
    parts.push(filter.statuses.length ? inArray(taskEvents.status, [...filter.statuses]) : NOTHING);
  }
  return parts.length ? and(...parts) : undefined;
}

const taskEventColumns = {
  id: taskEvents.id,
  txid: taskEvents.txid,
  kind: taskEvents.kind,
  taskId: taskEvents.taskId,
  jobId: taskEvents.jobId,
  thread: taskEvents.thread,
  previousStatus: taskEvents.previousStatus,
  status: taskEvents.status,
  progress: taskEvents.progress,
  at: taskEvents.at,
};

const jobEventColumns = {
  id: jobEvents.id,
  txid: jobEvents.txid,
  jobId: jobEvents.jobId,
  previousStatus: jobEvents.previousStatus,
  status: jobEvents.status,
  at: jobEvents.at,
};

/**
 * readTaskEventsAfter: the final ("safe") task events after a cursor, in cursor order. Polling
 * clients (the `taskEvents` query, `Task.events`) and subscription replays read through here, so a
 * page never ends on a cursor that a later commit could precede.
 */
export async function readTaskEventsAfter(
  ex: Executor,
  range: EventRange & { filter?: TaskEventFilter | null },
): Promise<TaskEventRecord[]> {
  const rows = await ex
    .select(taskEventColumns)
    .from(taskEvents)
    .where(
      and(
        finalRowsInRange(taskEvents.txid, taskEvents.id, range),
        taskEventFilterCondition(range.filter),
      ),
    )
    .orderBy(asc(taskEvents.txid), asc(taskEvents.id))
    .limit(range.limit);
  return rows as TaskEventRecord[];
}

/**
 * readTaskEventsOfTasks: the first `limit` final events of each of these tasks after a cursor, in one
 * statement (`Task.events` on a page of tasks); the result is in task, then cursor order.
 */
export async function readTaskEventsOfTasks(
  ex: Executor,
  taskIds: readonly string[],
  range: EventRange,
): Promise<TaskEventRecord[]> {
  if (taskIds.length === 0) return [];
  const ranked = ex
    .select({
      ...taskEventColumns,
      rank: sql<number>`row_number() OVER (PARTITION BY ${taskEvents.taskId} ORDER BY ${taskEvents.txid}, ${taskEvents.id})`.as(
        'rank',
      ),
    })
    .from(taskEvents)
    .where(
      and(
        sql`${taskEvents.taskId} = ANY(${uuidArray(taskIds)})`,
        finalRowsInRange(taskEvents.txid, taskEvents.id, range),
      ),
    )
    .as('ranked');
  const rows = await ex
    .select({
      id: ranked.id,
      txid: ranked.txid,
      kind: ranked.kind,
      taskId: ranked.taskId,
      jobId: ranked.jobId,
      thread: ranked.thread,
      previousStatus: ranked.previousStatus,
      status: ranked.status,
      progress: ranked.progress,
      at: ranked.at,
    })
    .from(ranked)
    .where(sql`${ranked.rank} <= ${range.limit}`)
    .orderBy(asc(ranked.taskId), asc(ranked.txid), asc(ranked.id));
  return rows as TaskEventRecord[];
}

/** readJobEventsAfter: the final job events after a cursor, in cursor order (see readTaskEventsAfter). */
export async function readJobEventsAfter(
  ex: Executor,
  range: EventRange & { jobId?: string | null },
): Promise<JobEventRecord[]> {
  let jobCondition: SQL | undefined;
  if (range.jobId != null) {
    const id = parseId(range.jobId);
    jobCondition = id ? eq(jobEvents.jobId, id) : NOTHING;
  }
  const rows = await ex
    .select(jobEventColumns)
    .from(jobEvents)
    .where(
      and(
        finalRowsInRange(jobEvents.txid, jobEvents.id, range),
        jobCondition,
      ),
    )
    .orderBy(asc(jobEvents.txid), asc(jobEvents.id))
    .limit(range.limit);
  return rows as JobEventRecord[];
}

/**
 * readNewTaskEvents: what the event hub reads on every wake-up — every visible row after its
 * position, each marked `safe` or not. Safe rows form a prefix (they are ordered by txid); the hub
 * publishes that prefix and, when unsafe rows follow, reads again shortly after.
 */
export function readNewTaskEvents(ex: Executor, after: EventCursor, limit: number): Promise<WithSafety<TaskEventRecord>[]> {
  return readNewEvents<TaskEventRecord>(ex, 'task', after, limit);
}

/** readNewJobEvents: the job-event counterpart of readNewTaskEvents. */
export function readNewJobEvents(ex: Executor, after: EventCursor, limit: number): Promise<WithSafety<JobEventRecord>[]> {
  return readNewEvents<JobEventRecord>(ex, 'job', after, limit);
}

/**
 * The hub's read of each log, built once (it runs after every commit anywhere: building it with the
 * query builder each time was a few percent of a busy server's CPU), with the columns it decodes.
 */
const newEventStatements = new ShapedStatements<ResultField[]>();

async function readNewEvents<R>(ex: Executor, log: EventLog, after: EventCursor, limit: number): Promise<WithSafety<R>[]> {
  const { query, extra: fields } = newEventStatements.get(log, () => {
    const table = logTable(log);
    const fields = Object.entries(log === 'task' ? taskEventColumns : jobEventColumns).map(([key, column]) => ({ key, rowKey: key, column }));
    return {
      statement: sql`/* readNewEvents */ SELECT ${selectFields(fields)}, (${table.txid} < ${SNAPSHOT_XMIN}) AS safe FROM ${table}
        WHERE (${table.txid}, ${table.id}) > (${sql.placeholder('txid')}::bigint, ${sql.placeholder('id')}::bigint)
        ORDER BY ${table.txid}, ${table.id} LIMIT ${sql.placeholder('limit')}`,
      extra: fields,
    };
  });
  const rows = await queryShaped<Record<string, unknown>>(ex, query, { txid: after.txid.toString(), id: after.id.toString(), limit });
  return rows.map((raw) => decodeRow(raw, fields, { safe: raw.safe === true }) as WithSafety<R>);
}

export type EventLog = 'task' | 'job';

function logTable(log: EventLog) {
  return log === 'task' ? taskEvents : jobEvents;
}

/**
 * readSafeFrontier: the cursor of the newest safe row of a log, (0, 0) when it has none. A hub
 * starts there ("live from now") and moves there while nobody listens, instead of reading rows that
 * nobody wants.
 */
export async function readSafeFrontier(ex: Executor, log: EventLog): Promise<EventCursor> {
  const table = logTable(log);
  const [row] = await ex
    .select({ txid: sql<string>`${table.txid}::text`, id: sql<string>`${table.id}::text` })
    .from(table)
    // Named, so that it goes out as a prepared statement: the event hub runs it after every NOTIFY.
    .where(sql`/* readSafeFrontier */ ${table.txid} < ${SNAPSHOT_XMIN}`)
    .orderBy(desc(table.txid), desc(table.id))
    .limit(1);
  return row ? { txid: BigInt(row.txid), id: BigInt(row.id) } : { txid: 0n, id: 0n };
}

/**
 * readLiveStart: where a subscription without `after` starts — the safe frontier, plus the rows
 * already committed beyond it (an older transaction still open holds them back). Those happened
 * before the subscription, so it skips them; rows that commit later are after "now" and delivered.
 * (Capped: a pathological backlog of more than `cap` such rows starts a little early rather than
 * holding the list.)
 */
export async function readLiveStart(
  ex: Executor,
  log: EventLog,
  cap = 10_000,
): Promise<{ frontier: EventCursor; alreadyCommitted: EventCursor[] }> {
  const t = sql.identifier(log === 'task' ? 'task_events' : 'job_events');
  const rows = await queryRows<{ txid: string; id: string; safe: boolean }>(
    ex,
    sql`
      /* readLiveStart */
      WITH frontier AS (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin)
      (SELECT e.txid::text AS txid, e.id::text AS id, true AS safe FROM ${t} e, frontier f
        WHERE e.txid < f.xmin ORDER BY e.txid DESC, e.id DESC LIMIT 1)
      UNION ALL
      (SELECT e.txid::text, e.id::text, false FROM ${t} e, frontier f
        WHERE e.txid >= f.xmin ORDER BY e.txid, e.id LIMIT ${cap})
    `,
  );
  const cursor = (r: { txid: string; id: string }) => ({ txid: BigInt(r.txid), id: BigInt(r.id) });
  const safe = rows.find((r) => r.safe);
  return {
    frontier: safe ? cursor(safe) : { txid: 0n, id: 0n },
    alreadyCommitted: rows.filter((r) => !r.safe).map(cursor),
  };
}

/**
 * assertCursorRetained: fails with a clear error when events after `after` may have been pruned.
 *
 * Pruning (pruneEvents) only ever deletes a prefix of the log in cursor order and always keeps the
 * newest safe row, so "every row after `after` is still there" holds exactly when `after` is not
 * older than the oldest row left. (A client holding the cursor of the very last pruned row is told so
 * too, although it missed nothing: the error errs on the safe side.)
 */
export async function assertCursorRetained(ex: Executor, log: EventLog, after: EventCursor): Promise<void> {
  const table = logTable(log);
  const [row] = await ex
    .select({ txid: sql<string>`${table.txid}::text`, id: sql<string>`${table.id}::text` })
    .from(table)
    .orderBy(asc(table.txid), asc(table.id))
    .limit(1);
  if (!row) return;
  const oldest = { txid: BigInt(row.txid), id: BigInt(row.id) };
  if (compareCursors(after, oldest) < 0) {
    throw new DomainError(
      'The cursor `after` is older than the retained event log (events are kept for a limited time and the ones after ' +
        'this cursor have been pruned). Reload the current state and subscribe again without `after`.',
      { code: 'CURSOR_EXPIRED' },
    );
  }
}

/**
 * pruneEvents: deletes events older than `cutoff` from both logs, at most `batch` rows per log per
 * call (the sweeper calls it every tick, so a backlog drains over a few ticks without one huge
 * transaction).
 *
 * It deletes a prefix in cursor order: every row before the first safe row that is still young (or,
 * when all are old, before the newest safe row, which is kept as the anchor that
 * assertCursorRetained compares cursors with). A row's `at` is its transaction's start time, which
 * is not monotonic in cursor order; cutting at the first young row keeps every young row and never
 * leaves a hole in the middle of the log. Two sweepers running this at once compute the same prefix,
 * so what is left is a prefix whichever commits first.
 */
export async function pruneEvents(ex: Executor, cutoff: Date, batch = 20_000): Promise<number> {
  let deleted = 0;
  for (const table of ['task_events', 'job_events'] as const) {
    const t = sql.identifier(table);
    const [row] = await queryRows<{ count: number }>(
      ex,
      sql`
        /* pruneEvents */
        WITH frontier AS (
          SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin
        ), boundary AS (
          (SELECT e.txid, e.id, 0 AS preference FROM ${t} e, frontier f
            WHERE e.txid < f.xmin AND e.at >= ${cutoff.toISOString()}::timestamptz
            ORDER BY e.txid, e.id LIMIT 1)
          UNION ALL
          (SELECT e.txid, e.id, 1 AS preference FROM ${t} e, frontier f
            WHERE e.txid < f.xmin
            ORDER BY e.txid DESC, e.id DESC LIMIT 1)
          ORDER BY preference LIMIT 1
        ), doomed AS (
          SELECT e.id FROM ${t} e, boundary b
          WHERE (e.txid, e.id) < (b.txid, b.id)
          ORDER BY e.txid, e.id
          LIMIT ${batch}
        ), gone AS (
          DELETE FROM ${t} WHERE id IN (SELECT id FROM doomed) RETURNING 1
        )
        SELECT count(*)::int AS count FROM gone
      `,
    );
    deleted += Number(row?.count ?? 0);
  }
  return deleted;
}
