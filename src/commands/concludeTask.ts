import { inTransaction, notifyEvents, type Executor } from '../db/database.ts';
import type { EventCursor } from '../domain/cursors.ts';
import { parseId } from '../domain/ids.ts';
import { LIMITS, badInput, checkBatchSize, jsonByteLength } from '../domain/limits.ts';
import {
  concludeTransition,
  effectOf,
  isHeldByWorker,
  type ConcludeOutcome,
  type StatusEffect,
  type TaskStatus,
} from '../domain/taskStateMachine.ts';
import { laterCursor } from '../sql/events.ts';
import { refreshJobStatuses } from '../sql/jobWrites.ts';
import {
  clearPendingConclusions,
  concludeTasks as concludeTasksSql,
  deleteTasksWithLog,
  lockDueConclusions,
  lockTasks,
  storePendingConclusions,
  type Conclusion,
  type LockedTask,
  type PendingConclusionItem,
} from '../sql/taskCommands.ts';
import type { TaskBatchResult, TaskError } from './errors.ts';

export interface ConcludeTaskRequest {
  id: string;
  outcome: ConcludeOutcome;
  result?: unknown;
  resultType?: string | null;
  errorInfo?: readonly string[] | null;
  delayMs?: number | null;
  worker?: string | null;
  attempt?: number | null;
}

export interface ConcludeTasksRequest {
  tasks: readonly ConcludeTaskRequest[];
  /**
   * True (default): items without errors are applied, the others reported. False: any per-task error
   * blocks the batch (nothing changes). The default suits workers, whose conclusions are unrelated.
   */
  ignore?: boolean | null;
}

/** Who called: the mutation's name prefixes messages, and a lone conclusion has no list index. */
interface Caller {
  mutation: 'concludeTask' | 'concludeTasks';
  /** How an item is named in whole-request errors ("" for the lone input, "tasks[3]." in a batch). */
  label(index: number): string;
}

const ONE: Caller = { mutation: 'concludeTask', label: () => '' };
const BATCH: Caller = { mutation: 'concludeTasks', label: (index) => `tasks[${index}].` };

/** Whole-request checks of one item: every limit is a BAD_USER_INPUT error naming it. Returns its delay. */
function validate(request: ConcludeTaskRequest, at: string): number {
  const delayMs = request.delayMs ?? 0;
  if (!Number.isInteger(delayMs) || delayMs < LIMITS.minDelayMs || delayMs > LIMITS.maxDelayMs) {
    throw badInput(`${at}delayMs must be between ${LIMITS.minDelayMs} and ${LIMITS.maxDelayMs} (maxDelayMs), got ${delayMs}`, {
      limit: 'maxDelayMs',
    });
  }
  if (request.result !== undefined && request.result !== null && jsonByteLength(request.result) > LIMITS.maxResultBytes) {
    throw badInput(`${at}result is over the limit of ${LIMITS.maxResultBytes} bytes (maxResultBytes)`, { limit: 'maxResultBytes' });
  }
  if (request.resultType != null && request.resultType.length > LIMITS.maxNameLength) {
    throw badInput(`${at}resultType is over the limit of ${LIMITS.maxNameLength} characters`, { limit: 'maxNameLength' });
  }
  const errorInfo = request.errorInfo ?? [];
  if (errorInfo.length > LIMITS.maxErrorInfoItems) {
    throw badInput(`${at}errorInfo has more than ${LIMITS.maxErrorInfoItems} items (maxErrorInfoItems)`, { limit: 'maxErrorInfoItems' });
  }
  if (errorInfo.some((item) => item.length > LIMITS.maxMessageLength)) {
    throw badInput(`${at}an errorInfo item is over the limit of ${LIMITS.maxMessageLength} characters`, { limit: 'maxMessageLength' });
  }
  return delayMs;
}

/** What the worker reported, as stored in the task row (now, or later by the sweeper). */
type Reported = Pick<Conclusion, 'result' | 'resultType' | 'errorInfo'>;

/** A conclusion to write now: the locked task's state when it was decided, and what to write. */
interface Immediate {
  id: string;
  status: TaskStatus;
  jobId: string | null;
  destroyPending: boolean;
  outcome: ConcludeOutcome;
  conclusion: Reported;
}

/**
 * Writes conclusions now: the concluded rows with their events, and for deferred destroys, the
 * deletions; then the touched jobs' statuses, and the transaction's NOTIFY when anything changed.
 * Returns the cursor of the last event written.
 */
async function writeConclusions(tx: Executor, items: readonly Immediate[]): Promise<EventCursor | null> {
  const conclusions: Conclusion[] = [];
  // Deferred destroys, grouped by outcome: the deleting statement keys its effects by source status.
  const deletions = new Map<ConcludeOutcome, { ids: string[]; effects: Map<TaskStatus, StatusEffect> }>();
  const jobIds = new Set<string>();
  for (const item of items) {
    const t = concludeTransition(item.status, item.outcome, item.destroyPending);
    if (t.kind !== 'apply') continue;
    if (item.jobId) jobIds.add(item.jobId);
    if (t.delete) {
      const group = deletions.get(item.outcome) ?? { ids: [] as string[], effects: new Map<TaskStatus, StatusEffect>() };
      group.ids.push(item.id);
      if (!group.effects.has(item.status)) group.effects.set(item.status, effectOf('CONCLUDE', item.status, t));
      deletions.set(item.outcome, group);
    } else {
      const effect = effectOf('CONCLUDE', item.status, t);
      conclusions.push({ id: item.id, previous: item.status, status: t.to, progressOne: effect.progressOne, ...item.conclusion });
    }
  }
  // The conclude statement sends the NOTIFY itself when it concluded something.
  const concluded = await concludeTasksSql(tx, conclusions);
  let cursor = concluded.cursor;
  for (const group of deletions.values()) {
    cursor = laterCursor(cursor, await deleteTasksWithLog(tx, group.ids, [...group.effects.values()]));
  }
  await refreshJobStatuses(tx, jobIds);
  if (deletions.size > 0 && concluded.concluded === 0) await notifyEvents(tx);
  return cursor;
}

/** A task as the batch sees it while deciding item after item (an earlier item may have concluded it). */
interface Seen {
  task: LockedTask;
  /** Its status after the earlier items of this batch. */
  status: TaskStatus;
  /** An earlier item concluded it with a deferred destroy: it is gone. */
  deleted: boolean;
  /** A delayed conclusion is waiting (stored before this call, or by an earlier item). */
  pending: boolean;
}

interface Decided {
  ids: string[];
  errors: TaskError[];
  immediate: Immediate[];
  delayed: PendingConclusionItem[];
}

interface Item {
  request: ConcludeTaskRequest;
  /** The parsed id; null when malformed (NOT_FOUND). */
  id: string | null;
  delayMs: number;
  index: number;
}

/**
 * The per-item verdicts, in input order, over the locked tasks. Pure: the state machine decides
 * (concludeTransition), fencing by worker and attempt gives NOT_OWNER, a pending delayed conclusion
 * gives INVALID_STATE. An item naming a task that an earlier item of the same batch concluded is
 * judged against that outcome, exactly as if the two had come in two calls one after the other.
 */
function decide(caller: Caller, items: readonly Item[], locked: readonly LockedTask[]): Decided {
  const seen = new Map<string, Seen>(
    locked.map((task) => [task.id, { task, status: task.status, deleted: false, pending: task.hasPendingConclusion }]),
  );
  const decided: Decided = { ids: [], errors: [], immediate: [], delayed: [] };
  const refuse = (index: number, code: TaskError['code'], taskId: string | null, status: TaskStatus | null, message: string) =>
    decided.errors.push({ taskId, index, code, message: `${caller.mutation}: ${message}`, status });
  for (const { request, id, delayMs, index } of items) {
    const entry = id === null ? undefined : seen.get(id);
    if (!entry || entry.deleted) {
      refuse(index, 'NOT_FOUND', null, null, `no task with id ${JSON.stringify(request.id)}`);
      continue;
    }
    const { task, status } = entry;
    const t = concludeTransition(status, request.outcome, task.destroyPending);
    if (t.kind !== 'apply') {
      refuse(index, t.code, task.id, status, `task ${task.id} is already ${status}`);
      continue;
    }
    const fenced = request.worker != null || request.attempt != null;
    if (
      fenced &&
      (!isHeldByWorker(status) ||
        (request.worker != null && request.worker !== task.residentOn) ||
        (request.attempt != null && request.attempt !== task.attempts))
    ) {
      const holder = isHeldByWorker(status) ? `held by ${task.residentOn ?? 'nobody'} in attempt ${task.attempts}` : `not claimed (${status})`;
      refuse(index, 'NOT_OWNER', task.id, status, `task ${task.id} is ${holder}`);
      continue;
    }
    if (entry.pending) {
      refuse(index, 'INVALID_STATE', task.id, status, `task ${task.id} already has a delayed conclusion pending`);
      continue;
    }
    const errorInfo = [...(request.errorInfo ?? [])];
    const conclusion: Reported = { result: request.result ?? null, resultType: request.resultType ?? null, errorInfo };
    if (delayMs > 0) {
      decided.delayed.push({ id: task.id, conclusion: { outcome: request.outcome, ...conclusion, errorInfo, attempt: task.attempts }, delayMs });
      entry.pending = true;
    } else {
      decided.immediate.push({ id: task.id, status, jobId: task.jobId, destroyPending: task.destroyPending, outcome: request.outcome, conclusion });
      entry.status = t.to;
      entry.deleted = t.delete;
    }
    decided.ids.push(task.id);
  }
  return decided;
}

/**
 * The one conclude path (concludeTask is its one-item case). In one transaction: lock the named
 * tasks once, in id order → decide per item (decide, pure) → with `ignore: false` any error returns
 * before anything is written → store the delayed conclusions in one UPDATE → write the immediate
 * ones in one UPDATE that also writes their STATUS_CHANGED events and sends the NOTIFY (and one
 * DELETE with DELETED events for deferred destroys) → refresh the touched jobs' statuses once.
 * After the commit the sweeper is woken for each moment a delayed conclusion is due.
 *
 * Conclusions are fenced: a given `worker` must hold the task and a given `attempt` must be its
 * current one, or the answer is NOT_OWNER (a worker whose claim was revoked, or whose lease expired
 * and was claimed again, cannot overwrite the newer attempt). With `delayMs` > 0 (XINA conclude
 * delay) the conclusion is stored in the task row and applied by the sweeper's applyDueConclusions
 * step when due, so a restart in between loses nothing.
 */
async function conclude(
  db: Executor,
  caller: Caller,
  requests: readonly ConcludeTaskRequest[],
  ignore: boolean,
  sweeper: { wakeAt(when: Date): void } | undefined,
): Promise<TaskBatchResult> {
  const items: Item[] = requests.map((request, index) => ({
    request,
    id: parseId(request.id),
    delayMs: validate(request, caller.label(index)),
    index,
  }));
  const ids = [...new Set(items.flatMap((i) => (i.id === null ? [] : [i.id])))];
  let dueAt: number[] = [];
  const result = await inTransaction(db, async (tx): Promise<TaskBatchResult> => {
    dueAt = [];
    const locked = ids.length > 0 ? await lockTasks(tx, { kind: 'ids', ids }) : [];
    const decided = decide(caller, items, locked);
    if (decided.errors.length > 0 && !ignore) return { applied: false, ids: [], errors: decided.errors, cursor: null };
    dueAt = await storePendingConclusions(tx, decided.delayed);
    // A delayed conclusion writes its event when the sweeper applies it: it has no cursor yet.
    const cursor = await writeConclusions(tx, decided.immediate);
    return { applied: true, ids: decided.ids, errors: decided.errors, cursor };
  });
  for (const at of dueAt) sweeper?.wakeAt(new Date(at));
  return result;
}

/**
 * concludeTasks: a worker (or an operator) concludes many tasks in one call: SUCCEEDED → COMPLETED,
 * FAILED → FAILED, CANCELLED → CANCELLED, each with its result and errorInfo. Per-task errors carry
 * the item's index in `tasks`. At most LIMITS.maxBatch items.
 */
export async function concludeTasks(
  db: Executor,
  request: ConcludeTasksRequest,
  sweeper?: { wakeAt(when: Date): void },
): Promise<TaskBatchResult> {
  checkBatchSize('tasks', request.tasks.length);
  return conclude(db, BATCH, request.tasks, request.ignore ?? true, sweeper);
}

/** concludeTask: the one-item case of concludeTasks. Its errors have no index (there is no list). */
export async function concludeTask(
  db: Executor,
  request: ConcludeTaskRequest,
  sweeper?: { wakeAt(when: Date): void },
): Promise<TaskBatchResult> {
  const result = await conclude(db, ONE, [request], false, sweeper);
  return { ...result, errors: result.errors.map((e) => ({ ...e, index: null })) };
}

/** Conclusions per sweep transaction; a backlog drains over a few ticks. */
const DUE_BATCH = 1_000;

/**
 * applyDueConclusions: applies the delayed conclusions whose time has come, set-based. A conclusion
 * whose attempt is no longer the task's (requeued and claimed again), or whose task concluded
 * otherwise meanwhile, is dropped: it belonged to a claim that no longer exists.
 */
export async function applyDueConclusions(db: Executor, limit = DUE_BATCH): Promise<number> {
  return inTransaction(db, async (tx) => {
    const due = await lockDueConclusions(tx, limit);
    if (due.length === 0) return 0;
    const stale: string[] = [];
    const apply: Immediate[] = [];
    for (const row of due) {
      const c = row.conclusion;
      if (!c || c.attempt !== row.attempts || concludeTransition(row.status, c.outcome).kind !== 'apply') {
        stale.push(row.id);
        continue;
      }
      apply.push({
        id: row.id,
        status: row.status,
        jobId: row.jobId,
        destroyPending: row.destroyPending,
        outcome: c.outcome,
        conclusion: { result: c.result, resultType: c.resultType, errorInfo: c.errorInfo },
      });
    }
    await clearPendingConclusions(tx, stale);
    await writeConclusions(tx, apply);
    return apply.length;
  });
}
