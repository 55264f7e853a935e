import { sql, type SQL } from 'drizzle-orm';
import { EVENTS_CHANNEL, queryRows, type Executor } from '../db/database.ts';
import type { EventCursor } from '../domain/cursors.ts';
import type { ConcludeOutcome, StatusEffect, TaskStatus } from '../domain/taskStateMachine.ts';
import { LAST_WRITTEN_EVENT, lastWrittenCursor, nextEventTxid } from './events.ts';
import { jsonParam, plainArrayLiteral, textArray, uuidArray } from './params.ts';
import { resetRunColumns } from './taskRules.ts';

/** A task row locked by a command, with what the command path needs to decide and to order. */
export interface LockedTask {
  id: string;
  status: TaskStatus;
  jobId: string | null;
  jobIndex: number | null;
  refId: string | null;
  thread: string | null;
  seq: number;
  attempts: number;
  residentOn: string | null;
  destroyPending: boolean;
  /** A delayed conclusion is waiting for the sweeper. */
  hasPendingConclusion: boolean;
}

/** Which tasks a command addresses, as SQL sees them. */
export type TaskSelection =
  | { kind: 'ids'; ids: readonly string[] }
  | { kind: 'refIds'; refIds: readonly string[] }
  | { kind: 'job'; jobId: string; indices: readonly number[] | null }
  | { kind: 'thread'; thread: string }
  /** Tasks of these jobs in these statuses (suspendJobs / resumeJobs). */
  | { kind: 'jobs'; jobIds: readonly string[]; statuses: readonly TaskStatus[]; suspendedByJob?: boolean };

function selectionCondition(selection: TaskSelection): SQL {
  switch (selection.kind) {
    case 'ids':
      return sql`id = ANY(${uuidArray(selection.ids)})`;
    case 'refIds':
      return sql`ref_id = ANY(${textArray(selection.refIds)})`;
    case 'job':
      return selection.indices === null
        ? sql`job_id = ${selection.jobId}`
        : sql`job_id = ${selection.jobId} AND job_index = ANY(${plainArrayLiteral(selection.indices)}::int[])`;
    case 'thread':
      return sql`thread = ${selection.thread}`;
    case 'jobs': {
      const byJob = selection.suspendedByJob === undefined ? sql`` : sql` AND suspended_by_job = ${selection.suspendedByJob}`;
      return sql`job_id = ANY(${uuidArray(selection.jobIds)}) AND status = ANY(${textArray(selection.statuses)})${byJob}`;
    }
  }
}

interface LockedRow {
  id: string;
  status: TaskStatus;
  job_id: string | null;
  job_index: number | null;
  ref_id: string | null;
  thread: string | null;
  seq: string;
  attempts: number;
  resident_on: string | null;
  destroy_pending: boolean;
  has_pending: boolean;
}

/**
 * lockTasks: locks the selected task rows FOR UPDATE and returns their current state.
 *
 * Every writer that changes several tasks locks them here first, always in id order (LockRows sits
 * above the Sort, so the locks are taken in that order): two commands over overlapping sets then
 * queue up behind each other instead of deadlocking, and once this returns nobody else can change
 * these rows until we commit, so the state machine's decision in JS stays true for the UPDATE that
 * follows. Job rows are locked only afterwards (refreshJobStatuses), the same order everywhere.
 */
export async function lockTasks(ex: Executor, selection: TaskSelection): Promise<LockedTask[]> {
  const rows = await queryRows<LockedRow>(
    ex,
    sql`
      /* lockTasks */
      SELECT id::text AS id, status, job_id::text AS job_id, job_index::int AS job_index, ref_id, thread,
             seq::text AS seq, attempts::int AS attempts, resident_on, destroy_pending,
             pending_conclusion IS NOT NULL AS has_pending
      FROM tasks WHERE ${selectionCondition(selection)}
      ORDER BY id FOR UPDATE`,
  );
  return rows.map((r) => ({
    id: r.id,
    status: r.status,
    jobId: r.job_id,
    jobIndex: r.job_index === null ? null : Number(r.job_index),
    refId: r.ref_id,
    thread: r.thread,
    seq: Number(r.seq),
    attempts: Number(r.attempts),
    residentOn: r.resident_on,
    destroyPending: r.destroy_pending,
    hasPendingConclusion: r.has_pending,
  }));
}

/**
 * jobSuspension: the suspended flag of these jobs, read after their tasks were locked. A separate
 * statement on purpose: in READ COMMITTED it takes a fresh snapshot, so it sees a suspendJobs that
 * committed while we waited for the task locks (suspendJobs locks the tasks before the job flag).
 */
export async function jobSuspension(ex: Executor, jobIds: readonly string[]): Promise<Map<string, boolean>> {
  if (jobIds.length === 0) return new Map();
  const rows = await queryRows<{ id: string; suspended: boolean }>(
    ex,
    sql`/* jobSuspension */ SELECT id::text AS id, suspended FROM jobs WHERE id = ANY(${uuidArray(jobIds)})`,
  );
  return new Map(rows.map((r) => [r.id, r.suspended]));
}

/** threadExists: whether a thread of this name was ever created (by a task or by pauseThread). */
export async function threadExists(ex: Executor, name: string): Promise<boolean> {
  const rows = await queryRows<{ one: number }>(ex, sql`/* threadExists */ SELECT 1 AS one FROM threads WHERE name = ${name}`);
  return rows.length > 0;
}

function effectRows(effects: readonly StatusEffect[]) {
  return effects.map((e) => ({
    from_status: e.from,
    to_status: e.to,
    revoke: e.revokeClaim,
    reset: e.resetRun,
    conclude: e.conclude,
    progress_one: e.progressOne,
    defer_delete: e.deferDelete,
    keep_pending: e.keepPendingConclusion,
  }));
}

const EFFECT_COLUMNS = sql.raw(`
  from_status text, to_status text, revoke boolean, reset boolean, conclude boolean,
  progress_one boolean, defer_delete boolean, keep_pending boolean`);

/** The run reset of an effect row `e`, and otherwise what its other flags do to the same columns. */
const APPLY_RUN_RESET = resetRunColumns(sql`e.reset`, {
  progress: sql`CASE WHEN e.progress_one THEN 1 ELSE t.progress END`,
  leaseExpiresAt: sql`CASE WHEN e.revoke THEN NULL ELSE t.lease_expires_at END`,
  heartbeatAt: sql`CASE WHEN e.revoke THEN NULL ELSE t.heartbeat_at END`,
  finishedAt: sql`CASE WHEN e.conclude THEN now() ELSE t.finished_at END`,
});

/**
 * applyTransitions: moves the (already locked) tasks `ids` by the effect of their status, in one
 * statement that also writes a STATUS_CHANGED event (previous and new status) for every task whose
 * status changed. `suspendedByJob` marks the tasks that suspendJobs suspends, so resumeJobs requeues
 * exactly those; every other transition clears the mark. Returns the cursor of the last event.
 */
export async function applyTransitions(
  ex: Executor,
  ids: readonly string[],
  effects: readonly StatusEffect[],
  suspendedByJob = false,
): Promise<EventCursor | null> {
  if (ids.length === 0) return null;
  const written = await queryRows<{ last_txid: string; last_id: string }>(
    ex,
    sql`
      /* applyTransitions */
      WITH effect AS (
        SELECT * FROM jsonb_to_recordset(${jsonParam(effectRows(effects))}) AS e(${EFFECT_COLUMNS})
      ), updated AS (
        UPDATE tasks t SET
          status = e.to_status,
          ${APPLY_RUN_RESET},
          destroy_pending = t.destroy_pending OR e.defer_delete,
          suspended_by_job = ${suspendedByJob},
          pending_conclusion = CASE WHEN e.keep_pending THEN t.pending_conclusion ELSE NULL END,
          conclude_at = CASE WHEN e.keep_pending THEN t.conclude_at ELSE NULL END,
          event_txid = ${nextEventTxid(sql`t.event_txid`)}
        FROM effect e
        WHERE t.id = ANY(${uuidArray(ids)}) AND t.status = e.from_status
        RETURNING t.id, t.job_id, t.thread, t.seq, t.event_txid, e.from_status AS previous, e.to_status AS status
      ), written AS (
        INSERT INTO task_events (kind, task_id, job_id, thread, previous_status, status, txid)
        SELECT 'STATUS_CHANGED', id, job_id, thread, previous, status, event_txid FROM updated
        WHERE previous <> status ORDER BY seq
        RETURNING txid, id
      )
      ${LAST_WRITTEN_EVENT}
    `,
  );
  return lastWrittenCursor(written);
}

/**
 * deleteTasksWithLog: deletes the (already locked) tasks `ids` and their event log, in one
 * statement. A task the effect moves to another status first gets that STATUS_CHANGED event
 * (destroy = cancel, then clean), and every deleted task gets a DELETED event (previousStatus = its
 * last status): the only rows of its log that stay, so subscribers learn that it is gone.
 *
 * The purge cannot remove the events this statement writes: all parts of one statement see the
 * same snapshot, taken before the INSERT. The events come from one INSERT … ORDER BY, so each
 * task's STATUS_CHANGED gets a smaller id than its DELETED (sibling CTEs have no defined order).
 * Returns the cursor of the last event.
 */
export async function deleteTasksWithLog(
  ex: Executor,
  ids: readonly string[],
  effects: readonly StatusEffect[],
): Promise<EventCursor | null> {
  if (ids.length === 0) return null;
  const idArray = uuidArray(ids);
  const written = await queryRows<{ last_txid: string; last_id: string }>(
    ex,
    sql`
      /* deleteTasksWithLog */
      WITH effect AS (
        SELECT * FROM jsonb_to_recordset(${jsonParam(effectRows(effects))}) AS e(${EFFECT_COLUMNS})
      ), removed AS (
        DELETE FROM tasks t USING effect e
        WHERE t.id = ANY(${idArray}) AND t.status = e.from_status
        RETURNING t.id, t.job_id, t.thread, t.seq, ${nextEventTxid(sql`t.event_txid`)} AS event_txid,
                  e.from_status AS previous, e.to_status AS status
      ), purged AS (
        DELETE FROM task_events WHERE task_id = ANY(${idArray})
      ), written AS (
        INSERT INTO task_events (kind, task_id, job_id, thread, previous_status, status, txid)
        SELECT kind, id, job_id, thread, previous_status, status, event_txid FROM (
          SELECT 'STATUS_CHANGED' AS kind, id, job_id, thread, previous AS previous_status, status, event_txid, seq, 0 AS step
          FROM removed WHERE previous <> status
          UNION ALL
          SELECT 'DELETED', id, job_id, thread, status, NULL, event_txid, seq, 1 FROM removed
        ) AS events ORDER BY seq, step
        RETURNING txid, id
      )
      ${LAST_WRITTEN_EVENT}
    `,
  );
  return lastWrittenCursor(written);
}

/** One conclusion to write: the locked task, its new (concluded) status and what the worker reported. */
export interface Conclusion {
  id: string;
  previous: TaskStatus;
  status: TaskStatus;
  result: unknown;
  resultType: string | null;
  errorInfo: readonly string[];
  progressOne: boolean;
}

/**
 * concludeTasks: writes conclusions (status, result, resultType, errorInfo, finishedAt, lease
 * released) with their STATUS_CHANGED events, in one statement that also sends the transaction's
 * NOTIFY when it changed anything (sent at commit; see notifyEvents). Used by concludeTasks and by
 * the sweep step that applies delayed conclusions. Returns how many tasks it concluded and the
 * cursor of the last event.
 */
export async function concludeTasks(
  ex: Executor,
  items: readonly Conclusion[],
): Promise<{ concluded: number; cursor: EventCursor | null }> {
  if (items.length === 0) return { concluded: 0, cursor: null };
  const input = items.map((c) => ({
    id: c.id,
    previous: c.previous,
    status: c.status,
    // Wrapped in an object: jsonb_to_recordset reads any JSON value of the column then, scalars included.
    result: c.result == null ? null : { value: c.result },
    result_type: c.resultType,
    error_info: c.errorInfo,
    progress_one: c.progressOne,
  }));
  const [row] = await queryRows<{ concluded: number; last_txid: string | null; last_id: string | null }>(
    ex,
    sql`
      /* concludeTasks */
      WITH input AS (
        SELECT * FROM jsonb_to_recordset(${jsonParam(input)}) AS x(
          id uuid, previous text, status text, result jsonb, result_type text, error_info jsonb, progress_one boolean)
      ), updated AS (
        UPDATE tasks t SET
          status = i.status,
          result = i.result -> 'value',
          result_type = i.result_type,
          error_info = ARRAY(SELECT jsonb_array_elements_text(coalesce(i.error_info, '[]'::jsonb))),
          progress = CASE WHEN i.progress_one THEN 1 ELSE t.progress END,
          lease_expires_at = NULL,
          heartbeat_at = NULL,
          finished_at = now(),
          suspended_by_job = false,
          pending_conclusion = NULL,
          conclude_at = NULL,
          event_txid = ${nextEventTxid(sql`t.event_txid`)}
        FROM input i
        WHERE t.id = i.id AND t.status = i.previous
        RETURNING t.id, t.job_id, t.thread, t.seq, t.event_txid, i.previous, i.status
      ), written AS (
        INSERT INTO task_events (kind, task_id, job_id, thread, previous_status, status, txid)
        SELECT 'STATUS_CHANGED', id, job_id, thread, previous, status, event_txid FROM updated
        WHERE previous <> status ORDER BY seq
        RETURNING txid, id
      ), notified AS (
        SELECT pg_notify(${EVENTS_CHANNEL}, '') FROM (SELECT 1 FROM updated LIMIT 1) AS any_row
      )
      SELECT (SELECT count(*) FROM updated)::int AS concluded, (SELECT count(*) FROM notified)::int AS notified, last.*
      FROM (SELECT 1) AS one LEFT JOIN LATERAL (${LAST_WRITTEN_EVENT}) AS last ON true
    `,
  );
  return { concluded: Number(row!.concluded), cursor: lastWrittenCursor([row!]) };
}

/** A conclusion accepted with delayMs, stored on the task until the sweeper applies it. */
export interface PendingConclusion {
  outcome: ConcludeOutcome;
  result: unknown;
  resultType: string | null;
  errorInfo: string[];
  /** The attempt it belongs to: a conclusion of an earlier attempt never lands on a later one. */
  attempt: number;
}

/** One delayed conclusion to store: the locked task, what the worker reported and the delay. */
export interface PendingConclusionItem {
  id: string;
  conclusion: PendingConclusion;
  delayMs: number;
}

/**
 * storePendingConclusions: keeps delayed conclusions in their task rows, in one statement (durable:
 * a restart loses nothing, any instance's sweeper applies them). A held task's lease is stretched
 * past the moment of conclusion so that lease expiry does not requeue a task whose worker has
 * already finished. Returns when they are due, in epoch milliseconds of the database clock: the
 * latest moment per distinct delay (so at most one per millisecond of delay, whatever the count).
 */
export async function storePendingConclusions(ex: Executor, items: readonly PendingConclusionItem[]): Promise<number[]> {
  if (items.length === 0) return [];
  const input = items.map((i) => ({ id: i.id, conclusion: i.conclusion, delay_ms: i.delayMs }));
  const rows = await queryRows<{ due: string }>(
    ex,
    sql`
      /* storePendingConclusions */
      WITH input AS (
        SELECT * FROM jsonb_to_recordset(${jsonParam(input)}) AS x(id uuid, conclusion jsonb, delay_ms int)
      ), updated AS (
        UPDATE tasks t SET
          pending_conclusion = i.conclusion,
          conclude_at = clock_timestamp() + make_interval(secs => i.delay_ms::float8 / 1000),
          lease_expires_at = CASE WHEN t.lease_expires_at IS NULL THEN NULL
                                  ELSE greatest(t.lease_expires_at, clock_timestamp() + make_interval(secs => i.delay_ms::float8 / 1000 + 30)) END
        FROM input i
        WHERE t.id = i.id
        RETURNING t.conclude_at, i.delay_ms
      )
      SELECT (extract(epoch FROM max(conclude_at)) * 1000)::float8::text AS due FROM updated GROUP BY delay_ms ORDER BY 1`,
  );
  return rows.map((r) => Number(r.due));
}

export interface DueConclusion {
  id: string;
  status: TaskStatus;
  jobId: string | null;
  attempts: number;
  destroyPending: boolean;
  conclusion: PendingConclusion;
}

/**
 * lockDueConclusions: the delayed conclusions whose time has come, locked. SKIP LOCKED lets every
 * server instance's sweeper run this at once without two of them taking the same task, and a task
 * an operator command holds right now is simply taken on the next tick. clock_timestamp(), not
 * now(): the sweeper is woken for the exact due time, and now() is when the transaction began.
 * Wrapped in a sub-select so it is computed once (an init plan) and tasks_conclude_at_idx serves the
 * scan; a bare volatile call would be evaluated per row and force a scan of the whole table.
 * Oldest first, by that index; the id order other lockers use is not needed, since SKIP LOCKED
 * never waits for a task lock (job rows are locked afterwards, in id order, as everywhere).
 */
export async function lockDueConclusions(ex: Executor, limit: number): Promise<DueConclusion[]> {
  const rows = await queryRows<{
    id: string;
    status: TaskStatus;
    job_id: string | null;
    attempts: number;
    destroy_pending: boolean;
    pending: string | null;
  }>(
    ex,
    sql`
      /* lockDueConclusions */
      SELECT id::text AS id, status, job_id::text AS job_id, attempts::int AS attempts, destroy_pending,
             pending_conclusion::text AS pending
      FROM tasks WHERE conclude_at <= (SELECT clock_timestamp())
      ORDER BY conclude_at LIMIT ${limit} FOR UPDATE SKIP LOCKED`,
  );
  return rows.map((r) => ({
    id: r.id,
    status: r.status,
    jobId: r.job_id,
    attempts: Number(r.attempts),
    destroyPending: r.destroy_pending,
    conclusion: JSON.parse(r.pending ?? 'null') as PendingConclusion,
  }));
}

/** clearPendingConclusions: drops delayed conclusions that no longer apply (a later attempt, already concluded). */
export async function clearPendingConclusions(ex: Executor, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await ex.execute(sql`
    /* clearPendingConclusions */
    UPDATE tasks SET pending_conclusion = NULL, conclude_at = NULL WHERE id = ANY(${uuidArray(ids)})`);
}
