import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../db/database.ts';
import { threads, type ThreadRow } from '../db/tables.ts';
import { uuidArray } from './params.ts';

/**
 * setJobsSuspended: sets or clears the suspended flag of these jobs and returns the ids that exist.
 * Callers lock the jobs' tasks before this (tasks first, then jobs: the order every writer uses).
 */
export async function setJobsSuspended(ex: Executor, jobIds: readonly string[], suspended: boolean): Promise<Set<string>> {
  if (jobIds.length === 0) return new Set();
  const rows = await queryRows<{ id: string }>(
    ex,
    sql`
      /* setJobsSuspended */
      UPDATE jobs SET suspended = ${suspended} WHERE id = ANY(${uuidArray(jobIds)})
      RETURNING id::text AS id`,
  );
  return new Set(rows.map((r) => r.id));
}

/**
 * setThreadPaused: pauses or resumes a thread, creating it when it does not exist yet, so that a
 * lane can be paused before its first task arrives (tasks join an existing thread row).
 */
export async function setThreadPaused(ex: Executor, name: string, paused: boolean): Promise<ThreadRow> {
  const [row] = await ex
    .insert(threads)
    .values({ name, paused })
    .onConflictDoUpdate({ target: threads.name, set: { paused } })
    .returning();
  return row!;
}
