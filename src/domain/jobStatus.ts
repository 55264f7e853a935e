import { TASK_STATUSES, type TaskStatus } from './taskStateMachine.ts';

export const JOB_STATUSES = ['PENDING', 'ACTIVE', 'SUSPENDED', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Task counts per status, as `TaskCounts` in the contract (lower-case keys). */
export interface TaskCounts {
  total: number;
  pending: number;
  queued: number;
  running: number;
  suspended: number;
  cancelling: number;
  completed: number;
  failed: number;
  cancelled: number;
}

export function emptyCounts(): TaskCounts {
  return {
    total: 0,
    pending: 0,
    queued: 0,
    running: 0,
    suspended: 0,
    cancelling: 0,
    completed: 0,
    failed: 0,
    cancelled: 0,
  };
}

export function countKey(status: TaskStatus): Exclude<keyof TaskCounts, 'total'> {
  return status.toLowerCase() as Exclude<keyof TaskCounts, 'total'>;
}

/** Builds counts from `(status, count)` rows of one grouped query. */
export function countsFromRows(rows: Iterable<{ status: string; count: number }>): TaskCounts {
  const counts = emptyCounts();
  for (const row of rows) {
    if (!(TASK_STATUSES as readonly string[]).includes(row.status)) continue;
    counts[countKey(row.status as TaskStatus)] += row.count;
    counts.total += row.count;
  }
  return counts;
}

/**
 * A job's status, in the order DESIGN.md gives: the suspended flag; any work in flight; anything
 * held; no tasks; then the concluded mix.
 */
export function deriveJobStatus(suspended: boolean, counts: TaskCounts): JobStatus {
  if (suspended) return 'SUSPENDED';
  if (counts.queued + counts.running + counts.cancelling > 0) return 'ACTIVE';
  const held = counts.pending + counts.suspended;
  if (held > 0) return counts.suspended === held ? 'SUSPENDED' : 'PENDING';
  if (counts.total === 0) return 'PENDING';
  if (counts.cancelled === counts.total) return 'CANCELLED';
  if (counts.failed > 0) return 'FAILED';
  return 'COMPLETED';
}

/** The statuses of a job whose tasks are all concluded. */
export const JOB_FINISHED_STATUSES = ['COMPLETED', 'FAILED', 'CANCELLED'] as const satisfies readonly JobStatus[];
const JOB_FINISHED: ReadonlySet<JobStatus> = new Set(JOB_FINISHED_STATUSES);

export function isJobFinished(status: JobStatus): boolean {
  return JOB_FINISHED.has(status);
}

/**
 * Mean task progress, where concluded tasks count as 1. `openProgressSum` is the sum of `progress`
 * over the tasks that are not concluded.
 */
export function jobProgress(counts: TaskCounts, openProgressSum: number): number {
  if (counts.total === 0) return 0;
  const concluded = counts.completed + counts.failed + counts.cancelled;
  return Math.min(1, Math.max(0, (concluded + openProgressSum) / counts.total));
}
