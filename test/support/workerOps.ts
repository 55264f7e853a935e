import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/database.ts';
import { graphql } from '../../src/gql/index.ts';
import type { TestServer } from './server.ts';

/** Worker-protocol operations shared by the claim, heartbeat, sweeper and worker tests. */

export const Claim = graphql(`
  mutation WorkerTestClaim($input: ClaimTasksInput!) {
    claimTasks(input: $input) {
      tasks { id name status priority attempts residentOn startedAt leaseExpiresAt thread { name } job { id } }
    }
  }
`);

export const Beat = graphql(`
  mutation WorkerTestHeartbeat($input: HeartbeatInput!) {
    heartbeat(input: $input) { results { taskId directive leaseExpiresAt } }
  }
`);

export const Run = graphql(`
  mutation WorkerTestRun($input: RunTasksInput!) {
    runTasks(input: $input) { applied ids errors { index code message } }
  }
`);

export const Submit = graphql(`
  mutation WorkerTestSubmit($input: SubmitJobInput!) {
    submitJob(input: $input) { applied job { id } tasks { id } errors { index code message } }
  }
`);

export const Conclude = graphql(`
  mutation WorkerTestConclude($input: ConcludeTaskInput!) {
    concludeTask(input: $input) { applied ids errors { code message } }
  }
`);

export const Cancel = graphql(`
  mutation WorkerTestCancel($input: TaskCommandInput!) {
    cancelTasks(input: $input) { applied ids errors { code message } }
  }
`);

export const Destroy = graphql(`
  mutation WorkerTestDestroy($input: TaskCommandInput!) {
    destroyTasks(input: $input) { applied ids errors { code message } }
  }
`);

export const TaskState = graphql(`
  query WorkerTestTask($id: ID!) {
    task(id: $id) { id status attempts residentOn errorInfo progress message result leaseExpiresAt finishedAt }
  }
`);

export const ThreadState = graphql(`
  query WorkerTestThread($name: String!) { thread(name: $name) { name status paused head { id status } } }
`);

/** Runs loose tasks; returns their ids in definition order. */
export async function runTasks(
  server: TestServer,
  tasks: { name: string; priority?: number; thread?: string; hold?: boolean; open?: boolean; timeoutMs?: number; maxAttempts?: number; conf?: unknown }[],
): Promise<string[]> {
  const { runTasks } = await server.gql(Run, { input: { tasks } });
  if (!runTasks?.applied) throw new Error(JSON.stringify(runTasks?.errors));
  return runTasks.ids!;
}

export async function claim(
  server: TestServer,
  input: { worker: string; names?: string[]; limit?: number; leaseMs?: number; waitMs?: number },
): Promise<string[]> {
  const { claimTasks } = await server.gql(Claim, { input });
  return claimTasks.tasks.map((t) => t.id!);
}

export async function status(server: TestServer, id: string) {
  const { task } = await server.gql(TaskState, { id });
  return task;
}

/** Moves the leases of these tasks (all held tasks when omitted) into the past. */
export async function expireLeases(server: TestServer, ids?: string[]): Promise<void> {
  const where = ids ? sql`id = ANY(${`{${ids.join(',')}}`}::uuid[])` : sql`true`;
  await server.db.database.db.execute(
    sql`UPDATE tasks SET lease_expires_at = now() - interval '1 second' WHERE lease_expires_at IS NOT NULL AND ${where}`,
  );
}

export async function eventKinds(server: TestServer, id: string): Promise<string[]> {
  const rows = await queryRows<{ kind: string; previous_status: string | null; status: string | null }>(
    server.db.database.db,
    sql`SELECT kind, previous_status, status FROM task_events WHERE task_id = ${id} ORDER BY txid, id`,
  );
  return rows.map((r) => (r.kind === 'STATUS_CHANGED' ? `${r.previous_status}>${r.status}` : r.kind));
}
