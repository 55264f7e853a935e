import type { TaskCounts } from './jobStatus.ts';
import type { TaskStatus } from './taskStateMachine.ts';

export const THREAD_STATUSES = ['IDLE', 'RUNNING', 'BLOCKED', 'PAUSED'] as const;
export type ThreadStatus = (typeof THREAD_STATUSES)[number];

/**
 * A thread's status: paused wins; then a task in flight; then a head that is held (PENDING or
 * SUSPENDED) blocks the lane; otherwise it is idle (its head, if any, is waiting to be claimed).
 */
export function deriveThreadStatus(paused: boolean, counts: TaskCounts, headStatus: TaskStatus | null): ThreadStatus {
  if (paused) return 'PAUSED';
  if (counts.running + counts.cancelling > 0) return 'RUNNING';
  if (headStatus === 'PENDING' || headStatus === 'SUSPENDED') return 'BLOCKED';
  return 'IDLE';
}
