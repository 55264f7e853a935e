import { inTransaction, notifyEvents, type Executor } from '../db/database.ts';
import { parseId } from '../domain/ids.ts';
import { LIMITS, badInput, jsonByteLength } from '../domain/limits.ts';
import { concludeTransition, isHeldByWorker, type ConcludeOutcome, type TaskStatus } from '../domain/taskStateMachine.ts';
import { refreshJobStatuses } from '../sql/jobWrites.ts';
import {
  clearPendingConclusions,
  concludeTasks,
  deleteTasksWithLog,
  lockDueConclusions,
  lockTasks,
  storePendingConclusion,
  type Conclusion,
  type StatusEffect,
} from '../sql/taskCommands.ts';
import type { SweepStep } from '../sweeper.ts';
import type { TaskBatchResult, TaskError } from './errors.ts';
import { effectOf } from './taskCommands.ts';

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

/** Whole-request checks: every limit is a BAD_USER_INPUT error naming it. */
function validate(request: ConcludeTaskRequest): number {
  const delayMs = request.delayMs ?? 0;
  if (!Number.isInteger(delayMs) || delayMs < LIMITS.minDelayMs || delayMs > LIMITS.maxDelayMs) {
    throw badInput(`delayMs must be between ${LIMITS.minDelayMs} and ${LIMITS.maxDelayMs} (maxDelayMs), got ${delayMs}`, {
      limit: 'maxDelayMs',
    });
  }
  if (request.result !== undefined && request.result !== null && jsonByteLength(request.result) > LIMITS.maxResultBytes) {
    throw badInput(`result is over the limit of ${LIMITS.maxResultBytes} bytes (maxResultBytes)`, { limit: 'maxResultBytes' });
  }
  if (request.resultType != null && request.resultType.length > LIMITS.maxNameLength) {
    throw badInput(`resultType is over the limit of ${LIMITS.maxNameLength} characters`, { limit: 'maxNameLength' });
  }
  const errorInfo = request.errorInfo ?? [];
  if (errorInfo.length > LIMITS.maxErrorInfoItems) {
    throw badInput(`errorInfo has more than ${LIMITS.maxErrorInfoItems} items (maxErrorInfoItems)`, { limit: 'maxErrorInfoItems' });
  }
  if (errorInfo.some((item) => item.length > LIMITS.maxMessageLength)) {
    throw badInput(`an errorInfo item is over the limit of ${LIMITS.maxMessageLength} characters`, { limit: 'maxMessageLength' });
  }
  return delayMs;
}

function refused(code: TaskError['code'], taskId: string | null, status: TaskStatus | null, message: string): TaskBatchResult {
  return { applied: false, ids: [], errors: [{ taskId, index: null, code, message, status }] };
}

/** Writes a conclusion now: the concluded row with its event, or, for a deferred destroy, the deletion. */
async function writeConclusions(
  tx: Executor,
  items: readonly { id: string; status: TaskStatus; jobId: string | null; destroyPending: boolean; conclusion: Omit<Conclusion, 'id' | 'previous' | 'status' | 'progressOne'>; outcome: ConcludeOutcome }[],
): Promise<Set<string>> {
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
  await concludeTasks(tx, conclusions);
  for (const group of deletions.values()) await deleteTasksWithLog(tx, group.ids, [...group.effects.values()]);
  return jobIds;
}

/**
 * concludeTask: a worker (or an operator) concludes one task: SUCCEEDED → COMPLETED, FAILED → FAILED,
 * CANCELLED → CANCELLED, with its result and errorInfo. Fenced: a given `worker` must hold the task
 * and a given `attempt` must be its current one, or the answer is NOT_OWNER (a worker whose claim
 * was revoked, or whose lease expired and was claimed again, cannot overwrite the newer attempt).
 *
 * With `delayMs` > 0 (XINA conclude delay) the conclusion is stored in the task row and applied by
 * the sweeper's applyDueConclusions step when due, so a restart in between loses nothing; the
 * sweeper is woken for that moment instead of waiting for its next tick.
 */
export async function concludeTask(
  db: Executor,
  request: ConcludeTaskRequest,
  sweeper?: { wakeAt(when: Date): void },
): Promise<TaskBatchResult> {
  const delayMs = validate(request);
  const id = parseId(request.id);
  if (id === null) return refused('NOT_FOUND', null, null, `no task with id ${JSON.stringify(request.id)}`);
  let dueAt: number | null = null;
  const result = await inTransaction(db, async (tx): Promise<TaskBatchResult> => {
    dueAt = null;
    const [task] = await lockTasks(tx, { kind: 'ids', ids: [id] });
    if (!task) return refused('NOT_FOUND', null, null, `no task with id ${JSON.stringify(request.id)}`);
    const t = concludeTransition(task.status, request.outcome, task.destroyPending);
    if (t.kind !== 'apply') {
      return refused(t.code, task.id, task.status, `concludeTask: task ${task.id} is already ${task.status}`);
    }
    const fenced = request.worker != null || request.attempt != null;
    if (
      fenced &&
      (!isHeldByWorker(task.status) ||
        (request.worker != null && request.worker !== task.residentOn) ||
        (request.attempt != null && request.attempt !== task.attempts))
    ) {
      const holder = isHeldByWorker(task.status) ? `held by ${task.residentOn ?? 'nobody'} in attempt ${task.attempts}` : `not claimed (${task.status})`;
      return refused('NOT_OWNER', task.id, task.status, `concludeTask: task ${task.id} is ${holder}`);
    }
    if (task.hasPendingConclusion) {
      return refused('INVALID_STATE', task.id, task.status, `concludeTask: task ${task.id} already has a delayed conclusion pending`);
    }
    const conclusion = {
      result: request.result ?? null,
      resultType: request.resultType ?? null,
      errorInfo: [...(request.errorInfo ?? [])],
    };
    if (delayMs > 0) {
      dueAt = await storePendingConclusion(tx, task.id, { outcome: request.outcome, ...conclusion, attempt: task.attempts }, delayMs);
      return { applied: true, ids: [task.id], errors: [] };
    }
    const jobIds = await writeConclusions(tx, [{ ...task, conclusion, outcome: request.outcome }]);
    await refreshJobStatuses(tx, jobIds);
    await notifyEvents(tx);
    return { applied: true, ids: [task.id], errors: [] };
  });
  if (dueAt !== null) sweeper?.wakeAt(new Date(dueAt));
  return result;
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
    const apply: Parameters<typeof writeConclusions>[1][number][] = [];
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
    const jobIds = await writeConclusions(tx, apply);
    await refreshJobStatuses(tx, jobIds);
    if (apply.length > 0) await notifyEvents(tx);
    return apply.length;
  });
}

export const applyDueConclusionsStep: SweepStep = {
  name: 'applyDueConclusions',
  run: (database) => applyDueConclusions(database.db),
};
