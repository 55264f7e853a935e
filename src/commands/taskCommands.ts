import { inTransaction, notifyEvents, type Executor } from '../db/database.ts';
import { parseId } from '../domain/ids.ts';
import { LIMITS, badInput, checkBatchSize } from '../domain/limits.ts';
import {
  applicableStatuses,
  effectOf,
  isConcluded,
  transition,
  type StatusEffect,
  type TaskCommand,
  type TaskStatus,
  type Transition,
} from '../domain/taskStateMachine.ts';
import type { EventCursor } from '../domain/cursors.ts';
import type { Logger } from '../log.ts';
import { laterCursor } from '../sql/events.ts';
import { refreshJobStatuses } from '../sql/jobWrites.ts';
import {
  applyTransitions,
  deleteTasksWithLog,
  jobSuspension,
  lockTasks,
  threadExists,
  type LockedTask,
  type TaskSelection,
} from '../sql/taskCommands.ts';
import type { TaskBatchResult, TaskError } from './errors.ts';

/** The commands of `TaskCommandInput` (conclude has its own input and path: concludeTask.ts). */
export type BatchCommand = Exclude<TaskCommand, 'CONCLUDE'>;

/** The mutation that runs each command, for messages and logs. */
export const COMMAND_MUTATIONS: Record<BatchCommand, string> = {
  CANCEL: 'cancelTasks',
  DESTROY: 'destroyTasks',
  CLEAN: 'cleanTasks',
  REQUEUE: 'requeueTasks',
  COMPLETE: 'completeTasks',
  SUSPEND: 'suspendTasks',
  RESUME: 'resumeTasks',
  FAIL: 'failTasks',
  RESUME_FAILED: 'resumeFailedTasks',
  PEND: 'pendTasks',
  RELEASE_PENDING: 'releasePendingTasks',
};

export interface TaskTargetInput {
  ids?: readonly string[] | null;
  refIds?: readonly string[] | null;
  job?: { id: string; indices?: readonly number[] | null } | null;
  thread?: string | null;
}

export interface TaskCommandRequest {
  target: TaskTargetInput;
  ignore?: boolean | null;
  reason?: string | null;
}

/**
 * A target after validation. Explicit targets keep one item per distinct entry with its first
 * position in the input list (duplicates count once); whole-set targets name a set.
 */
type Target =
  | { kind: 'ids'; items: { index: number; raw: string; id: string | null }[] }
  | { kind: 'refIds'; items: { index: number; refId: string }[] }
  | { kind: 'jobIndices'; jobRaw: string; jobId: string | null; items: { index: number; jobIndex: number }[] }
  | { kind: 'job'; jobRaw: string; jobId: string | null }
  | { kind: 'thread'; thread: string };

function firstOccurrences<T, K>(values: readonly T[], key: (value: T) => K): { index: number; value: T }[] {
  const seen = new Set<K>();
  const items: { index: number; value: T }[] = [];
  values.forEach((value, index) => {
    const k = key(value);
    if (seen.has(k)) return;
    seen.add(k);
    items.push({ index, value });
  });
  return items;
}

/**
 * Whole-request checks: exactly one target kind, list sizes within the batch limit. TaskTarget is
 * @oneOf, so graphql-js refuses a target with no field, two fields or a null field before the
 * resolver runs; this check stays for callers that do not go through its validation.
 */
export function resolveTarget(target: TaskTargetInput): Target {
  const given = (['ids', 'refIds', 'job', 'thread'] as const).filter((k) => target[k] != null);
  if (given.length !== 1) {
    throw badInput(
      `target: TaskTarget is @oneOf: give exactly one of ids, refIds, job or thread, not null` +
        (given.length > 1 ? `, not ${given.join(' and ')}` : ''),
    );
  }
  if (target.ids != null) {
    checkBatchSize('target.ids', target.ids.length);
    const items = firstOccurrences(target.ids, (raw) => parseId(raw) ?? `raw:${raw}`);
    return { kind: 'ids', items: items.map(({ index, value }) => ({ index, raw: value, id: parseId(value) })) };
  }
  if (target.refIds != null) {
    checkBatchSize('target.refIds', target.refIds.length);
    return { kind: 'refIds', items: firstOccurrences(target.refIds, (r) => r).map(({ index, value }) => ({ index, refId: value })) };
  }
  if (target.job != null) {
    const jobRaw = target.job.id;
    const jobId = parseId(jobRaw);
    if (target.job.indices == null) return { kind: 'job', jobRaw, jobId };
    checkBatchSize('target.job.indices', target.job.indices.length);
    const items = firstOccurrences(target.job.indices, (i) => i).map(({ index, value }) => ({ index, jobIndex: value }));
    return { kind: 'jobIndices', jobRaw, jobId, items };
  }
  return { kind: 'thread', thread: target.thread! };
}

function selectionOf(target: Target): TaskSelection | null {
  switch (target.kind) {
    case 'ids': {
      const ids = target.items.map((i) => i.id).filter((id): id is string => id !== null);
      return ids.length ? { kind: 'ids', ids } : null;
    }
    case 'refIds':
      return target.items.length ? { kind: 'refIds', refIds: target.items.map((i) => i.refId) } : null;
    case 'jobIndices':
      return target.jobId && target.items.length
        ? { kind: 'job', jobId: target.jobId, indices: target.items.map((i) => i.jobIndex) }
        : null;
    case 'job':
      return target.jobId ? { kind: 'job', jobId: target.jobId, indices: null } : null;
    case 'thread':
      return { kind: 'thread', thread: target.thread };
  }
}

/** Whether the state machine's answer for this command depends on the task's job being suspended. */
function dependsOnJobSuspension(command: TaskCommand): boolean {
  return applicableStatuses(command, true).join() !== applicableStatuses(command, false).join();
}

/** A task the command applies to, with the transition the state machine chose. */
export interface Decision {
  task: LockedTask;
  transition: Extract<Transition, { kind: 'apply' }>;
}

/** A deletion happens for delete transitions, and when a task with a deferred destroy concludes. */
function deletes(d: Decision): boolean {
  return d.transition.delete || (d.task.destroyPending && isConcluded(d.transition.to));
}

/**
 * Applies decided transitions to locked tasks: one UPDATE for the tasks that stay and one DELETE for
 * the tasks that go, each writing its events in the same statement. Returns the jobs touched and the
 * cursor of the last event written.
 */
export async function applyDecisions(
  tx: Executor,
  command: TaskCommand,
  decisions: readonly Decision[],
  options: { suspendedByJob?: boolean } = {},
): Promise<{ jobIds: Set<string>; cursor: EventCursor | null }> {
  const updates = new Map<TaskStatus, StatusEffect>();
  const removals = new Map<TaskStatus, StatusEffect>();
  const updateIds: string[] = [];
  const deleteIds: string[] = [];
  const jobIds = new Set<string>();
  for (const d of decisions) {
    const remove = deletes(d);
    const effects = remove ? removals : updates;
    if (!effects.has(d.task.status)) effects.set(d.task.status, effectOf(command, d.task.status, d.transition));
    (remove ? deleteIds : updateIds).push(d.task.id);
    if (d.task.jobId) jobIds.add(d.task.jobId);
  }
  const updated = await applyTransitions(tx, updateIds, [...updates.values()], options.suspendedByJob ?? false);
  const deleted = await deleteTasksWithLog(tx, deleteIds, [...removals.values()]);
  return { jobIds, cursor: laterCursor(updated, deleted) };
}

function refusalMessage(command: BatchCommand, task: LockedTask, code: string): string {
  const name = COMMAND_MUTATIONS[command];
  switch (code) {
    case 'ALREADY_IN_STATE':
      return `${name}: task ${task.id} is already ${task.status}`;
    case 'JOB_SUSPENDED':
      return `${name}: task ${task.id} belongs to suspended job ${task.jobId}`;
    default:
      return `${name}: does not apply to task ${task.id}, which is ${task.status}`;
  }
}

function notFound(index: number | null, message: string): TaskError {
  return { taskId: null, index, code: 'NOT_FOUND', message, status: null };
}

interface Verdict {
  /** Tasks the command applies to, in target order. */
  decisions: Decision[];
  errors: TaskError[];
}

/**
 * The per-task verdicts of a command over its locked tasks, in target order. Explicit targets
 * report every task the command does not apply to; whole-set targets skip them silently, except
 * for JOB_SUSPENDED, reported once per job.
 */
function judge(
  command: BatchCommand,
  target: Target,
  locked: readonly LockedTask[],
  suspendedJobs: ReadonlyMap<string, boolean>,
  wholeSetMissing: TaskError | null,
): Verdict {
  const decisions: Decision[] = [];
  const errors: TaskError[] = [];
  const suspendedReported = new Set<string>();
  const consider = (task: LockedTask, index: number | null, explicit: boolean) => {
    const t = transition(command, { status: task.status, jobSuspended: task.jobId ? (suspendedJobs.get(task.jobId) ?? false) : false });
    if (t.kind === 'apply') {
      decisions.push({ task, transition: t });
    } else if (explicit) {
      errors.push({ taskId: task.id, index, code: t.code, message: refusalMessage(command, task, t.code), status: task.status });
    } else if (t.code === 'JOB_SUSPENDED' && !suspendedReported.has(task.jobId!)) {
      suspendedReported.add(task.jobId!);
      errors.push({
        taskId: null,
        index: null,
        code: 'JOB_SUSPENDED',
        message: `${COMMAND_MUTATIONS[command]}: job ${task.jobId} is suspended`,
        status: null,
      });
    }
  };

  switch (target.kind) {
    case 'ids': {
      const byId = new Map(locked.map((t) => [t.id, t]));
      for (const item of target.items) {
        const task = item.id ? byId.get(item.id) : undefined;
        if (task) consider(task, item.index, true);
        else errors.push(notFound(item.index, `no task with id ${JSON.stringify(item.raw)}`));
      }
      break;
    }
    case 'refIds': {
      const byRef = new Map<string, LockedTask[]>();
      for (const task of [...locked].sort((a, b) => a.seq - b.seq)) {
        const list = byRef.get(task.refId!) ?? [];
        list.push(task);
        byRef.set(task.refId!, list);
      }
      for (const item of target.items) {
        const tasks = byRef.get(item.refId);
        if (!tasks) errors.push(notFound(item.index, `no task with refId ${JSON.stringify(item.refId)}`));
        else for (const task of tasks) consider(task, item.index, true);
      }
      break;
    }
    case 'jobIndices': {
      if (wholeSetMissing) {
        errors.push(wholeSetMissing);
        break;
      }
      const byIndex = new Map(locked.map((t) => [t.jobIndex, t]));
      for (const item of target.items) {
        const task = byIndex.get(item.jobIndex);
        if (task) consider(task, item.index, true);
        else errors.push(notFound(item.index, `job ${target.jobId} has no task at index ${item.jobIndex}`));
      }
      break;
    }
    case 'job':
    case 'thread': {
      if (wholeSetMissing) {
        errors.push(wholeSetMissing);
        break;
      }
      const ordered = [...locked].sort(
        target.kind === 'job' ? (a, b) => (a.jobIndex ?? 0) - (b.jobIndex ?? 0) : (a, b) => a.seq - b.seq,
      );
      for (const task of ordered) consider(task, null, false);
      break;
    }
  }
  return { decisions, errors };
}

/**
 * applyTaskCommand: the one path of every batch task command (cancel, destroy, suspend, fail, clean,
 * requeue, resume, resumeFailed, complete, pend, releasePending).
 *
 * In one transaction: lock the target's rows in id order → the pure state machine decides per task
 * → with `ignore: false` any error returns before anything is written → one UPDATE and/or one DELETE
 * for the whole batch, each writing its STATUS_CHANGED / DELETED events in the same statement →
 * job statuses refreshed → one NOTIFY. Serialization failures and deadlocks retry the whole
 * transaction (inTransaction), so concurrent clients never see them.
 */
export async function applyTaskCommand(
  db: Executor,
  command: BatchCommand,
  request: TaskCommandRequest,
  log?: Logger,
): Promise<TaskBatchResult> {
  const target = resolveTarget(request.target);
  if (request.reason != null && request.reason.length > LIMITS.maxMessageLength) {
    throw badInput(`reason is over the limit of ${LIMITS.maxMessageLength} characters`, { limit: 'maxMessageLength' });
  }
  const ignore = request.ignore ?? false;
  const selection = selectionOf(target);
  const result = await inTransaction(db, async (tx): Promise<TaskBatchResult> => {
    const locked = selection ? await lockTasks(tx, selection) : [];

    // Job flags are read only after the task locks are held (see jobSuspension), and only when needed:
    // for job targets (the job must exist) and for commands a suspended job refuses.
    const jobIds = new Set<string>();
    if (dependsOnJobSuspension(command)) for (const t of locked) if (t.jobId) jobIds.add(t.jobId);
    if ((target.kind === 'job' || target.kind === 'jobIndices') && target.jobId) jobIds.add(target.jobId);
    const suspendedJobs = await jobSuspension(tx, [...jobIds]);

    let wholeSetMissing: TaskError | null = null;
    if (target.kind === 'job' || target.kind === 'jobIndices') {
      if (!target.jobId || !suspendedJobs.has(target.jobId)) {
        wholeSetMissing = notFound(null, `no job with id ${JSON.stringify(target.jobRaw)}`);
      }
    } else if (target.kind === 'thread' && locked.length === 0 && !(await threadExists(tx, target.thread))) {
      wholeSetMissing = notFound(null, `no thread named ${JSON.stringify(target.thread)}`);
    }

    const verdict = judge(command, target, locked, suspendedJobs, wholeSetMissing);
    if (verdict.errors.length > 0 && !ignore) return { applied: false, ids: [], errors: verdict.errors, cursor: null };
    let cursor: EventCursor | null = null;
    if (verdict.decisions.length > 0) {
      const applied = await applyDecisions(tx, command, verdict.decisions);
      await refreshJobStatuses(tx, applied.jobIds);
      await notifyEvents(tx);
      cursor = applied.cursor;
    }
    return { applied: true, ids: verdict.decisions.map((d) => d.task.id), errors: verdict.errors, cursor };
  });
  const logLine = {
    command: COMMAND_MUTATIONS[command],
    target: target.kind,
    reason: request.reason ?? undefined,
    applied: result.applied,
    changed: result.ids.length,
    errors: result.errors.length,
  };
  if (request.reason) log?.info(logLine, 'task command');
  else log?.debug(logLine, 'task command');
  return result;
}
