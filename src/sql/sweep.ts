import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../db/database.ts';
import { JOB_FINISHED_STATUSES } from '../domain/jobStatus.ts';
import {
  ABANDONED_CANCEL,
  CONCLUDED_STATUSES,
  isConcluded,
  LEASE_EXPIRY,
  RETENTION_EFFECTS,
  TIMEOUT,
  type TaskStatus,
} from '../domain/taskStateMachine.ts';
import { nextEventTxid } from './events.ts';
import { applyTransitions, deleteTasksWithLog } from './taskCommands.ts';
import { uuidArray } from './params.ts';
import { statusList, statusLiteral } from './statusSets.ts';
import { resetRunColumns } from './taskRules.ts';

/**
 * The sweeper's statements. Every one locks the rows it changes with `FOR UPDATE SKIP LOCKED`, so the
 * sweepers of several server instances run them at once without two taking one row, and a row that a
 * command or a heartbeat holds right now is simply left for the next tick (a heartbeat that wins the
 * race has just extended the lease, so the row would no longer qualify anyway). Each writes the
 * STATUS_CHANGED events of what it changed in the same statement and returns the touched job ids
 * for refreshJobStatuses. At most `limit` rows per call: a backlog drains over a few ticks.
 *
 * Open tasks (`open = true`) are concluded only by an explicit concludeTask (DESIGN.md "Workers"):
 * none of these statements touches them. A task with a delayed conclusion pending is skipped too:
 * its worker has finished, the conclusion is about to land (applyDueConclusions).
 */

const NOT_EXEMPT = sql`NOT t.open AND t.pending_conclusion IS NULL`;

/** A retry resets the run; an exhausted task keeps it and concludes. The lease ends either way. */
const EXPIRY_RUN_RESET = resetRunColumns(sql`e.retry`, {
  errorInfo: sql`ARRAY[${sql.join(LEASE_EXPIRY.errorInfo.map((code) => sql`${code}`), sql`, `)}]::text[]`,
  finishedAt: sql`now()`,
  leaseExpiresAt: 'reset',
  heartbeatAt: 'reset',
});

/**
 * expireLeases: RUNNING tasks whose lease expired (the worker stopped heartbeating) go back to QUEUED
 * while attempts < max_attempts (claim released, progress and message reset), else FAILED with
 * errorInfo ["LEASE_EXPIRED"].
 */
export async function expireLeases(tx: Executor, limit: number): Promise<{ changed: number; jobIds: string[] }> {
  const rows = await queryRows<{ job_id: string | null }>(
    tx,
    sql`
      /* expireLeases */
      WITH expired AS (
        SELECT t.id, t.attempts < t.max_attempts AS retry FROM tasks t
        WHERE t.status = ${statusLiteral(LEASE_EXPIRY.from)} AND t.lease_expires_at < now() AND ${NOT_EXEMPT}
        ORDER BY t.id LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      ), updated AS (
        UPDATE tasks t SET
          status = CASE WHEN e.retry THEN ${statusLiteral(LEASE_EXPIRY.retry)} ELSE ${statusLiteral(LEASE_EXPIRY.exhausted)} END,
          ${EXPIRY_RUN_RESET},
          event_txid = ${nextEventTxid(sql`t.event_txid`)}
        FROM expired e
        WHERE t.id = e.id
        RETURNING t.id, t.job_id, t.thread, t.seq, t.status, t.event_txid
      ), events AS (
        INSERT INTO task_events (kind, task_id, job_id, thread, previous_status, status, txid)
        SELECT 'STATUS_CHANGED', id, job_id, thread, ${statusLiteral(LEASE_EXPIRY.from)}, status, event_txid FROM updated ORDER BY seq
      )
      SELECT job_id::text AS job_id FROM updated
    `,
  );
  return { changed: rows.length, jobIds: jobIdsOf(rows) };
}

/**
 * failTimedOut: RUNNING tasks running longer than their timeout_ms since started_at → FAILED with
 * errorInfo ["TIMEOUT", "<timeout ms>"]. The worker's next heartbeat answers ABANDON.
 */
export async function failTimedOut(tx: Executor, limit: number): Promise<{ changed: number; jobIds: string[] }> {
  const rows = await queryRows<{ job_id: string | null }>(
    tx,
    sql`
      /* failTimedOut */
      WITH timed_out AS (
        SELECT t.id FROM tasks t
        WHERE t.status = ${statusLiteral(TIMEOUT.from)} AND t.timeout_ms IS NOT NULL
          AND t.started_at + make_interval(secs => t.timeout_ms::float8 / 1000) < now()
          AND ${NOT_EXEMPT}
        ORDER BY t.id LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      ), updated AS (
        UPDATE tasks t SET
          status = ${statusLiteral(TIMEOUT.to)},
          error_info = ARRAY[${TIMEOUT.errorCode}::text, t.timeout_ms::text],
          finished_at = now(),
          lease_expires_at = NULL,
          heartbeat_at = NULL,
          event_txid = ${nextEventTxid(sql`t.event_txid`)}
        FROM timed_out o
        WHERE t.id = o.id
        RETURNING t.id, t.job_id, t.thread, t.seq, t.event_txid
      ), events AS (
        INSERT INTO task_events (kind, task_id, job_id, thread, previous_status, status, txid)
        SELECT 'STATUS_CHANGED', id, job_id, thread, ${statusLiteral(TIMEOUT.from)}, ${statusLiteral(TIMEOUT.to)}, event_txid FROM updated ORDER BY seq
      )
      SELECT job_id::text AS job_id FROM updated
    `,
  );
  return { changed: rows.length, jobIds: jobIdsOf(rows) };
}

/**
 * cancelAbandoned: CANCELLING tasks whose worker never acknowledged the cancel — their lease expired,
 * or they ran past their timeout — become CANCELLED; those with a destroy pending (XenAPI deferred
 * destroy) are deleted with their log, leaving a DELETED event. Two statements: the lock, then the
 * conclusion of the kept ones and the deletion of the destroyed ones.
 */
export async function cancelAbandoned(tx: Executor, limit: number): Promise<{ changed: number; jobIds: string[] }> {
  const locked = await queryRows<{ id: string; job_id: string | null; destroy_pending: boolean }>(
    tx,
    sql`
      /* lockAbandonedCancels */
      SELECT t.id::text AS id, t.job_id::text AS job_id, t.destroy_pending FROM tasks t
      WHERE t.status = ${statusLiteral(ABANDONED_CANCEL.from)} AND ${NOT_EXEMPT}
        AND (t.lease_expires_at < now()
             OR (t.timeout_ms IS NOT NULL AND t.started_at + make_interval(secs => t.timeout_ms::float8 / 1000) < now()))
      ORDER BY t.id LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    `,
  );
  if (locked.length === 0) return { changed: 0, jobIds: [] };
  const kept = locked.filter((r) => !r.destroy_pending).map((r) => r.id);
  const destroyed = locked.filter((r) => r.destroy_pending).map((r) => r.id);
  await applyTransitions(tx, kept, [ABANDONED_CANCEL]);
  await deleteTasksWithLog(tx, destroyed, [ABANDONED_CANCEL]);
  return { changed: locked.length, jobIds: jobIdsOf(locked) };
}

/**
 * deleteExpiredTasks: retention. Deletes concluded tasks that finished before `cutoff` and are not
 * `archive`, with their log (a DELETED event stays, like cleanTasks):
 * - tasks without a job, one by one;
 * - tasks of a job only with the whole job: a job that finished before the cutoff, whose tasks are
 *   all concluded and none archive, is deleted with all its tasks. Deleting part of a job would
 *   change its counts, progress and derived status, which stay exact this way.
 * Job rows are locked first (SKIP LOCKED), then their tasks (SKIP LOCKED); a job of which any task is
 * held by someone else right now waits for the next tick. Nothing here ever waits for a lock, so the
 * order cannot deadlock against commands (which lock tasks, then jobs).
 */
export async function deleteExpiredTasks(tx: Executor, cutoff: Date, limit: number): Promise<number> {
  const standalone = await queryRows<{ id: string }>(
    tx,
    sql`
      /* lockExpiredTasks */
      SELECT t.id::text AS id FROM tasks t
      WHERE t.job_id IS NULL AND t.status IN ${statusList(CONCLUDED_STATUSES)} AND NOT t.archive
        AND t.finished_at < ${cutoff.toISOString()}::timestamptz
      ORDER BY t.id LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    `,
  );
  const jobs = await queryRows<{ id: string; total: number }>(
    tx,
    sql`
      /* lockExpiredJobs */
      SELECT j.id::text AS id, (SELECT count(*) FROM tasks t WHERE t.job_id = j.id)::int AS total FROM jobs j
      WHERE j.status IN ${statusList(JOB_FINISHED_STATUSES)} AND j.finished_at < ${cutoff.toISOString()}::timestamptz
        AND NOT j.suspended
        AND NOT EXISTS (
          SELECT 1 FROM tasks t WHERE t.job_id = j.id
            AND (t.archive OR t.status NOT IN ${statusList(CONCLUDED_STATUSES)} OR t.finished_at >= ${cutoff.toISOString()}::timestamptz))
      ORDER BY j.id LIMIT ${Math.max(1, Math.floor(limit / 10))}
      FOR UPDATE SKIP LOCKED
    `,
  );
  let jobTaskIds: string[] = [];
  let jobIds: string[] = [];
  if (jobs.length > 0) {
    const tasksOfJobs = await queryRows<{ id: string; job_id: string; archive: boolean; status: TaskStatus }>(
      tx,
      sql`
        /* lockExpiredJobTasks */
        SELECT id::text AS id, job_id::text AS job_id, archive, status FROM tasks
        WHERE job_id = ANY(${uuidArray(jobs.map((j) => j.id))})
        ORDER BY id FOR UPDATE SKIP LOCKED
      `,
    );
    // Re-checked on the locked rows: a job is deleted only if every one of its tasks is locked here
    // and still concluded and not archive.
    const byJob = new Map<string, { ids: string[]; ok: boolean }>();
    for (const t of tasksOfJobs) {
      const entry = byJob.get(t.job_id) ?? { ids: [], ok: true };
      entry.ids.push(t.id);
      if (t.archive || !isConcluded(t.status)) entry.ok = false;
      byJob.set(t.job_id, entry);
    }
    for (const job of jobs) {
      const entry = byJob.get(job.id) ?? { ids: [], ok: true };
      if (entry.ok && entry.ids.length === Number(job.total)) {
        jobIds.push(job.id);
        jobTaskIds = jobTaskIds.concat(entry.ids);
      }
    }
  }
  const taskIds = [...standalone.map((r) => r.id), ...jobTaskIds];
  await deleteTasksWithLog(tx, taskIds, RETENTION_EFFECTS);
  if (jobIds.length > 0) {
    await tx.execute(sql`/* deleteExpiredJobs */ DELETE FROM jobs WHERE id = ANY(${uuidArray(jobIds)})`);
  }
  return taskIds.length + jobIds.length;
}

function jobIdsOf(rows: readonly { job_id: string | null }[]): string[] {
  return [...new Set(rows.flatMap((r) => (r.job_id ? [r.job_id] : [])))];
}
