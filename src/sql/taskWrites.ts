import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../db/database.ts';
import type { EventCursor } from '../domain/cursors.ts';
import { LAST_WRITTEN_EVENT, lastWrittenCursor } from './events.ts';
import { jsonParam, uuidArray } from './params.ts';

export interface NewTask {
  id: string;
  name: string;
  description: string | null;
  conf: Record<string, unknown>;
  status: 'PENDING' | 'QUEUED' | 'SUSPENDED';
  /** Created inside a suspended job: resumeJobs will requeue it. */
  suspendedByJob: boolean;
  jobId: string | null;
  jobIndex: number | null;
  parentId: string | null;
  thread: string | null;
  priority: number;
  timeoutMs: number | null;
  maxAttempts: number;
  refId: string | null;
  auto: boolean;
  archive: boolean;
  open: boolean;
}

/**
 * insertTasks: the whole batch in one statement. Rows travel as one JSON parameter
 * (`jsonb_to_recordset`), the CREATED events are written by the same statement, and threads the
 * batch names are created on first use. Rows are inserted in input order, so `seq` (creation order)
 * follows the input. Returns the cursor of the last CREATED event.
 */
export async function insertTasks(ex: Executor, rows: readonly NewTask[]): Promise<EventCursor | null> {
  if (rows.length === 0) return null;
  const input = rows.map((r, ord) => ({
    ord,
    id: r.id,
    name: r.name,
    description: r.description,
    conf: r.conf,
    status: r.status,
    job_id: r.jobId,
    job_index: r.jobIndex,
    parent_id: r.parentId,
    thread: r.thread,
    priority: r.priority,
    timeout_ms: r.timeoutMs,
    max_attempts: r.maxAttempts,
    ref_id: r.refId,
    auto: r.auto,
    archive: r.archive,
    open: r.open,
    suspended_by_job: r.suspendedByJob,
  }));
  const written = await queryRows<{ last_txid: string; last_id: string }>(
    ex,
    sql`
      /* insertTasks */
      WITH input AS (
        SELECT * FROM jsonb_to_recordset(${jsonParam(input)}) AS x(
          ord int, id uuid, name text, description text, conf jsonb, status text, job_id uuid,
          job_index int, parent_id uuid, thread text, priority int, timeout_ms int, max_attempts int,
          ref_id text, auto boolean, archive boolean, open boolean, suspended_by_job boolean)
      ), new_threads AS (
        INSERT INTO threads (name)
        SELECT DISTINCT thread FROM input WHERE thread IS NOT NULL
        ON CONFLICT (name) DO NOTHING
      ), inserted AS (
        INSERT INTO tasks (id, name, description, conf, status, job_id, job_index, parent_id, thread,
                           priority, timeout_ms, max_attempts, ref_id, auto, archive, open, suspended_by_job)
        SELECT id, name, description, conf, status, job_id, job_index, parent_id, thread,
               priority, timeout_ms, max_attempts, ref_id, auto, archive, open, suspended_by_job
        FROM input ORDER BY ord
        RETURNING id, job_id, thread, status, seq
      ), written AS (
        INSERT INTO task_events (kind, task_id, job_id, thread, status)
        SELECT 'CREATED', id, job_id, thread, status FROM inserted ORDER BY seq
        RETURNING txid, id
      )
      ${LAST_WRITTEN_EVENT}
    `,
  );
  return lastWrittenCursor(written);
}

/** existingTaskIds: which of these ids name a task (for parent validation). */
export async function existingTaskIds(ex: Executor, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await queryRows<{ id: string }>(
    ex,
    sql`/* existingTaskIds */ SELECT id::text AS id FROM tasks WHERE id = ANY(${uuidArray(ids)})`,
  );
  return new Set(rows.map((r) => r.id));
}
