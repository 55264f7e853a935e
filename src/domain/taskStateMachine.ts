/**
 * The task state machine of DESIGN.md, as one pure table. Everything that decides whether a command
 * applies to a task (the batch commands, conclude, `Task.allowedOperations`) asks this module;
 * nothing else restates the table.
 */

export const TASK_STATUSES = [
  'PENDING',
  'QUEUED',
  'RUNNING',
  'SUSPENDED',
  'CANCELLING',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** The commands, named as the contract's `TaskOperation` enum. */
export const TASK_COMMANDS = [
  'CANCEL',
  'DESTROY',
  'CLEAN',
  'CONCLUDE',
  'REQUEUE',
  'COMPLETE',
  'SUSPEND',
  'RESUME',
  'FAIL',
  'RESUME_FAILED',
  'PEND',
  'RELEASE_PENDING',
] as const;
export type TaskCommand = (typeof TASK_COMMANDS)[number];

export type RefusalCode = 'INVALID_STATE' | 'ALREADY_IN_STATE' | 'JOB_SUSPENDED';

/**
 * What a command does to a task in a given status.
 * - `to`: the status the task moves to (equal to the current one for "applies, stays as it is").
 * - `delete`: the task is deleted with its log once the transition is done.
 * - `deferDelete`: the task is deleted when it concludes (XenAPI deferred destroy).
 */
export type Transition =
  | { readonly kind: 'apply'; readonly to: TaskStatus; readonly delete: boolean; readonly deferDelete: boolean }
  | { readonly kind: 'refuse'; readonly code: RefusalCode };

export interface TaskFacts {
  readonly status: TaskStatus;
  /** Whether the task's job (if any) is suspended. */
  readonly jobSuspended: boolean;
}

const CONCLUDED: ReadonlySet<TaskStatus> = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

export function isConcluded(status: TaskStatus): boolean {
  return CONCLUDED.has(status);
}

/** RUNNING and CANCELLING tasks are held by a worker. */
export function isHeldByWorker(status: TaskStatus): boolean {
  return status === 'RUNNING' || status === 'CANCELLING';
}

const apply = (to: TaskStatus, extra: { delete?: boolean; deferDelete?: boolean } = {}): Transition => ({
  kind: 'apply',
  to,
  delete: extra.delete ?? false,
  deferDelete: extra.deferDelete ?? false,
});
const refuse = (code: RefusalCode): Transition => ({ kind: 'refuse', code });

/**
 * The table. `from` lists the statuses a command applies to and where each goes; `already` is the
 * command's own target status (refused with ALREADY_IN_STATE); every other status is INVALID_STATE.
 */
interface CommandRule {
  readonly from: Partial<Record<TaskStatus, Transition>>;
  readonly already?: TaskStatus;
  readonly refusedForSuspendedJob?: boolean;
}

const RULES: Record<Exclude<TaskCommand, 'CONCLUDE'>, CommandRule> = {
  CANCEL: {
    from: {
      PENDING: apply('CANCELLED'),
      QUEUED: apply('CANCELLED'),
      SUSPENDED: apply('CANCELLED'),
      RUNNING: apply('CANCELLING'),
      CANCELLING: apply('CANCELLING'),
    },
  },
  DESTROY: {
    from: {
      PENDING: apply('CANCELLED', { delete: true }),
      QUEUED: apply('CANCELLED', { delete: true }),
      SUSPENDED: apply('CANCELLED', { delete: true }),
      COMPLETED: apply('COMPLETED', { delete: true }),
      FAILED: apply('FAILED', { delete: true }),
      CANCELLED: apply('CANCELLED', { delete: true }),
      RUNNING: apply('CANCELLING', { deferDelete: true }),
      CANCELLING: apply('CANCELLING', { deferDelete: true }),
    },
  },
  SUSPEND: {
    from: { PENDING: apply('SUSPENDED'), QUEUED: apply('SUSPENDED'), RUNNING: apply('SUSPENDED') },
    already: 'SUSPENDED',
  },
  FAIL: {
    from: {
      PENDING: apply('FAILED'),
      QUEUED: apply('FAILED'),
      RUNNING: apply('FAILED'),
      SUSPENDED: apply('FAILED'),
      CANCELLING: apply('FAILED'),
    },
    already: 'FAILED',
  },
  CLEAN: {
    from: {
      COMPLETED: apply('COMPLETED', { delete: true }),
      FAILED: apply('FAILED', { delete: true }),
      CANCELLED: apply('CANCELLED', { delete: true }),
    },
  },
  REQUEUE: {
    from: {
      RUNNING: apply('QUEUED'),
      PENDING: apply('QUEUED'),
      SUSPENDED: apply('QUEUED'),
      COMPLETED: apply('QUEUED'),
      FAILED: apply('QUEUED'),
      CANCELLED: apply('QUEUED'),
    },
    already: 'QUEUED',
  },
  RESUME: { from: { SUSPENDED: apply('QUEUED') }, already: 'QUEUED' },
  RESUME_FAILED: { from: { FAILED: apply('QUEUED') }, already: 'QUEUED' },
  COMPLETE: {
    from: {
      PENDING: apply('COMPLETED'),
      QUEUED: apply('COMPLETED'),
      RUNNING: apply('COMPLETED'),
      SUSPENDED: apply('COMPLETED'),
      FAILED: apply('COMPLETED'),
    },
    already: 'COMPLETED',
  },
  PEND: {
    from: { QUEUED: apply('PENDING'), SUSPENDED: apply('PENDING'), FAILED: apply('PENDING') },
    already: 'PENDING',
    refusedForSuspendedJob: true,
  },
  RELEASE_PENDING: {
    from: { PENDING: apply('QUEUED') },
    already: 'QUEUED',
    refusedForSuspendedJob: true,
  },
};

export type ConcludeOutcome = 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export function outcomeStatus(outcome: ConcludeOutcome): TaskStatus {
  switch (outcome) {
    case 'SUCCEEDED':
      return 'COMPLETED';
    case 'FAILED':
      return 'FAILED';
    case 'CANCELLED':
      return 'CANCELLED';
    default:
      return assertNever(outcome);
  }
}

/** Conclude: any task not concluded moves to its outcome's status (deleted if a destroy is pending). */
export function concludeTransition(status: TaskStatus, outcome: ConcludeOutcome, destroyPending = false): Transition {
  if (isConcluded(status)) return refuse('INVALID_STATE');
  return apply(outcomeStatus(outcome), { delete: destroyPending });
}

export function transition(command: TaskCommand, task: TaskFacts): Transition {
  if (command === 'CONCLUDE') return concludeTransition(task.status, 'SUCCEEDED');
  const rule = RULES[command];
  if (rule.refusedForSuspendedJob && task.jobSuspended) return refuse('JOB_SUSPENDED');
  const found = rule.from[task.status];
  if (found) return found;
  if (rule.already === task.status) return refuse('ALREADY_IN_STATE');
  return refuse('INVALID_STATE');
}

export function allowedOperations(task: TaskFacts): TaskCommand[] {
  return TASK_COMMANDS.filter((command) => transition(command, task).kind === 'apply');
}

/** The statuses a command applies to, grouped by the status they move to (for set-based SQL). */
export function applicableStatuses(command: TaskCommand, jobSuspended = false): TaskStatus[] {
  return TASK_STATUSES.filter((status) => transition(command, { status, jobSuspended }).kind === 'apply');
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${String(value)}`);
}
