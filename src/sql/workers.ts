import { and, asc, desc, inArray } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import { tasks, workers, type TaskRow } from '../db/tables.ts';
import { HELD_STATUSES } from '../domain/taskStateMachine.ts';

export type WorkerRow = typeof workers.$inferSelect;

/** listWorkers: the workers seen, most recently seen first. */
export async function listWorkers(ex: Executor, limit: number): Promise<WorkerRow[]> {
  return ex.select().from(workers).orderBy(desc(workers.lastSeenAt), asc(workers.name)).limit(limit);
}

/** loadWorkersByName: one query for any number of names. */
export async function loadWorkersByName(ex: Executor, names: readonly string[]): Promise<WorkerRow[]> {
  if (names.length === 0) return [];
  return ex.select().from(workers).where(inArray(workers.name, [...names]));
}

/** heldTasksByWorker: the RUNNING and CANCELLING tasks of these workers, in claim order. */
export async function heldTasksByWorker(ex: Executor, names: readonly string[]): Promise<Map<string, TaskRow[]>> {
  const result = new Map<string, TaskRow[]>(names.map((n) => [n, []]));
  if (names.length === 0) return result;
  const rows = await ex
    .select()
    .from(tasks)
    .where(and(inArray(tasks.residentOn, [...names]), inArray(tasks.status, [...HELD_STATUSES])))
    .orderBy(asc(tasks.startedAt), asc(tasks.seq));
  for (const row of rows) result.get(row.residentOn!)?.push(row);
  return result;
}

