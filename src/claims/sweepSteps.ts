import { inTransaction, notifyEvents, type Executor } from '../db/database.ts';
import { refreshJobStatuses } from '../sql/jobWrites.ts';
import { cancelAbandoned, deleteExpiredTasks, expireLeases, failTimedOut } from '../sql/sweep.ts';
import type { SweepStep } from '../sweeper.ts';

/** Rows per sweep transaction; a backlog drains over a few ticks. */
const SWEEP_BATCH = 1_000;

/** One sweep transaction: the statement, the derived job statuses, one NOTIFY when anything changed. */
function taskSweep(
  name: string,
  statement: (tx: Executor, limit: number) => Promise<{ changed: number; jobIds: string[] }>,
): SweepStep {
  return {
    name,
    run: (database) =>
      inTransaction(database.db, async (tx) => {
        const { changed, jobIds } = await statement(tx, SWEEP_BATCH);
        if (changed === 0) return 0;
        await refreshJobStatuses(tx, jobIds);
        await notifyEvents(tx);
        return changed;
      }),
  };
}

/** Lease expiry: requeue while attempts remain, else FAILED ["LEASE_EXPIRED"]. */
export const expireLeasesStep = taskSweep('expireLeases', expireLeases);

/** Timeouts: RUNNING past timeout_ms → FAILED ["TIMEOUT", "<ms>"]. */
export const failTimedOutStep = taskSweep('failTimedOut', failTimedOut);

/** Unacknowledged cancels: CANCELLING with an expired lease (or past its timeout) → CANCELLED / deleted. */
export const cancelAbandonedStep = taskSweep('cancelAbandoned', cancelAbandoned);

/**
 * Retention of concluded tasks (not archive) older than `retentionMs`; no step when unset. Deleted
 * tasks leave DELETED events; whole finished jobs go with their tasks, so no job status changes.
 */
export function taskRetentionStep(retentionMs: number | undefined): SweepStep[] {
  if (retentionMs === undefined) return [];
  return [
    {
      name: 'taskRetention',
      run: (database, now) =>
        inTransaction(database.db, async (tx) => {
          const deleted = await deleteExpiredTasks(tx, new Date(now.getTime() - retentionMs), SWEEP_BATCH);
          if (deleted > 0) await notifyEvents(tx);
          return deleted;
        }),
    },
  ];
}
