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

/** The statuses a task ends in. SQL takes them from here (sql/statusSets.ts), the partial indexes too. */
export const CONCLUDED_STATUSES = ['COMPLETED', 'FAILED', 'CANCELLED'] as const satisfies readonly TaskStatus[];

/** RUNNING and CANCELLING tasks are held by a worker: they have a lease and a resident worker. */
export const HELD_STATUSES = ['RUNNING', 'CANCELLING'] as const satisfies readonly TaskStatus[];

const CONCLUDED: ReadonlySet<TaskStatus> = new Set(CONCLUDED_STATUSES);
const HELD: ReadonlySet<TaskStatus> = new Set(HELD_STATUSES);

export function isConcluded(status: TaskStatus): boolean {
  return CONCLUDED.has(status);
}

export function isHeldByWorker(status: TaskStatus): boolean {
  return HELD.has(status);
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

/** The outcomes a worker concludes a task with (the contract's `TaskOutcome`). */
export const CONCLUDE_OUTCOMES = ['SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
export type ConcludeOutcome = (typeof CONCLUDE_OUTCOMES)[number];

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

/**
 * What a transition does to a task's columns besides its status, for every task that is in `from`.
 * Set-based SQL applies one effect per source status (sql/taskCommands.ts applyTransitions): it only
 * applies these decisions, it never makes them.
 */
export interface StatusEffect {
  from: TaskStatus;
  to: TaskStatus;
  /** The task leaves the worker (RUNNING/CANCELLING → anything not held): its lease ends. */
  revokeClaim: boolean;
  /** Back to QUEUED: the run's columns are reset (RUN_RESET). */
  resetRun: boolean;
  /** Enters a concluded status: finishedAt is set. */
  conclude: boolean;
  /** Progress becomes 1 (complete). */
  progressOne: boolean;
  /** XenAPI deferred destroy: delete once it concludes. */
  deferDelete: boolean;
  /** The task stays with its worker, so a delayed conclusion the worker already sent still lands. */
  keepPendingConclusion: boolean;
}

/**
 * The effect of a transition, derived from the statuses alone so that the table above stays the only
 * table. `command` is null for the transitions the server makes itself (the sweeper's).
 */
export function effectOf(
  command: TaskCommand | null,
  from: TaskStatus,
  t: { readonly to: TaskStatus; readonly deferDelete: boolean },
): StatusEffect {
  return {
    from,
    to: t.to,
    revokeClaim: isHeldByWorker(from) && !isHeldByWorker(t.to),
    resetRun: t.to === 'QUEUED' && from !== 'QUEUED',
    conclude: isConcluded(t.to) && !isConcluded(from),
    progressOne: command === 'COMPLETE' || (command === 'CONCLUDE' && t.to === 'COMPLETED'),
    deferDelete: t.deferDelete,
    keepPendingConclusion: isHeldByWorker(t.to),
  };
}

/**
 * The columns a run leaves behind and their values once it is reset (back to QUEUED: a requeue, or a
 * lease that expired with attempts left), by column property of db/tables.ts. SQL renders them as
 * one fragment (sql/statusSets.ts resetRunColumns).
 */
export const RUN_RESET = {
  progress: 0,
  result: null,
  resultType: null,
  errorInfo: [],
  message: null,
  residentOn: null,
  leaseExpiresAt: null,
  heartbeatAt: null,
  finishedAt: null,
} as const satisfies Record<string, 0 | null | readonly []>;
export type RunResetColumn = keyof typeof RUN_RESET;

/** Claim: a QUEUED task becomes RUNNING on a worker, with a lease, one more attempt and no finish time. */
export const CLAIM = { from: 'QUEUED', to: 'RUNNING' } as const satisfies { from: TaskStatus; to: TaskStatus };

/**
 * Lease expiry (the worker stopped heartbeating): a RUNNING task runs again (QUEUED, its run reset)
 * while attempts are left, else FAILED with errorInfo [LEASE_EXPIRED]. Both end the lease.
 */
export const LEASE_EXPIRY = {
  from: 'RUNNING',
  retry: 'QUEUED',
  exhausted: 'FAILED',
  errorInfo: ['LEASE_EXPIRED'],
} as const satisfies { from: TaskStatus; retry: TaskStatus; exhausted: TaskStatus; errorInfo: readonly string[] };

/** Timeout: a RUNNING task past its timeoutMs FAILs with errorInfo [TIMEOUT, <timeout ms>], its lease ended. */
export const TIMEOUT = { from: 'RUNNING', to: 'FAILED', errorCode: 'TIMEOUT' } as const satisfies {
  from: TaskStatus;
  to: TaskStatus;
  errorCode: string;
};

/** A cancel the worker never acknowledged (lease expired or timed out) concludes CANCELLED. */
export const ABANDONED_CANCEL: StatusEffect = effectOf(null, 'CANCELLING', { to: 'CANCELLED', deferDelete: false });

/** Retention deletes concluded tasks as cleanTasks does: each stays in its status until deleted. */
export const RETENTION_EFFECTS: readonly StatusEffect[] = CONCLUDED_STATUSES.map((status) => effectOf('CLEAN', status, { to: status, deferDelete: false }));

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${String(value)}`);
}
