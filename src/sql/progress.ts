import { sql } from 'drizzle-orm';
import { EVENTS_CHANNEL, queryRows, type Executor } from '../db/database.ts';
import { badInput, LIMITS } from '../domain/limits.ts';
import { HELD_STATUSES } from '../domain/taskStateMachine.ts';
import { nextEventTxid } from './events.ts';
import { jsonParam } from './params.ts';
import { statusList } from './statusSets.ts';

/** At most one PROGRESS event per task per this many milliseconds (a few per second). */
export const PROGRESS_EVENT_INTERVAL_MS = 250;

export interface ProgressUpdate {
  /** A task id that parseId accepted. */
  taskId: string;
  /** 0..1; unchanged when null or absent. */
  progress?: number | null;
  /** The worker's status line; unchanged when absent, cleared when null. */
  message?: string | null;
}

export interface ProgressResult {
  /** The tasks whose progress/message were recorded (RUNNING or CANCELLING ones only). */
  updatedIds: string[];
  /** How many PROGRESS events were written. */
  events: number;
}

/**
 * recordProgress: stores the progress and message that workers report with their heartbeats, and
 * writes PROGRESS events throttled per task, all in one statement for the whole batch.
 *
 * Only tasks held by a worker (RUNNING, CANCELLING) are touched; the caller fences worker and
 * attempt before. A PROGRESS event is written for a task when
 *   - its last PROGRESS event is at least PROGRESS_EVENT_INTERVAL_MS old (`progress_event_at`), and
 *   - the reported progress differs from what listeners last saw: the progress of the task's last
 *     PROGRESS event when that is newer than its last STATUS_CHANGED event, else the stored progress.
 * So a chatty worker cannot flood listeners, and a value swallowed by the throttle still goes out
 * with the next heartbeat that is outside the window (the trailing value is not lost).
 *
 * The statement also sends the one NOTIFY of the transaction when it wrote events.
 */
export async function recordProgress(
  tx: Executor,
  updates: readonly ProgressUpdate[],
  intervalMs = PROGRESS_EVENT_INTERVAL_MS,
): Promise<ProgressResult> {
  if (updates.length === 0) return { updatedIds: [], events: 0 };
  const input = updates.map((u, ord) => {
    if (u.progress != null && !(Number.isFinite(u.progress) && u.progress >= 0 && u.progress <= 1)) {
      throw badInput(`progress must be a number from 0 to 1 (task ${u.taskId})`);
    }
    if (u.message != null && u.message.length > LIMITS.maxMessageLength) {
      throw badInput(`message is over the limit of ${LIMITS.maxMessageLength} characters (task ${u.taskId})`, {
        limit: 'maxMessageLength',
      });
    }
    return { ord, task_id: u.taskId, progress: u.progress ?? null, message: u.message ?? null, set_message: u.message !== undefined };
  });
  const rows = await queryRows<{ id: string; emit: boolean; notified: number }>(
    tx,
    sql`
      /* recordProgress */
      WITH input AS (
        SELECT DISTINCT ON (task_id) *
        FROM jsonb_to_recordset(${jsonParam(input)}) AS x(ord int, task_id uuid, progress float8, message text, set_message boolean)
        ORDER BY task_id, ord DESC
      ), decided AS (
        SELECT t.id, i.progress, i.message, i.set_message,
               (i.progress IS NOT NULL
                AND (t.progress_event_at IS NULL
                     OR t.progress_event_at <= now() - make_interval(secs => ${intervalMs / 1000}::float8))
                AND i.progress IS DISTINCT FROM
                    (CASE WHEN last.kind = 'PROGRESS' THEN last.progress ELSE t.progress END)) AS emit
        FROM input i
        JOIN tasks t ON t.id = i.task_id AND t.status IN ${statusList(HELD_STATUSES)}
        LEFT JOIN LATERAL (
          SELECT e.kind, e.progress FROM task_events e
          WHERE e.task_id = t.id AND e.kind IN ('PROGRESS', 'STATUS_CHANGED')
          ORDER BY e.txid DESC, e.id DESC LIMIT 1
        ) last ON true
      ), updated AS (
        UPDATE tasks t
        SET progress = coalesce(d.progress, t.progress),
            message = CASE WHEN d.set_message THEN d.message ELSE t.message END,
            progress_event_at = CASE WHEN d.emit THEN now() ELSE t.progress_event_at END,
            event_txid = CASE WHEN d.emit THEN ${nextEventTxid(sql`t.event_txid`)} ELSE t.event_txid END
        FROM decided d
        WHERE t.id = d.id
        RETURNING t.id, t.job_id, t.thread, t.status, t.progress, t.event_txid, d.emit
      ), events AS (
        INSERT INTO task_events (kind, task_id, job_id, thread, status, progress, txid)
        SELECT 'PROGRESS', id, job_id, thread, status, progress, event_txid FROM updated WHERE emit ORDER BY id
        RETURNING 1
      ), notified AS (
        SELECT pg_notify(${EVENTS_CHANNEL}, '') FROM (SELECT 1 FROM events LIMIT 1) AS any_event
      )
      SELECT u.id::text AS id, u.emit, (SELECT count(*) FROM notified)::int AS notified FROM updated u
    `,
  );
  return { updatedIds: rows.map((r) => r.id), events: rows.filter((r) => r.emit).length };
}
