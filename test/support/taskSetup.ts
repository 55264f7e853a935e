import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/database.ts';
import { jsonParam } from '../../src/sql/params.ts';
import type { TaskStatus } from '../../src/domain/taskStateMachine.ts';
import { graphql } from '../../src/gql/index.ts';
import type { TestServer } from './server.ts';

/**
 * Test set-up for the command suites: tasks in any status without going through the claim API
 * (RUNNING/CANCELLING are written with SQL as a claim would leave them: residentOn, attempts + 1,
 * a lease), and readers for rows and events.
 */

export const SetupSubmitJob = graphql(`
  mutation SetupSubmitJob($input: SubmitJobInput!) {
    submitJob(input: $input) { applied job { id } tasks { id index } }
  }
`);

export const SetupRunTasks = graphql(`
  mutation SetupRunTasks($input: RunTasksInput!) {
    runTasks(input: $input) { applied ids }
  }
`);

export interface TaskSpec {
  status: TaskStatus;
  thread?: string;
  refId?: string;
}

/** Puts tasks into the given statuses directly, as commands or a claim would have left them (no events). */
export async function forceStatuses(server: TestServer, items: readonly { id: string; status: TaskStatus }[]): Promise<void> {
  await server.db.database.db.execute(sql`
    UPDATE tasks t SET
      status = x.status,
      resident_on = CASE WHEN x.status IN ('RUNNING', 'CANCELLING') THEN 'worker-1' ELSE NULL END,
      attempts = CASE WHEN x.status IN ('RUNNING', 'CANCELLING') THEN t.attempts + 1 ELSE t.attempts END,
      lease_expires_at = CASE WHEN x.status IN ('RUNNING', 'CANCELLING') THEN now() + interval '5 minutes' ELSE NULL END,
      started_at = CASE WHEN x.status IN ('RUNNING', 'CANCELLING') THEN now() ELSE NULL END,
      progress = CASE WHEN x.status IN ('RUNNING', 'CANCELLING') THEN 0.5 ELSE 0 END,
      finished_at = CASE WHEN x.status IN ('COMPLETED', 'FAILED', 'CANCELLED') THEN now() ELSE NULL END,
      result = CASE WHEN x.status IN ('COMPLETED', 'FAILED') THEN '{"out": 1}'::jsonb ELSE NULL END,
      error_info = CASE WHEN x.status = 'FAILED' THEN ARRAY['BOOM'] ELSE '{}'::text[] END
    FROM jsonb_to_recordset(${jsonParam(items)}) AS x(id uuid, status text)
    WHERE t.id = x.id
  `);
}

/** A job whose task i is in specs[i].status; returns the job id and task ids by index. */
export async function jobWithTasks(server: TestServer, specs: readonly TaskSpec[], name = 'job'): Promise<{ jobId: string; ids: string[] }> {
  const { submitJob } = await server.gql(SetupSubmitJob, {
    input: {
      name,
      tasks: specs.map((s, i) => ({ name: `${name}-${i}`, thread: s.thread, refId: s.refId, hold: s.status === 'PENDING' })),
    },
  });
  const ids = submitJob!.tasks!.map((t) => t.id!);
  await forceStatuses(
    server,
    specs.map((s, i) => ({ id: ids[i]!, status: s.status })).filter((x) => x.status !== 'QUEUED' && x.status !== 'PENDING'),
  );
  return { jobId: submitJob!.job!.id!, ids };
}

/** Tasks without a job. */
export async function looseTasks(server: TestServer, specs: readonly TaskSpec[], name = 'task'): Promise<string[]> {
  const { runTasks } = await server.gql(SetupRunTasks, {
    input: { tasks: specs.map((s, i) => ({ name: `${name}-${i}`, thread: s.thread, refId: s.refId, hold: s.status === 'PENDING' })) },
  });
  const ids = runTasks!.ids!;
  await forceStatuses(
    server,
    specs.map((s, i) => ({ id: ids[i]!, status: s.status })).filter((x) => x.status !== 'QUEUED' && x.status !== 'PENDING'),
  );
  return ids;
}

export interface TaskState {
  id: string;
  status: TaskStatus;
  progress: number;
  resident_on: string | null;
  lease: boolean;
  finished: boolean;
  result: string | null;
  error_info: string[];
  destroy_pending: boolean;
  suspended_by_job: boolean;
  attempts: number;
}

/** The rows of these tasks (deleted ones are absent). */
export async function taskStates(server: TestServer, ids: readonly string[]): Promise<Map<string, TaskState>> {
  const rows = await queryRows<TaskState>(
    server.db.database.db,
    sql`SELECT id::text AS id, status, progress::float8 AS progress, resident_on, lease_expires_at IS NOT NULL AS lease,
               finished_at IS NOT NULL AS finished, result::text AS result, error_info, destroy_pending, suspended_by_job,
               attempts::int AS attempts
        FROM tasks WHERE id = ANY(${`{${ids.join(',')}}`}::uuid[])`,
  );
  return new Map(rows.map((r) => [r.id, { ...r, progress: Number(r.progress), attempts: Number(r.attempts) }]));
}

export interface EventRow {
  task_id: string;
  kind: string;
  previous_status: TaskStatus | null;
  status: TaskStatus | null;
}

/**
 * Every event of these tasks, grouped by task, each task's in the order its changes happened: by id.
 * Every writer of a task holds its row lock while it inserts the task's event, so a later change
 * of one task always gets a larger id. The log's cursor order (txid, id) is not that order: a
 * command takes its transaction id with its first row lock, then may wait for another task's lock
 * while a younger transaction changes that task and commits first.
 */
export async function eventsOf(server: TestServer, ids: readonly string[]): Promise<Map<string, EventRow[]>> {
  const rows = await queryRows<EventRow>(
    server.db.database.db,
    sql`SELECT task_id::text AS task_id, kind, previous_status, status FROM task_events
        WHERE task_id = ANY(${`{${ids.join(',')}}`}::uuid[]) ORDER BY id`,
  );
  const map = new Map<string, EventRow[]>(ids.map((id) => [id, []]));
  for (const row of rows) map.get(row.task_id)!.push(row);
  return map;
}

/** Total event rows, to check that a refused batch wrote nothing. */
export async function eventCount(server: TestServer): Promise<number> {
  const [row] = await queryRows<{ n: number }>(server.db.database.db, sql`SELECT count(*)::int AS n FROM task_events`);
  return Number(row!.n);
}
