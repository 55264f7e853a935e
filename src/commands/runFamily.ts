import { inTransaction, notifyEvents, type Executor } from '../db/database.ts';
import type { EventCursor } from '../domain/cursors.ts';
import { newId, parseId } from '../domain/ids.ts';
import { LIMITS, badInput, checkBatchSize } from '../domain/limits.ts';
import { requestHash } from '../domain/requestHash.ts';
import { validateTaskDefinition, type ValidTaskDefinition } from '../domain/taskDefinition.ts';
import { claimIdempotencyKey, recordIdempotentResult } from '../sql/idempotency.ts';
import { insertJob, refreshJobStatuses, reserveJobIndices } from '../sql/jobWrites.ts';
import { existingTaskIds, insertTasks, type NewTask } from '../sql/taskWrites.ts';
import type { TaskError } from './errors.ts';

export interface RunTasksRequest {
  tasks: readonly unknown[];
  jobId?: string | null;
  idempotencyKey?: string | null;
}

export interface SubmitJobRequest {
  name: string;
  description?: string | null;
  priority?: number | null;
  suspended?: boolean | null;
  tasks: readonly unknown[];
  idempotencyKey?: string | null;
}

export interface RunResult {
  applied: boolean;
  jobId: string | null;
  ids: string[];
  errors: TaskError[];
  /** The cursor of the last CREATED event (as TaskBatchResult.cursor); null when nothing was created. */
  cursor: EventCursor | null;
}

/** What a submission created, inside its transaction. */
interface Created {
  jobId: string | null;
  ids: string[];
  cursor: EventCursor | null;
}

/** Thrown inside the transaction to roll it back when a definition is invalid. */
class Rejected extends Error {
  constructor(readonly errors: TaskError[]) {
    super('rejected');
  }
}

function invalid(index: number | null, message: string, code: TaskError['code'] = 'INVALID_INPUT'): TaskError {
  return { taskId: null, index, code, message, status: null };
}

/** Validates every definition and reports each bad one by its index; parents are checked in one query. */
async function validateDefinitions(
  tx: Executor,
  inputs: readonly unknown[],
  defaultPriority: number,
): Promise<ValidTaskDefinition[]> {
  const errors: TaskError[] = [];
  const valid: ValidTaskDefinition[] = [];
  inputs.forEach((input, index) => {
    const check = validateTaskDefinition(input, defaultPriority);
    if (check.ok) valid.push(check.value);
    else errors.push(invalid(index, check.message));
  });
  if (errors.length === 0) {
    const parentIds = new Set<string>();
    for (const d of valid) if (d.parent !== null) parentIds.add(parseId(d.parent) ?? '');
    parentIds.delete('');
    const known = await existingTaskIds(tx, [...parentIds]);
    valid.forEach((d, index) => {
      if (d.parent === null) return;
      const id = parseId(d.parent);
      if (id === null || !known.has(id)) errors.push(invalid(index, `parent ${JSON.stringify(d.parent)} is not a known task`));
      else d.parent = id;
    });
  }
  if (errors.length > 0) throw new Rejected(errors);
  return valid;
}

/** New rows for valid definitions; tasks born in a suspended job start SUSPENDED, as suspendJobs would leave them. */
function toNewTasks(
  defs: readonly ValidTaskDefinition[],
  jobId: string | null,
  firstIndex: number | null,
  jobSuspended = false,
): NewTask[] {
  return defs.map((d, i) => ({
    id: newId(),
    name: d.name,
    description: d.description,
    conf: d.conf,
    status: jobSuspended ? 'SUSPENDED' : d.hold ? 'PENDING' : 'QUEUED',
    suspendedByJob: jobSuspended,
    jobId,
    jobIndex: firstIndex === null ? null : firstIndex + i,
    parentId: d.parent,
    thread: d.thread,
    priority: d.priority,
    timeoutMs: d.timeoutMs,
    maxAttempts: d.maxAttempts,
    refId: d.refId,
    auto: d.auto,
    archive: d.archive,
    open: d.open,
  }));
}

function checkIdempotencyKey(key: string | null | undefined): void {
  if (key != null && (key.length === 0 || key.length > LIMITS.maxNameLength)) {
    throw badInput(`idempotencyKey must be 1 to ${LIMITS.maxNameLength} characters`);
  }
}

/** A submission's input with its idempotency key: the key is left out of the request's hash. */
type KeyedRequest = { idempotencyKey?: string | null };

/**
 * Runs a submission in one transaction: the idempotency key first, then validation, then the
 * set-based inserts with their events.
 *
 * A key names one request: the operation and the hash of its input without the key (canonical JSON,
 * so key order does not matter). The same request again returns the first result; another request
 * with the key (another operation, or other input) is refused with INVALID_INPUT and changes nothing,
 * since returning the first result would silently drop the second request.
 */
async function submit(
  db: Executor,
  operation: 'runTasks' | 'submitJob',
  request: KeyedRequest,
  work: (tx: Executor) => Promise<Created>,
): Promise<RunResult> {
  const { idempotencyKey: key, ...input } = request;
  const hash = key == null ? null : requestHash(input);
  try {
    return await inTransaction(db, async (tx) => {
      if (key != null && hash != null) {
        const first = await claimIdempotencyKey(tx, key, operation, hash);
        if (first) {
          if (first.operation !== operation || (first.requestHash !== null && first.requestHash !== hash)) {
            const other = first.operation === operation ? `another ${operation} request (different input)` : `a ${first.operation} request`;
            throw new Rejected([invalid(null, `idempotencyKey ${JSON.stringify(key)} was already used for ${other}; use a new key for a new request`)]);
          }
          return { applied: true, jobId: first.jobId, ids: first.taskIds, errors: [], cursor: first.cursor };
        }
      }
      const created = await work(tx);
      if (key != null) await recordIdempotentResult(tx, key, created);
      await notifyEvents(tx);
      return { applied: true, ...created, errors: [] };
    });
  } catch (error) {
    if (error instanceof Rejected) return { applied: false, jobId: null, ids: [], errors: error.errors, cursor: null };
    throw error;
  }
}

export async function runTasks(db: Executor, request: RunTasksRequest): Promise<RunResult> {
  checkBatchSize('tasks', request.tasks.length);
  checkIdempotencyKey(request.idempotencyKey);
  return submit(db, 'runTasks', request, async (tx) => {
    let jobId: string | null = null;
    let firstIndex: number | null = null;
    let defaultPriority: number = LIMITS.defaultPriority;
    let jobSuspended = false;
    if (request.jobId != null) {
      jobId = parseId(request.jobId);
      const reserved = jobId === null ? null : await reserveJobIndices(tx, jobId, request.tasks.length);
      if (reserved === null) throw new Rejected([invalid(null, `job ${JSON.stringify(request.jobId)} not found`, 'NOT_FOUND')]);
      firstIndex = reserved.start;
      defaultPriority = reserved.priority;
      jobSuspended = reserved.suspended;
    }
    const defs = await validateDefinitions(tx, request.tasks, defaultPriority);
    const rows = toNewTasks(defs, jobId, firstIndex, jobSuspended);
    const cursor = await insertTasks(tx, rows);
    if (jobId !== null) await refreshJobStatuses(tx, [jobId]);
    return { jobId, ids: rows.map((r) => r.id), cursor };
  });
}

export async function submitJob(db: Executor, request: SubmitJobRequest): Promise<RunResult> {
  checkBatchSize('tasks', request.tasks.length);
  checkIdempotencyKey(request.idempotencyKey);
  const jobCheck = validateTaskDefinition({ name: request.name, description: request.description, priority: request.priority });
  if (!jobCheck.ok) throw badInput(`job ${jobCheck.message}`);
  const priority = jobCheck.value.priority;
  return submit(db, 'submitJob', request, async (tx) => {
    const defs = await validateDefinitions(tx, request.tasks, priority);
    const jobId = newId();
    await insertJob(tx, {
      id: jobId,
      name: jobCheck.value.name,
      description: jobCheck.value.description,
      priority,
      suspended: request.suspended ?? false,
      taskCount: defs.length,
    });
    const rows = toNewTasks(defs, jobId, 0, request.suspended ?? false);
    const cursor = await insertTasks(tx, rows);
    await refreshJobStatuses(tx, [jobId], true);
    return { jobId, ids: rows.map((r) => r.id), cursor };
  });
}
