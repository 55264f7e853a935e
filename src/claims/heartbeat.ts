import { inTransaction, type Executor } from '../db/database.ts';
import { parseId } from '../domain/ids.ts';
import { LIMITS, badInput, checkBatchSize } from '../domain/limits.ts';
import { extendLeases, touchWorker, type HeartbeatItem } from '../sql/heartbeat.ts';
import { recordProgress } from '../sql/progress.ts';
import { validateLeaseMs, validateWorkerName } from './claimTasks.ts';

export type WorkerDirective = 'CONTINUE' | 'CANCEL' | 'ABANDON';

export interface HeartbeatRequest {
  worker: string;
  tasks: readonly { id: string; attempt?: number | null; progress?: number | null; message?: string | null }[];
  leaseMs?: number | null;
}

export interface HeartbeatResult {
  taskId: string;
  directive: WorkerDirective;
  leaseExpiresAt: Date | null;
}

/**
 * heartbeat: a worker reports on the tasks it runs. Per task, in input order:
 * - CONTINUE: the task is RUNNING and still this worker's (resident_on = worker, and `attempt`, when
 *   given, is the current attempt); its lease is extended by `leaseMs` (default 30 s).
 * - CANCEL: the task is CANCELLING and still this worker's: stop and conclude it CANCELLED. The lease
 *   is extended too, so the acknowledgement has time to arrive.
 * - ABANDON: anything else (another worker's, a stale attempt, requeued, suspended, concluded,
 *   deleted, unknown or malformed id): stop working on it, its result would be refused.
 *
 * Progress (0..1) and message are recorded only for the held tasks, with throttled PROGRESS events
 * (recordProgress). Everything happens in one transaction: one statement for all leases, one for all
 * progress, one to note that the worker was seen.
 */
export async function heartbeat(db: Executor, request: HeartbeatRequest): Promise<HeartbeatResult[]> {
  const worker = validateWorkerName(request.worker);
  const leaseMs = validateLeaseMs(request.leaseMs ?? LIMITS.defaultLeaseMs);
  checkBatchSize('tasks', request.tasks.length);
  request.tasks.forEach((t, index) => {
    if (t.progress != null && !(Number.isFinite(t.progress) && t.progress >= 0 && t.progress <= 1)) {
      throw badInput(`tasks[${index}].progress must be a number from 0 to 1, got ${t.progress}`, { limit: 'progress' });
    }
    if (t.message != null && t.message.length > LIMITS.maxMessageLength) {
      throw badInput(`tasks[${index}].message is over the limit of ${LIMITS.maxMessageLength} characters (maxMessageLength)`, {
        limit: 'maxMessageLength',
      });
    }
  });
  const parsed = request.tasks.map((t, ord) => ({ ...t, ord, parsedId: parseId(t.id) }));
  const items: HeartbeatItem[] = parsed.flatMap((t) =>
    t.parsedId === null ? [] : [{ ord: t.ord, id: t.parsedId, attempt: t.attempt ?? null }],
  );

  const held = await inTransaction(db, async (tx) => {
    const rows = await extendLeases(tx, worker, items, leaseMs);
    const heldIds = new Set(rows.map((r) => r.id));
    const updates = parsed.flatMap((t) =>
      t.parsedId !== null && heldIds.has(t.parsedId) && (t.progress != null || t.message !== undefined)
        ? [{ taskId: t.parsedId, progress: t.progress ?? null, ...(t.message !== undefined ? { message: t.message } : {}) }]
        : [],
    );
    // recordProgress sends the transaction's NOTIFY itself when it wrote PROGRESS events.
    await recordProgress(tx, updates);
    await touchWorker(tx, worker);
    return new Map(rows.map((r) => [r.id, r]));
  });

  return parsed.map((t) => {
    const row = t.parsedId === null ? undefined : held.get(t.parsedId);
    if (!row) return { taskId: t.id, directive: 'ABANDON', leaseExpiresAt: null };
    return { taskId: row.id, directive: row.status === 'CANCELLING' ? 'CANCEL' : 'CONTINUE', leaseExpiresAt: row.leaseExpiresAt };
  });
}
