import { getTableColumns, sql } from 'drizzle-orm';
import { decodeRow, EVENTS_CHANNEL, queryRows, type Executor, type ResultField } from '../db/database.ts';
import { tasks, type TaskRow } from '../db/tables.ts';
import { CLAIM, CONCLUDED_STATUSES, HELD_STATUSES } from '../domain/taskStateMachine.ts';
import { nextEventTxid } from './events.ts';
import { textArray, uuidArray } from './params.ts';
import { statusList, statusLiteral } from './statusSets.ts';

/**
 * Namespace (first key) of the transaction-level advisory locks that serialise claims per thread;
 * the second key is hashtext(thread). A hash collision between two threads only makes them skip
 * each other for the length of one claim transaction; it never lets two tasks of a thread run.
 */
export const THREAD_CLAIM_LOCK = 0x7a5c;

/**
 * The payload of the NOTIFY a claim sends (the event hub reads events on any payload). Waiting
 * claimers ignore it: a claim only ever takes tasks away, so it never makes one claimable, and a
 * burst of claims must not wake every idle claimer (see ClaimWaiter).
 */
export const CLAIMED_NOTIFICATION = 'claimed';

export interface ClaimRequest {
  worker: string;
  /** Only these task names; any when null. */
  names: readonly string[] | null;
  limit: number;
  leaseMs: number;
}

/** The task columns, by property name, under their database names in a raw row. */
const TASK_FIELDS: ResultField[] = Object.entries(getTableColumns(tasks)).map(([key, column]) => ({ key, rowKey: column.name, column }));

/** A raw `tasks` row (database column names, driver values) as the query builder would return it. */
function taskRow(raw: Record<string, unknown>): TaskRow {
  return decodeRow(raw, TASK_FIELDS) as TaskRow;
}

/**
 * The thread rules as SQL over a task `t`, written for the index tasks_thread_idx (thread, seq) and
 * in CASE order, cheapest and most selective first:
 * - notHead: the nearest older task that is not concluded, found by a backward index scan from t
 *   (tasks_thread_idx, or tasks_seq_idx where the planner finds the thread dense enough). In a
 *   queue of thousands that is t's neighbour, one index probe, however long the thread's concluded
 *   history is; only a real head scans its history (once per claim). A plain EXISTS with
 *   "o.seq < t.seq" would scan the history forwards for every queued task of the thread (measured:
 *   20 s per claim with 5,000 queued behind 20,000 done; about 45 ms this way, most of it walking
 *   the 5,000 non-heads in claim order).
 * - newerRunning: a RUNNING/CANCELLING task newer than t (an older one already fails notHead); only
 *   heads get here. It happens when an older task was requeued while a newer one runs.
 */
const notHead = sql`(SELECT o.seq FROM tasks o
                     WHERE o.thread = t.thread AND o.seq < t.seq AND o.status NOT IN ${statusList(CONCLUDED_STATUSES)}
                     ORDER BY o.thread DESC, o.seq DESC LIMIT 1) IS NOT NULL`;
const newerRunning = sql`EXISTS (SELECT 1 FROM tasks o
                     WHERE o.thread = t.thread AND o.seq > t.seq AND o.status IN ${statusList(HELD_STATUSES)})`;

/**
 * claimTasks: claims up to `limit` claimable tasks in ONE statement and writes their QUEUED → RUNNING
 * events in it. Claimable (DESIGN.md "Workers", "Jobs and threads"): QUEUED, name filter, job not
 * suspended, thread not paused, and for a thread task: it is the thread's head (no older task of
 * the thread is not concluded) and no task of the thread is RUNNING or CANCELLING. Order: priority
 * DESC, then seq (creation order), which is the order of the partial index tasks_claim_idx.
 *
 * Two claimers never take the same task: `FOR UPDATE SKIP LOCKED` makes each skip rows another one
 * holds, and a row that another claimer changed after our snapshot is re-checked on its newest
 * version (READ COMMITTED), where it is no longer QUEUED.
 *
 * Two claimers must also never run two tasks of ONE thread, and SKIP LOCKED alone does not ensure
 * that: the head rules read other rows of the thread from the statement's snapshot, which can be
 * older than a claim that another transaction committed a moment ago (e.g. its snapshot still sees
 * an older task concluded that an operator just requeued, or misses a task inserted with a smaller
 * seq that committed late, so two claimers see two different heads). So a thread task is only taken
 * while this transaction holds the thread's advisory lock (`pg_try_advisory_xact_lock`, held until
 * commit; a claimer that cannot get it skips the thread, it never waits). The lock is taken inside a
 * CASE after the head rules passed, so only heads ask for it, and lazily under the LIMIT, so only
 * the rows the claim reaches do. What the lock alone cannot close is a claim in the same thread that
 * committed between our snapshot and our lock: `threadConflicts` below re-checks the claimed thread
 * tasks with a fresh snapshot taken after the lock was ours, and the caller rolls back and retries
 * when it finds one (rare: it needs two claimers racing for one thread within milliseconds).
 */
export async function claimTasks(tx: Executor, request: ClaimRequest): Promise<TaskRow[]> {
  const nameFilter = request.names === null ? sql`` : sql`AND t.name = ANY(${textArray(request.names)})`;
  const rows = await queryRows<Record<string, unknown>>(
    tx,
    sql`
      /* claimTasks */
      WITH candidates AS (
        SELECT t.id FROM tasks t
        WHERE t.status = ${statusLiteral(CLAIM.from)} ${nameFilter}
          AND (t.job_id IS NULL OR NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = t.job_id AND j.suspended))
          AND (t.thread IS NULL OR CASE
                WHEN ${notHead} THEN false
                WHEN ${newerRunning} THEN false
                WHEN EXISTS (SELECT 1 FROM threads th WHERE th.name = t.thread AND th.paused) THEN false
                ELSE pg_try_advisory_xact_lock(${THREAD_CLAIM_LOCK}::int, hashtext(t.thread))
              END)
        -- Exactly the order of tasks_claim_idx (priority DESC NULLS LAST, seq): the scan then walks the
        -- index and stops after \`limit\` claimable rows instead of sorting every QUEUED task.
        ORDER BY t.priority DESC NULLS LAST, t.seq
        LIMIT ${request.limit}
        FOR UPDATE OF t SKIP LOCKED
      ), claimed AS (
        UPDATE tasks t SET
          status = ${statusLiteral(CLAIM.to)},
          resident_on = ${request.worker},
          started_at = now(),
          attempts = t.attempts + 1,
          lease_expires_at = now() + make_interval(secs => ${request.leaseMs}::float8 / 1000),
          heartbeat_at = now(),
          finished_at = NULL,
          suspended_by_job = false,
          event_txid = ${nextEventTxid(sql`t.event_txid`)}
        FROM candidates c
        WHERE t.id = c.id
        RETURNING t.*
      ), events AS (
        INSERT INTO task_events (kind, task_id, job_id, thread, previous_status, status, txid)
        SELECT 'STATUS_CHANGED', id, job_id, thread, ${statusLiteral(CLAIM.from)}, ${statusLiteral(CLAIM.to)}, event_txid FROM claimed ORDER BY seq
      ), seen AS (
        INSERT INTO workers (name) VALUES (${request.worker})
        ON CONFLICT (name) DO UPDATE SET last_seen_at = now()
      ), notified AS (
        -- The transaction's one NOTIFY (only when it claimed something), sent at commit.
        SELECT pg_notify(${EVENTS_CHANNEL}, ${CLAIMED_NOTIFICATION}) FROM (SELECT 1 FROM claimed LIMIT 1) AS any_claim
      )
      -- The claimed rows as they are now, whole: the caller answers with them, no second read.
      SELECT claimed.*, (SELECT count(*) FROM notified)::int AS notified
      FROM claimed ORDER BY priority DESC, seq
    `,
  );
  return rows.map(taskRow);
}

/**
 * threadConflicts: the claimed thread tasks that, seen with a fresh snapshot (this statement's, taken
 * after claimTasks got the thread locks), are not their thread's head or share it with another
 * running task. Empty unless a concurrent claim committed between claimTasks' snapshot and its lock.
 */
export async function threadConflicts(tx: Executor, claimed: readonly Pick<TaskRow, 'id' | 'jobId' | 'thread'>[]): Promise<string[]> {
  const ids = claimed.filter((c) => c.thread !== null).map((c) => c.id);
  if (ids.length === 0) return [];
  const rows = await queryRows<{ id: string }>(
    tx,
    sql`
      /* threadConflicts */
      SELECT t.id::text AS id FROM tasks t
      WHERE t.id = ANY(${uuidArray(ids)}) AND (${notHead} OR ${newerRunning})
    `,
  );
  return rows.map((r) => r.id);
}
