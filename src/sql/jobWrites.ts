import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../db/database.ts';
import { deriveJobStatus, isJobFinished, type JobStatus } from '../domain/jobStatus.ts';
import { nextEventTxid } from './events.ts';
import { jsonParam, uuidArray } from './params.ts';
import { taskCountsByJob, noCounts } from './taskReads.ts';

export interface NewJob {
  id: string;
  name: string;
  description: string | null;
  priority: number;
  suspended: boolean;
  taskCount: number;
}

/** insertJob: the job row, with its index counter already past the tasks that come with it. */
export async function insertJob(ex: Executor, job: NewJob): Promise<void> {
  await ex.execute(sql`
    /* insertJob */
    INSERT INTO jobs (id, name, description, priority, suspended, next_index)
    VALUES (${job.id}, ${job.name}, ${job.description}, ${job.priority}, ${job.suspended}, ${job.taskCount})
  `);
}

/**
 * reserveJobIndices: takes `count` indices after the job's last one. The UPDATE locks the job row,
 * so concurrent appends to one job get consecutive, disjoint ranges. Null when there is no such job.
 */
export async function reserveJobIndices(
  ex: Executor,
  jobId: string,
  count: number,
): Promise<{ start: number; priority: number; suspended: boolean } | null> {
  const [row] = await queryRows<{ start: number; priority: number; suspended: boolean }>(
    ex,
    sql`
      /* reserveJobIndices */
      UPDATE jobs SET next_index = next_index + ${count}
      WHERE id = ${jobId}
      RETURNING (next_index - ${count})::int AS start, priority::int AS priority, suspended
    `,
  );
  return row ? { start: Number(row.start), priority: Number(row.priority), suspended: row.suspended } : null;
}

/**
 * refreshJobStatuses: recomputes the derived status of these jobs after their tasks changed, and
 * writes a job event for each one whose status actually changed (a new job's first status too).
 *
 * The job rows are locked first, in id order: two transactions changing tasks of one job then
 * recompute one after the other, the second seeing the first's committed tasks, so the stored
 * status never goes stale and no deadlock comes from the lock order.
 */
export async function refreshJobStatuses(ex: Executor, jobIds: Iterable<string>, created = false): Promise<void> {
  const ids = [...new Set(jobIds)].sort();
  if (ids.length === 0) return;
  const locked = await queryRows<{ id: string; suspended: boolean; status: string }>(
    ex,
    sql`
      /* lockJobsForStatus */
      SELECT id::text AS id, suspended, status FROM jobs
      WHERE id = ANY(${uuidArray(ids)}) ORDER BY id FOR UPDATE
    `,
  );
  const counts = await taskCountsByJob(ex, ids);
  const changes: { id: string; previous: string | null; status: JobStatus; finished: boolean }[] = [];
  for (const job of locked) {
    const status = deriveJobStatus(job.suspended, (counts.get(job.id) ?? noCounts()).counts);
    if (status !== job.status || created) {
      changes.push({ id: job.id, previous: created ? null : job.status, status, finished: isJobFinished(status) });
    }
  }
  if (changes.length === 0) return;
  await ex.execute(sql`
    /* applyJobStatuses */
    WITH changes AS (
      SELECT * FROM jsonb_to_recordset(${jsonParam(changes)}) AS x(id uuid, previous text, status text, finished boolean)
    ), updated AS (
      UPDATE jobs SET status = c.status,
                      finished_at = CASE WHEN c.finished THEN coalesce(jobs.finished_at, now()) ELSE NULL END,
                      event_txid = ${nextEventTxid(sql`jobs.event_txid`)}
      FROM changes c WHERE jobs.id = c.id
      RETURNING jobs.id, jobs.event_txid
    )
    INSERT INTO job_events (job_id, previous_status, status, txid)
    SELECT c.id, c.previous, c.status, u.event_txid FROM changes c JOIN updated u ON u.id = c.id ORDER BY c.id
  `);
}
