import { and, asc, eq, gt, inArray, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import { jobs, threads, type JobRow, type ThreadRow } from '../db/tables.ts';
import type { JobStatus } from '../domain/jobStatus.ts';
import { textArray, uuidArray } from './params.ts';

export interface JobFilter {
  status?: readonly JobStatus[] | null;
  name?: string | null;
}

function jobFilterCondition(filter: JobFilter | null | undefined): SQL | undefined {
  if (!filter) return undefined;
  const parts: SQL[] = [];
  if (filter.status != null) parts.push(filter.status.length ? inArray(jobs.status, [...filter.status]) : sql`false`);
  if (filter.name != null) parts.push(eq(jobs.name, filter.name));
  return parts.length ? and(...parts) : undefined;
}

export async function loadJobsByIds(ex: Executor, ids: readonly string[]): Promise<JobRow[]> {
  if (ids.length === 0) return [];
  return ex.select().from(jobs).where(sql`${jobs.id} = ANY(${uuidArray(ids)})`);
}

/** listJobs: one keyset page in creation order (plus one row to learn whether more follow). */
export async function listJobs(
  ex: Executor,
  filter: JobFilter | null | undefined,
  page: { afterSeq: number | null; limit: number },
): Promise<JobRow[]> {
  return ex
    .select()
    .from(jobs)
    .where(and(jobFilterCondition(filter), page.afterSeq === null ? undefined : gt(jobs.seq, page.afterSeq)))
    .orderBy(asc(jobs.seq))
    .limit(page.limit + 1);
}

export async function countJobs(ex: Executor, filter: JobFilter | null | undefined): Promise<number> {
  const [row] = await ex
    .select({ count: sql<number>`count(*)::int` })
    .from(jobs)
    .where(jobFilterCondition(filter));
  return Number(row?.count ?? 0);
}

export async function loadThreadsByName(ex: Executor, names: readonly string[]): Promise<ThreadRow[]> {
  if (names.length === 0) return [];
  return ex.select().from(threads).where(sql`${threads.name} = ANY(${textArray(names)})`);
}

export async function listThreads(ex: Executor, page: { afterSeq: number | null; limit: number }): Promise<ThreadRow[]> {
  return ex
    .select()
    .from(threads)
    .where(page.afterSeq === null ? undefined : gt(threads.seq, page.afterSeq))
    .orderBy(asc(threads.seq))
    .limit(page.limit + 1);
}
