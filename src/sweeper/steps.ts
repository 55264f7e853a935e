import { applyDueConclusions } from '../commands/concludeTask.ts';
import { inTransaction, notifyEvents, type Executor } from '../db/database.ts';
import { pruneEvents } from '../sql/events.ts';
import { refreshJobStatuses } from '../sql/jobWrites.ts';
import { cancelAbandoned, deleteExpiredTasks, expireLeases, failTimedOut } from '../sql/sweep.ts';
import type { SweepStep } from './sweeper.ts';

/**
 * What the sweeper does on every tick, in this order (the steps are defined below in the same order).
 */
// Delayed conclusions first (a worker that concluded wins over its expiring lease), timeouts before
// lease expiry (a timed-out task fails rather than being requeued).
export function sweepSteps(options: { taskRetentionMs: number | undefined; eventRetentionMs: number }): SweepStep[] {
  return [
    applyDueConclusionsStep,
    failTimedOutStep,
    expireLeasesStep,
    cancelAbandonedStep,
    ...taskRetentionStep(options.taskRetentionMs),
    pruneEventsStep(options.eventRetentionMs),
  ];
}

/** Rows per sweep transaction; a backlog drains over a few ticks. */
const SWEEP_BATCH = 1_000;

/** Delayed conclusions that are due (concludeTask with delayMs). */
export const applyDueConclusionsStep: SweepStep = {
  name: 'applyDueConclusions',
  run: (database) => applyDueConclusions(database.db),
};

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

/** Timeouts: RUNNING past timeout_ms → FAILED ["TIMEOUT", "<ms>"]. */
export const failTimedOutStep = taskSweep('failTimedOut', failTimedOut);

/** Lease expiry: requeue while attempts remain, else FAILED ["LEASE_EXPIRED"]. */
export const expireLeasesStep = taskSweep('expireLeases', expireLeases);

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

/** Rows per log per tick: a backlog drains over a few ticks instead of in one huge transaction. */
const PRUNE_BATCH = 20_000;

/**
 * The sweep step that keeps the event logs to `retentionMs` (config.eventRetentionMs, 7 days by
 * default). When there is nothing to prune it costs a few index probes. Subscriptions and pages that
 * ask for a cursor older than what is kept get a clear CURSOR_EXPIRED error (assertCursorRetained).
 */
export function pruneEventsStep(retentionMs: number): SweepStep {
  return {
    name: 'pruneEvents',
    run: (database, now) => pruneEvents(database.db, new Date(now.getTime() - retentionMs), PRUNE_BATCH),
  };
}
