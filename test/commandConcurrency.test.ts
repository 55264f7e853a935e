import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BatchCommand } from '../src/commands/taskCommands.ts';
import { queryRows } from '../src/db/database.ts';
import { deriveJobStatus } from '../src/domain/jobStatus.ts';
import { TASK_COMMANDS, concludeTransition, transition, type TaskStatus } from '../src/domain/taskStateMachine.ts';
import { graphql } from '../src/gql/index.ts';
import { noCounts, taskCountsByJob } from '../src/sql/taskReads.ts';
import { COMMAND_DOCUMENTS } from './support/commandDocuments.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { eventsOf, jobWithTasks } from './support/taskSetup.ts';

/**
 * Several clients on two server instances (one database) fire overlapping random commands at the
 * same tasks, while a simulated worker claims tasks. Afterwards every task's event log must replay
 * to its final state, every logged transition must be one the state machine allows, no request may
 * have failed, and every job's stored status must equal the status derived from its tasks.
 */

const Conclude = graphql(`
  mutation ConcurrencyConclude($input: ConcludeTaskInput!) { concludeTask(input: $input) { applied } }
`);
const SuspendJobs = graphql(`
  mutation ConcurrencySuspendJobs($input: JobIdsInput!) { suspendJobs(input: $input) { applied } }
`);
const ResumeJobs = graphql(`
  mutation ConcurrencyResumeJobs($input: JobIdsInput!) { resumeJobs(input: $input) { applied } }
`);

const TASKS = 40;
const CLIENTS = 6;
const ROUNDS = 25;

let servers: TestServer[] = [];
beforeAll(async () => {
  const first = await startTestServer();
  servers = [first, await startTestServer({ db: first.db })];
});
afterAll(async () => {
  for (const s of servers.slice().reverse()) await s.stop();
});

/** Seeded PRNG, so that a failure can be replayed. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What a worker's claim does, with its event (the claim API itself is not part of this suite). */
async function claimOne(server: TestServer, jobIds: string[]): Promise<void> {
  await server.db.database.db.execute(sql`
    WITH claimed AS (
      UPDATE tasks SET status = 'RUNNING', resident_on = 'sim-worker', attempts = attempts + 1,
                       lease_expires_at = now() + interval '1 minute', started_at = now()
      WHERE id = (SELECT id FROM tasks WHERE status = 'QUEUED' AND job_id = ANY(${`{${jobIds.join(',')}}`}::uuid[])
                  ORDER BY random() LIMIT 1 FOR UPDATE SKIP LOCKED)
      RETURNING id, job_id, thread
    )
    INSERT INTO task_events (kind, task_id, job_id, thread, previous_status, status)
    SELECT 'STATUS_CHANGED', id, job_id, thread, 'QUEUED', 'RUNNING' FROM claimed
  `);
}

const COMMANDS = TASK_COMMANDS.filter((c): c is BatchCommand => c !== 'CONCLUDE');
const OUTCOMES = ['SUCCEEDED', 'FAILED', 'CANCELLED'] as const;

/** Whether some command (for either job flag), a conclusion or a claim moves `from` to `to`. */
function allowed(from: TaskStatus, to: TaskStatus): boolean {
  if (from === 'QUEUED' && to === 'RUNNING') return true; // a claim
  for (const jobSuspended of [false, true]) {
    for (const command of COMMANDS) {
      const t = transition(command, { status: from, jobSuspended });
      if (t.kind === 'apply' && t.to === to) return true;
    }
  }
  return OUTCOMES.some((o) => {
    const t = concludeTransition(from, o);
    return t.kind === 'apply' && t.to === to;
  });
}

it('overlapping commands from several clients keep every task consistent with its event log', async () => {
  const [server] = servers;
  const jobs = await Promise.all([0, 1].map((j) => jobWithTasks(server!, Array.from({ length: TASKS / 2 }, () => ({ status: 'QUEUED' as const, thread: `conc-${j}` })), `conc-${j}`)));
  const jobIds = jobs.map((j) => j.jobId);
  const ids = jobs.flatMap((j) => j.ids);
  for (let i = 0; i < 12; i++) await claimOne(server!, jobIds);

  const failures: unknown[] = [];
  const client = async (n: number) => {
    const rnd = random(1000 + n);
    const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)]!;
    const target = servers[n % servers.length]!;
    for (let round = 0; round < ROUNDS; round++) {
      const roll = rnd();
      let response: { errors?: readonly unknown[]; status: number };
      if (roll < 0.1) {
        await claimOne(target, jobIds);
        continue;
      } else if (roll < 0.2) {
        response = await target.request(Conclude, { input: { id: pick(ids), outcome: pick(OUTCOMES) } });
      } else if (roll < 0.25) {
        const jobInput = { input: { ids: [pick(jobIds)] } };
        response = rnd() < 0.5 ? await target.request(SuspendJobs, jobInput) : await target.request(ResumeJobs, jobInput);
      } else {
        // Destroy and clean remove tasks for good: rarer, so that the rest has something to act on.
        const command = rnd() < 0.1 ? pick(['DESTROY', 'CLEAN'] as const) : pick(COMMANDS.filter((c) => c !== 'DESTROY' && c !== 'CLEAN'));
        const size = 1 + Math.floor(rnd() * 15);
        const subset = Array.from({ length: size }, () => pick(ids));
        const input =
          rnd() < 0.15
            ? { target: { job: { id: pick(jobIds) } }, ignore: rnd() < 0.5 }
            : { target: { ids: subset }, ignore: rnd() < 0.7 };
        response = await target.request(COMMAND_DOCUMENTS[command].document as never, { input } as never);
      }
      if (response.errors?.length || response.status !== 200) failures.push(response);
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n)));
  expect(failures).toEqual([]);

  const db = server!.db.database.db;
  const rows = await queryRows<{ id: string; status: TaskStatus }>(db, sql`SELECT id::text AS id, status FROM tasks WHERE job_id = ANY(${`{${jobIds.join(',')}}`}::uuid[])`);
  const finalStatus = new Map(rows.map((r) => [r.id, r.status]));
  const logs = await eventsOf(server!, ids);
  let transitions = 0;
  for (const id of ids) {
    let current: TaskStatus | null = null;
    let deleted = false;
    for (const event of logs.get(id)!) {
      expect(deleted, `${id}: event after DELETED`).toBe(false);
      if (event.kind === 'CREATED') {
        current = event.status;
      } else if (event.kind === 'STATUS_CHANGED') {
        if (current !== null) expect(event.previous_status, `${id}: chain`).toBe(current);
        expect(allowed(event.previous_status!, event.status!), `${id}: ${event.previous_status} → ${event.status}`).toBe(true);
        current = event.status;
        transitions++;
      } else if (event.kind === 'DELETED') {
        if (current !== null) expect(event.previous_status, `${id}: deleted from`).toBe(current);
        deleted = true;
      }
    }
    if (deleted) expect(finalStatus.has(id), `${id} deleted`).toBe(false);
    else expect(finalStatus.get(id), `${id} final status`).toBe(current);
  }
  expect(transitions).toBeGreaterThan(50);

  // Stored job statuses were refreshed in every transaction, so they equal the derived ones.
  const counts = await taskCountsByJob(db, jobIds);
  const stored = await queryRows<{ id: string; status: string; suspended: boolean }>(db, sql`SELECT id::text AS id, status, suspended FROM jobs WHERE id = ANY(${`{${jobIds.join(',')}}`}::uuid[])`);
  for (const job of stored) expect(job.status).toBe(deriveJobStatus(job.suspended, (counts.get(job.id) ?? noCounts()).counts));
}, 120_000);
