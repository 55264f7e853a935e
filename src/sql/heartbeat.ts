import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../db/database.ts';
import { HELD_STATUSES, type TaskStatus } from '../domain/taskStateMachine.ts';
import { jsonParam } from './params.ts';
import { statusList } from './statusSets.ts';

export interface HeartbeatItem {
  /** Position in the heartbeat's list. */
  ord: number;
  /** An id that parseId accepted. */
  id: string;
  attempt: number | null;
}

export interface HeldTask {
  id: string;
  status: TaskStatus;
  attempts: number;
  leaseExpiresAt: Date;
}

/**
 * extendLeases: for one worker's heartbeat, extends the lease of every listed task that the worker
 * still holds (RUNNING or CANCELLING, resident_on = worker, and the given attempt is the current
 * one), in one statement, and records that the worker was seen. Returns the held tasks; every other
 * listed task is no longer the worker's (the caller answers ABANDON).
 *
 * The rows are locked in id order (LockRows above the Sort), like every other multi-task writer
 * (lockTasks), so a heartbeat and a command batch over the same tasks queue up instead of
 * deadlocking. The workers row is touched last in the transaction.
 */
export async function extendLeases(
  tx: Executor,
  worker: string,
  items: readonly HeartbeatItem[],
  leaseMs: number,
): Promise<HeldTask[]> {
  if (items.length === 0) return [];
  const rows = await queryRows<{ id: string; status: TaskStatus; attempts: number; lease: string }>(
    tx,
    sql`
      /* extendLeases */
      WITH input AS (
        SELECT * FROM jsonb_to_recordset(${jsonParam(items)}) AS x(ord int, id uuid, attempt int)
      ), held AS (
        SELECT t.id FROM tasks t
        WHERE t.id IN (SELECT id FROM input)
          AND t.status IN ${statusList(HELD_STATUSES)}
          AND t.resident_on = ${worker}
          -- A task listed twice with different attempts counts as held only if every listed attempt matches.
          AND NOT EXISTS (SELECT 1 FROM input i WHERE i.id = t.id AND i.attempt IS NOT NULL AND i.attempt <> t.attempts)
        ORDER BY t.id
        FOR UPDATE
      ), updated AS (
        UPDATE tasks t SET
          -- From now (a worker handing tasks back may shorten it), but never shorter than the stretch
          -- storePendingConclusions gave a task whose delayed conclusion is on its way.
          lease_expires_at = CASE WHEN t.pending_conclusion IS NULL THEN now() + make_interval(secs => ${leaseMs}::float8 / 1000)
                                  ELSE greatest(t.lease_expires_at, now() + make_interval(secs => ${leaseMs}::float8 / 1000)) END,
          heartbeat_at = now()
        FROM held h
        WHERE t.id = h.id
        RETURNING t.id, t.status, t.attempts, t.lease_expires_at
      )
      SELECT id::text AS id, status, attempts::int AS attempts,
             (extract(epoch FROM lease_expires_at) * 1000)::float8::text AS lease
      FROM updated
    `,
  );
  return rows.map((r) => ({
    id: r.id,
    status: r.status,
    attempts: Number(r.attempts),
    leaseExpiresAt: new Date(Number(r.lease)),
  }));
}

/** touchWorker: records that a worker was seen (claim does this inside its own statement). */
export async function touchWorker(ex: Executor, worker: string): Promise<void> {
  await ex.execute(sql`
    /* touchWorker */
    INSERT INTO workers (name) VALUES (${worker})
    ON CONFLICT (name) DO UPDATE SET last_seen_at = now()`);
}
