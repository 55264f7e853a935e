import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowedOperations, TASK_STATUSES } from '../src/domain/taskStateMachine.ts';
import { graphql } from '../src/gql/index.ts';
import { requestCommand, runCommand } from './support/commandDocuments.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { eventCount, eventsOf, jobWithTasks, looseTasks, taskStates } from './support/taskSetup.ts';

/**
 * The behaviours each source API is known for (XINA, Deadline, XenAPI), by name, plus the
 * whole-request rules of targets.
 */

const SuspendJobs = graphql(`
  mutation SeedSuspendJobs($input: JobIdsInput!) {
    suspendJobs(input: $input) { applied jobs { id status suspended taskCounts { suspended queued pending running } } errors { jobId index code message } }
  }
`);
const ResumeJobs = graphql(`
  mutation SeedResumeJobs($input: JobIdsInput!) {
    resumeJobs(input: $input) { applied jobs { id status suspended taskCounts { suspended queued pending running } } errors { jobId index code message } }
  }
`);
const PauseThread = graphql(`
  mutation SeedPauseThread($input: ThreadInput!) { pauseThread(input: $input) { thread { name paused status } } }
`);
const ResumeThread = graphql(`
  mutation SeedResumeThread($input: ThreadInput!) { resumeThread(input: $input) { thread { name paused status } } }
`);
const TaskView = graphql(`
  query SeedTask($id: ID!) { task(id: $id) { id status allowedOperations residentOn leaseExpiresAt progress } }
`);
const JobView = graphql(`
  query SeedJob($id: ID!) { job(id: $id) { id status suspended taskCounts { total pending queued running suspended cancelling completed failed cancelled } } }
`);
const Conclude = graphql(`
  mutation SeedConclude($input: ConcludeTaskInput!) { concludeTask(input: $input) { applied ids errors { code taskId status } } }
`);

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

const status = async (id: string) => (await taskStates(server, [id])).get(id)?.status ?? null;

describe('XINA', () => {
  it('cancel without ignore: one concluded task fails the whole action and nothing changes', async () => {
    const [queued, done] = await looseTasks(server, [{ status: 'QUEUED' }, { status: 'COMPLETED' }]);
    const before = await eventCount(server);
    const payload = await runCommand(server, 'CANCEL', { target: { ids: [queued!, done!] } });
    expect(payload).toMatchObject({ applied: false, ids: [], tasks: [] });
    expect(payload.errors).toEqual([{ taskId: done, index: 1, code: 'INVALID_STATE', status: 'COMPLETED', message: expect.any(String) }]);
    expect(await status(queued!)).toBe('QUEUED');
    expect(await eventCount(server)).toBe(before);
  });

  it('cancel with ignore: the rest is cancelled and the bad task reported', async () => {
    const [queued, done] = await looseTasks(server, [{ status: 'QUEUED' }, { status: 'COMPLETED' }]);
    const payload = await runCommand(server, 'CANCEL', { target: { ids: [done!, queued!] }, ignore: true });
    expect(payload).toMatchObject({ applied: true, ids: [queued] });
    expect(payload.tasks.map((t) => t.status)).toEqual(['CANCELLED']);
    expect(payload.errors).toEqual([{ taskId: done, index: 0, code: 'INVALID_STATE', status: 'COMPLETED', message: expect.any(String) }]);
    expect(await status(queued!)).toBe('CANCELLED');
  });

  it('clean without ignore: a task not concluded refuses the lot', async () => {
    const [running, failed] = await looseTasks(server, [{ status: 'RUNNING' }, { status: 'FAILED' }]);
    const payload = await runCommand(server, 'CLEAN', { target: { ids: [running!, failed!] } });
    expect(payload.applied).toBe(false);
    expect(payload.errors).toEqual([{ taskId: running, index: 0, code: 'INVALID_STATE', status: 'RUNNING', message: expect.any(String) }]);
    expect(await status(failed!)).toBe('FAILED');
  });

  it('clean with ignore: concluded tasks go with their log; a DELETED event stays', async () => {
    const [running, failed, cancelled] = await looseTasks(server, [{ status: 'RUNNING' }, { status: 'FAILED' }, { status: 'CANCELLED' }]);
    const payload = await runCommand(server, 'CLEAN', { target: { ids: [running!, failed!, cancelled!] }, ignore: true });
    expect(payload).toMatchObject({ applied: true, ids: [failed, cancelled], tasks: [] });
    expect(payload.errors.map((e) => [e.taskId, e.code])).toEqual([[running, 'INVALID_STATE']]);
    expect((await server.gql(TaskView, { id: failed! })).task).toBeNull();
    const events = await eventsOf(server, [failed!, cancelled!]);
    expect(events.get(failed!)).toEqual([{ task_id: failed, kind: 'DELETED', previous_status: 'FAILED', status: null }]);
    expect(events.get(cancelled!)).toEqual([{ task_id: cancelled, kind: 'DELETED', previous_status: 'CANCELLED', status: null }]);
    expect(await status(running!)).toBe('RUNNING');
  });

  it('destroy = cancel + clean: a queued task is cancelled, then deleted', async () => {
    const [queued, suspended] = await looseTasks(server, [{ status: 'QUEUED' }, { status: 'SUSPENDED' }]);
    const payload = await runCommand(server, 'DESTROY', { target: { ids: [queued!, suspended!] } });
    expect(payload).toMatchObject({ applied: true, ids: [queued, suspended], errors: [], tasks: [] });
    const events = await eventsOf(server, [queued!]);
    expect(events.get(queued!)!.map((e) => [e.kind, e.previous_status, e.status])).toEqual([
      ['STATUS_CHANGED', 'QUEUED', 'CANCELLED'],
      ['DELETED', 'CANCELLED', null],
    ]);
    expect(await taskStates(server, [queued!, suspended!])).toEqual(new Map());
  });

  it('a ref id addresses every task that carries it', async () => {
    const ids = await looseTasks(server, [{ status: 'QUEUED', refId: 'xina-many' }, { status: 'PENDING', refId: 'xina-many' }, { status: 'QUEUED', refId: 'xina-other' }]);
    const payload = await runCommand(server, 'CANCEL', { target: { refIds: ['xina-many', 'xina-many'] } });
    expect(payload).toMatchObject({ applied: true, ids: [ids[0], ids[1]], errors: [] });
    expect(await status(ids[2]!)).toBe('QUEUED');
  });
});

describe('Deadline', () => {
  it('job-wide commands without a task list act on every task they apply to', async () => {
    const { jobId, ids } = await jobWithTasks(server, [
      { status: 'QUEUED' },
      { status: 'RUNNING' },
      { status: 'PENDING' },
      { status: 'COMPLETED' },
      { status: 'FAILED' },
    ]);
    const job = { job: { id: jobId } };
    const suspended = await runCommand(server, 'SUSPEND', { target: job });
    expect(suspended).toMatchObject({ applied: true, ids: [ids[0], ids[1], ids[2]], errors: [] });
    expect((await server.gql(JobView, { id: jobId })).job).toMatchObject({ status: 'SUSPENDED', taskCounts: { suspended: 3, completed: 1, failed: 1 } });

    const resumed = await runCommand(server, 'RESUME', { target: job });
    expect(resumed).toMatchObject({ applied: true, ids: [ids[0], ids[1], ids[2]] });
    expect((await server.gql(JobView, { id: jobId })).job).toMatchObject({ status: 'ACTIVE', taskCounts: { queued: 3 } });

    const resumedFailed = await runCommand(server, 'RESUME_FAILED', { target: job });
    expect(resumedFailed.ids).toEqual([ids[4]]);

    const completed = await runCommand(server, 'COMPLETE', { target: job });
    expect(completed.ids).toEqual([ids[0], ids[1], ids[2], ids[4]]);
    expect(completed.tasks.every((t) => t.status === 'COMPLETED' && t.progress === 1)).toBe(true);
    expect((await server.gql(JobView, { id: jobId })).job).toMatchObject({ status: 'COMPLETED', taskCounts: { completed: 5 } });

    const requeued = await runCommand(server, 'REQUEUE', { target: job });
    expect(requeued.ids).toEqual(ids);
    expect(requeued.tasks.every((t) => t.status === 'QUEUED' && t.progress === 0)).toBe(true);

    const failed = await runCommand(server, 'FAIL', { target: job });
    expect(failed.ids).toEqual(ids);
    expect((await server.gql(JobView, { id: jobId })).job).toMatchObject({ status: 'FAILED' });
  });

  it('pend and releasepending are refused for a suspended job', async () => {
    const { jobId, ids } = await jobWithTasks(server, [{ status: 'QUEUED' }, { status: 'PENDING' }, { status: 'FAILED' }]);
    const suspend = await server.gql(SuspendJobs, { input: { ids: [jobId] } });
    expect(suspend.suspendJobs).toMatchObject({ applied: true, errors: [] });
    expect(suspend.suspendJobs.jobs[0]).toMatchObject({ id: jobId, status: 'SUSPENDED', suspended: true, taskCounts: { suspended: 2 } });

    const wholePend = await runCommand(server, 'PEND', { target: { job: { id: jobId } } });
    expect(wholePend).toMatchObject({ applied: false, ids: [] });
    expect(wholePend.errors).toEqual([{ taskId: null, index: null, code: 'JOB_SUSPENDED', status: null, message: expect.stringContaining(jobId) }]);

    const explicit = await runCommand(server, 'RELEASE_PENDING', { target: { job: { id: jobId, indices: [1, 0] } } });
    expect(explicit.applied).toBe(false);
    expect(explicit.errors.map((e) => [e.taskId, e.index, e.code, e.status])).toEqual([
      [ids[1], 0, 'JOB_SUSPENDED', 'SUSPENDED'],
      [ids[0], 1, 'JOB_SUSPENDED', 'SUSPENDED'],
    ]);
    // The task suspended by the job shows neither PEND nor RELEASE_PENDING as allowed.
    const view = (await server.gql(TaskView, { id: ids[2]! })).task!;
    expect(view.allowedOperations).not.toContain('PEND');

    const resume = await server.gql(ResumeJobs, { input: { ids: [jobId] } });
    expect(resume.resumeJobs.jobs[0]).toMatchObject({ suspended: false, status: 'ACTIVE', taskCounts: { queued: 2, suspended: 0 } });
    const pend = await runCommand(server, 'PEND', { target: { job: { id: jobId } } });
    expect(pend).toMatchObject({ applied: true, ids, errors: [] });
    const release = await runCommand(server, 'RELEASE_PENDING', { target: { ids: [ids[0]!] } });
    expect(release).toMatchObject({ applied: true, ids: [ids[0]] });
  });

  it('suspendJobs suspends PENDING/QUEUED/RUNNING tasks; resumeJobs requeues exactly those', async () => {
    const { jobId, ids } = await jobWithTasks(server, [
      { status: 'QUEUED' },
      { status: 'RUNNING' },
      { status: 'PENDING' },
      { status: 'SUSPENDED' },
      { status: 'COMPLETED' },
    ]);
    await server.gql(SuspendJobs, { input: { ids: [jobId, jobId] } });
    const states = await taskStates(server, ids);
    expect(ids.map((id) => [states.get(id)!.status, states.get(id)!.suspended_by_job])).toEqual([
      ['SUSPENDED', true],
      ['SUSPENDED', true],
      ['SUSPENDED', true],
      ['SUSPENDED', false],
      ['COMPLETED', false],
    ]);
    expect(states.get(ids[1]!)!.lease).toBe(false); // the running task's claim is revoked
    await server.gql(ResumeJobs, { input: { ids: [jobId] } });
    const after = await taskStates(server, ids);
    expect(ids.map((id) => after.get(id)!.status)).toEqual(['QUEUED', 'QUEUED', 'QUEUED', 'SUSPENDED', 'COMPLETED']);
    expect(after.get(ids[1]!)).toMatchObject({ resident_on: null, progress: 0, suspended_by_job: false });
  });

  it('suspendJobs with an unknown job changes nothing and names it', async () => {
    const { jobId, ids } = await jobWithTasks(server, [{ status: 'QUEUED' }]);
    const result = await server.gql(SuspendJobs, { input: { ids: [jobId, 'nope', '00000000-0000-7000-8000-000000000001'] } });
    expect(result.suspendJobs).toMatchObject({ applied: false, jobs: [] });
    expect(result.suspendJobs.errors.map((e) => [e.index, e.code])).toEqual([[1, 'NOT_FOUND']]);
    const again = await server.gql(SuspendJobs, { input: { ids: [jobId, '00000000-0000-7000-8000-000000000001'] } });
    expect(again.suspendJobs.errors.map((e) => [e.index, e.code])).toEqual([[1, 'NOT_FOUND']]);
    expect(await status(ids[0]!)).toBe('QUEUED');
    expect((await server.gql(JobView, { id: jobId })).job!.suspended).toBe(false);
  });

  it('a command on a task already in its target state is refused (ALREADY_IN_STATE)', async () => {
    const cases = [
      ['SUSPEND', 'SUSPENDED'],
      ['REQUEUE', 'QUEUED'],
      ['RESUME', 'QUEUED'],
      ['RESUME_FAILED', 'QUEUED'],
      ['COMPLETE', 'COMPLETED'],
      ['FAIL', 'FAILED'],
      ['PEND', 'PENDING'],
      ['RELEASE_PENDING', 'QUEUED'],
    ] as const;
    for (const [command, already] of cases) {
      const [id] = await looseTasks(server, [{ status: already }]);
      const payload = await runCommand(server, command, { target: { ids: [id!] } });
      expect(payload.applied, command).toBe(false);
      expect(payload.errors, command).toEqual([{ taskId: id, index: 0, code: 'ALREADY_IN_STATE', status: already, message: expect.stringContaining('already') }]);
    }
  });
});

describe('XenAPI', () => {
  it('cancel of a running task is a request the worker acknowledges (CANCELLING)', async () => {
    const [id] = await looseTasks(server, [{ status: 'RUNNING' }]);
    const first = await runCommand(server, 'CANCEL', { target: { ids: [id!] } });
    expect(first.tasks[0]).toMatchObject({ status: 'CANCELLING', residentOn: 'worker-1' });
    const again = await runCommand(server, 'CANCEL', { target: { ids: [id!] } });
    expect(again).toMatchObject({ applied: true, ids: [id], errors: [] });
    expect((await eventsOf(server, [id!])).get(id!)!.map((e) => e.kind)).toEqual(['CREATED', 'STATUS_CHANGED']);
  });

  it('deferred destroy: a running task is deleted once it concludes', async () => {
    const [id, other] = await looseTasks(server, [{ status: 'RUNNING' }, { status: 'RUNNING' }]);
    const payload = await runCommand(server, 'DESTROY', { target: { ids: [id!, other!] } });
    expect(payload.tasks.map((t) => t.status)).toEqual(['CANCELLING', 'CANCELLING']);
    expect((await taskStates(server, [id!])).get(id!)).toMatchObject({ status: 'CANCELLING', destroy_pending: true, lease: true });

    const { concludeTask } = await server.gql(Conclude, { input: { id: id!, outcome: 'CANCELLED', worker: 'worker-1', attempt: 1 } });
    expect(concludeTask).toMatchObject({ applied: true, ids: [id] });
    expect((await server.gql(TaskView, { id: id! })).task).toBeNull();
    expect((await eventsOf(server, [id!])).get(id!)!.map((e) => [e.kind, e.previous_status, e.status])).toEqual([
      ['STATUS_CHANGED', 'CANCELLING', 'CANCELLED'],
      ['DELETED', 'CANCELLED', null],
    ]);

    // An operator failing it concludes it too: the pending destroy completes.
    const failed = await runCommand(server, 'FAIL', { target: { ids: [other!] } });
    expect(failed).toMatchObject({ applied: true, ids: [other], tasks: [] });
    expect(await taskStates(server, [other!])).toEqual(new Map());
  });

  it('allowedOperations comes from the state machine, for every status and a suspended job', async () => {
    const ids = await looseTasks(server, TASK_STATUSES.map((s) => ({ status: s })));
    for (const [i, s] of TASK_STATUSES.entries()) {
      const task = (await server.gql(TaskView, { id: ids[i]! })).task!;
      expect(task.allowedOperations, s).toEqual(allowedOperations({ status: s, jobSuspended: false }));
    }
    const { jobId, ids: jobTasks } = await jobWithTasks(server, [{ status: 'FAILED' }]);
    await server.gql(SuspendJobs, { input: { ids: [jobId] } });
    const task = (await server.gql(TaskView, { id: jobTasks[0]! })).task!;
    expect(task.allowedOperations).toEqual(allowedOperations({ status: 'FAILED', jobSuspended: true }));
    expect(task.allowedOperations).not.toContain('PEND');
  });
});

describe('claims', () => {
  it('leaving RUNNING revokes the claim; requeue resets the run', async () => {
    const [suspended, requeued, failed] = await looseTasks(server, [{ status: 'RUNNING' }, { status: 'RUNNING' }, { status: 'RUNNING' }]);
    await runCommand(server, 'SUSPEND', { target: { ids: [suspended!] } });
    await runCommand(server, 'REQUEUE', { target: { ids: [requeued!] } });
    await runCommand(server, 'FAIL', { target: { ids: [failed!] } });
    const states = await taskStates(server, [suspended!, requeued!, failed!]);
    expect(states.get(suspended!)).toMatchObject({ status: 'SUSPENDED', lease: false });
    expect(states.get(requeued!)).toMatchObject({ status: 'QUEUED', lease: false, resident_on: null, progress: 0, finished: false, attempts: 1 });
    expect(states.get(failed!)).toMatchObject({ status: 'FAILED', lease: false, finished: true });
    // The revoked worker can no longer conclude its attempt.
    const late = await server.gql(Conclude, { input: { id: suspended!, outcome: 'SUCCEEDED', worker: 'worker-1', attempt: 1 } });
    expect(late.concludeTask.errors).toEqual([{ code: 'NOT_OWNER', taskId: suspended, status: 'SUSPENDED' }]);
  });
});

describe('targets', () => {
  // No target, or two, or a null one: TaskTarget is @oneOf (test/taskTarget.test.ts).

  it('over 10,000 targets is a BAD_USER_INPUT error naming the limit', async () => {
    const ids = Array.from({ length: 10_001 }, (_, i) => `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`);
    const response = await requestCommand(server, 'CANCEL', { target: { ids } });
    expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0]?.message).toContain('10000');
    const indices = await requestCommand(server, 'CANCEL', { target: { job: { id: ids[0], indices: ids.map((_, i) => i) } } });
    expect(indices.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('unknown and malformed ids, unknown threads are NOT_FOUND, never a server error', async () => {
    const [id] = await looseTasks(server, [{ status: 'QUEUED' }]);
    const payload = await runCommand(server, 'CANCEL', {
      target: { ids: ['not-a-uuid', id!, '00000000-0000-7000-8000-00000000abcd', id!.toUpperCase()] },
      ignore: true,
    });
    expect(payload.ids).toEqual([id]);
    expect(payload.errors.map((e) => [e.index, e.code, e.taskId])).toEqual([
      [0, 'NOT_FOUND', null],
      [2, 'NOT_FOUND', null],
    ]);
    const thread = await runCommand(server, 'CANCEL', { target: { thread: 'no-such-lane' } });
    expect(thread).toMatchObject({ applied: false, errors: [{ code: 'NOT_FOUND', index: null }] });
    const job = await runCommand(server, 'CANCEL', { target: { job: { id: 'bad', indices: [0] } } });
    expect(job.errors).toMatchObject([{ code: 'NOT_FOUND', index: null }]);
  });

  it('an empty id list changes nothing and is no error', async () => {
    expect(await runCommand(server, 'CANCEL', { target: { ids: [] } })).toEqual({ applied: true, ids: [], tasks: [], errors: [] });
  });
});

describe('threads', () => {
  it('pauseThread creates an unknown thread paused; resumeThread clears it; tasks are untouched', async () => {
    const paused = await server.gql(PauseThread, { input: { name: 'lane-before-tasks' } });
    expect(paused.pauseThread.thread).toEqual({ name: 'lane-before-tasks', paused: true, status: 'PAUSED' });
    const [id] = await looseTasks(server, [{ status: 'QUEUED', thread: 'lane-before-tasks' }]);
    const resumed = await server.gql(ResumeThread, { input: { name: 'lane-before-tasks' } });
    expect(resumed.resumeThread.thread).toMatchObject({ paused: false });
    expect(await status(id!)).toBe('QUEUED');
    const bad = await server.request(PauseThread, { input: { name: '' } });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
