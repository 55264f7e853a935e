import { inTransaction, notifyEvents, type Executor } from '../db/database.ts';
import type { ThreadRow } from '../db/tables.ts';
import { parseId } from '../domain/ids.ts';
import { LIMITS, badInput, checkBatchSize } from '../domain/limits.ts';
import { applicableStatuses, transition, type TaskCommand } from '../domain/taskStateMachine.ts';
import { setJobsSuspended, setThreadPaused } from '../sql/jobCommands.ts';
import { refreshJobStatuses } from '../sql/jobWrites.ts';
import { lockTasks, type TaskSelection } from '../sql/taskCommands.ts';
import type { TaskErrorCode } from '../domain/errors.ts';
import { applyDecisions, type Decision } from './taskCommands.ts';

/** One problem with one job of a job batch (`JobError`). */
export interface JobError {
  jobId: string | null;
  index: number | null;
  code: TaskErrorCode;
  message: string;
}

/** What suspendJobs / resumeJobs return (`JobBatchPayload`); jobs are loaded from `jobIds` on demand. */
export interface JobBatchResult {
  applied: boolean;
  jobIds: string[];
  errors: JobError[];
}

/** Thrown inside the transaction to roll it back when a job is unknown. */
class Rejected extends Error {
  constructor(readonly errors: JobError[]) {
    super('rejected');
  }
}

/**
 * Suspends (or resumes) jobs: all-or-nothing like a task command with `ignore: false`: an unknown
 * job is a NOT_FOUND error and nothing changes. Suspending a suspended job, or resuming one that is
 * not, is no error (the job is already as asked).
 *
 * suspendJobs suspends the job's PENDING, QUEUED and RUNNING tasks and marks them
 * `suspended_by_job`; resumeJobs requeues exactly the tasks so marked, leaving alone those an
 * operator suspended one by one.
 */
async function setSuspended(db: Executor, rawIds: readonly string[], suspend: boolean): Promise<JobBatchResult> {
  checkBatchSize('ids', rawIds.length);
  const errors: JobError[] = [];
  const ids: string[] = [];
  const firstIndex = new Map<string, number>();
  rawIds.forEach((raw, index) => {
    const id = parseId(raw);
    if (id === null) errors.push({ jobId: null, index, code: 'NOT_FOUND', message: `no job with id ${JSON.stringify(raw)}` });
    else if (!firstIndex.has(id)) {
      firstIndex.set(id, index);
      ids.push(id);
    }
  });
  if (errors.length > 0) return { applied: false, jobIds: [], errors };

  // SUSPEND's applicable statuses are PENDING, QUEUED, RUNNING; resuming moves SUSPENDED → QUEUED.
  const command: TaskCommand = suspend ? 'SUSPEND' : 'RESUME';
  const selection: TaskSelection = suspend
    ? { kind: 'jobs', jobIds: ids, statuses: applicableStatuses('SUSPEND') }
    : { kind: 'jobs', jobIds: ids, statuses: ['SUSPENDED'], suspendedByJob: true };
  try {
    return await inTransaction(db, async (tx) => {
      // Tasks are locked before the job rows, the order of every other writer. The second lock
      // catches tasks appended (runTasks) between the first lock and the flag change: runTasks holds
      // the job row while it inserts, so once setJobsSuspended has the row, every such task is visible.
      await lockTasks(tx, selection);
      const known = await setJobsSuspended(tx, ids, suspend);
      const missing = ids
        .filter((id) => !known.has(id))
        .map((id): JobError => ({ jobId: null, index: firstIndex.get(id)!, code: 'NOT_FOUND', message: `no job with id ${JSON.stringify(id)}` }));
      if (missing.length > 0) throw new Rejected(missing);
      const locked = await lockTasks(tx, selection);
      const decisions: Decision[] = [];
      for (const task of locked) {
        const t = transition(command, { status: task.status, jobSuspended: false });
        if (t.kind === 'apply') decisions.push({ task, transition: t });
      }
      await applyDecisions(tx, command, decisions, { suspendedByJob: suspend });
      await refreshJobStatuses(tx, ids);
      await notifyEvents(tx);
      return { applied: true, jobIds: ids, errors: [] };
    });
  } catch (error) {
    if (error instanceof Rejected) return { applied: false, jobIds: [], errors: error.errors };
    throw error;
  }
}

export function suspendJobs(db: Executor, ids: readonly string[]): Promise<JobBatchResult> {
  return setSuspended(db, ids, true);
}

export function resumeJobs(db: Executor, ids: readonly string[]): Promise<JobBatchResult> {
  return setSuspended(db, ids, false);
}

/**
 * pauseThread / resumeThread: a paused thread's tasks are not claimed; its tasks are not touched.
 * An unknown thread is created (paused or not), so a lane can be paused before its tasks arrive.
 * Resuming notifies, so that claims waiting for work (waitMs) look again.
 */
export async function setThreadPausedCommand(db: Executor, name: string, paused: boolean): Promise<ThreadRow> {
  if (name.length === 0 || name.length > LIMITS.maxNameLength) {
    throw badInput(`thread name must be 1 to ${LIMITS.maxNameLength} characters (maxNameLength)`, { limit: 'maxNameLength' });
  }
  return inTransaction(db, async (tx) => {
    const row = await setThreadPaused(tx, name, paused);
    await notifyEvents(tx);
    return row;
  });
}
