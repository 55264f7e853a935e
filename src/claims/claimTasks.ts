import { inTransaction, type Executor } from '../db/database.ts';
import type { TaskRow } from '../db/tables.ts';
import { LIMITS, badInput, checkBatchSize } from '../domain/limits.ts';
import { claimTasks as claimTasksSql, threadConflicts } from '../sql/claimTasks.ts';
import { refreshJobStatuses } from '../sql/jobWrites.ts';
import { ClaimWaiter } from './claimWaiter.ts';

export interface ClaimTasksRequest {
  worker: string;
  names?: readonly string[] | null;
  limit?: number | null;
  leaseMs?: number | null;
  waitMs?: number | null;
}

interface ValidClaim {
  worker: string;
  names: readonly string[] | null;
  limit: number;
  leaseMs: number;
  waitMs: number;
}

function intIn(what: string, value: number, min: number, max: number, limit: string): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw badInput(`${what} must be an integer from ${min} to ${max} (${limit}), got ${value}`, { limit });
  }
  return value;
}

/** Whole-request checks; each limit is a BAD_USER_INPUT error naming it. */
export function validateWorkerName(worker: string): string {
  if (worker.trim() === '') throw badInput('worker must not be empty');
  if (worker.length > LIMITS.maxNameLength) {
    throw badInput(`worker is over the limit of ${LIMITS.maxNameLength} characters (maxNameLength)`, { limit: 'maxNameLength' });
  }
  return worker;
}

export function validateLeaseMs(leaseMs: number): number {
  return intIn('leaseMs', leaseMs, LIMITS.minLeaseMs, LIMITS.maxLeaseMs, 'leaseMs');
}

function validate(request: ClaimTasksRequest): ValidClaim {
  const names = request.names ?? null;
  if (names !== null) {
    checkBatchSize('names', names.length);
    if (names.some((n) => n.length > LIMITS.maxNameLength)) {
      throw badInput(`a name is over the limit of ${LIMITS.maxNameLength} characters (maxNameLength)`, { limit: 'maxNameLength' });
    }
  }
  return {
    worker: validateWorkerName(request.worker),
    names: names === null ? null : [...new Set(names)],
    limit: intIn('limit', request.limit ?? 1, 1, LIMITS.maxClaimLimit, 'maxClaimLimit'),
    leaseMs: validateLeaseMs(request.leaseMs ?? LIMITS.defaultLeaseMs),
    waitMs: intIn('waitMs', request.waitMs ?? 0, 0, LIMITS.maxWaitMs, 'maxWaitMs'),
  };
}

/** Thrown inside the claim transaction to roll it back when a thread race was detected. */
class ThreadRace extends Error {}

/** Thrown inside the claim transaction to roll it back when the client went away meanwhile. */
class ClientGone extends Error {}

/**
 * One claim attempt: one transaction with the claim statement (which also returns the claimed rows
 * and sends the NOTIFY), the thread re-check and the job status refresh. Returns the claimed rows in
 * claim order (priority DESC, creation order).
 */
async function claimOnce(db: Executor, claim: ValidClaim, signal: AbortSignal | undefined): Promise<TaskRow[]> {
  for (let round = 1; ; round++) {
    try {
      return await inTransaction(db, async (tx) => {
        const claimed = await claimTasksSql(tx, claim);
        if (claimed.length === 0) return [];
        // See claimTasks in src/sql/claimTasks.ts: a claim in one of our threads that committed between
        // our snapshot and our thread lock makes this attempt void; roll back and claim again.
        if ((await threadConflicts(tx, claimed)).length > 0) throw new ThreadRace();
        // A long-polling client that left (a stopping worker aborts its claim) would never learn of
        // these tasks, which would then sit RUNNING until their lease expires: give them back now.
        if (signal?.aborted) throw new ClientGone();
        await refreshJobStatuses(
          tx,
          claimed.flatMap((c) => (c.jobId ? [c.jobId] : [])),
        );
        // claimTasksSql sent the NOTIFY (payload 'claimed', which waiting claimers ignore) and returned
        // the claimed rows whole, in claim order.
        return claimed;
      });
    } catch (error) {
      if (error instanceof ClientGone) return [];
      if (!(error instanceof ThreadRace)) throw error;
      // Ten races in a row: leave the thread to the claimers that won; the caller waits or returns.
      if (round >= 10) return [];
    }
  }
}

/**
 * claimTasks: claims up to `limit` tasks for `worker`. With `waitMs`, when nothing is claimable it
 * waits for change notifications (ClaimWaiter) and tries again until something is claimed, the
 * deadline passes (then []), the client goes away (`signal`) or the server stops.
 */
export async function claimTasks(
  db: Executor,
  waiter: ClaimWaiter,
  request: ClaimTasksRequest,
  signal?: AbortSignal,
): Promise<TaskRow[]> {
  const claim = validate(request);
  const deadline = Date.now() + claim.waitMs;
  const key = ClaimWaiter.groupKey(claim.names);
  for (;;) {
    const seen = waiter.generation;
    const attemptAt = Date.now();
    let rows: TaskRow[];
    try {
      rows = await claimOnce(db, claim, signal);
    } catch (error) {
      waiter.passOn(key); // whatever this attempt would have found, let the next claimer look
      throw error;
    }
    if (rows.length > 0) {
      // There may be more: the next sleeping claimer with this filter tries too (see ClaimWaiter).
      if (claim.waitMs > 0) waiter.passOn(key);
      return rows;
    }
    if (claim.waitMs === 0) return rows;
    if (!(await waiter.waitForChange(key, seen, deadline, signal, attemptAt))) return [];
  }
}
