import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchCommand } from '../src/commands/taskCommands.ts';
import {
  TASK_COMMANDS,
  TASK_STATUSES,
  isConcluded,
  isHeldByWorker,
  transition,
  type TaskStatus,
  type Transition,
} from '../src/domain/taskStateMachine.ts';
import { runCommand, type CommandPayload } from './support/commandDocuments.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { eventCount, eventsOf, jobWithTasks, looseTasks, taskStates, type EventRow, type TaskState } from './support/taskSetup.ts';

/**
 * Table-driven: every batch command against a task in every status, for explicit targets (ids, job
 * indices, refIds) and whole-set targets (job, thread), with ignore false and true. The expected
 * outcome of each (command, status) comes from the pure state machine (tested exhaustively on its
 * own in taskStateMachine.test.ts); this suite checks that the database, the payload and the event
 * log do exactly what it decided.
 */

const COMMANDS = TASK_COMMANDS.filter((c): c is BatchCommand => c !== 'CONCLUDE');

let server: TestServer;
beforeAll(async () => {
  // No sweeper ticks during the suite: the statement count below sees only the mutation's own.
  server = await startTestServer({ config: { sweepIntervalMs: 600_000 } });
});
afterAll(async () => {
  await server?.stop();
});

const decide = (command: BatchCommand, status: TaskStatus): Transition => transition(command, { status, jobSuspended: false });
const deletes = (t: Transition) => t.kind === 'apply' && t.delete;

/** Checks one task after a command that applied `t` to it (or refused it, or was blocked). */
function expectOutcome(
  before: TaskStatus,
  t: Transition,
  applied: boolean,
  state: TaskState | undefined,
  events: EventRow[],
  command: BatchCommand,
) {
  if (!applied || t.kind === 'refuse') {
    // Untouched: same status, only the CREATED event of its submission.
    expect(state?.status).toBe(before);
    expect(events.map((e) => e.kind)).toEqual(['CREATED']);
    return;
  }
  const changed = t.to !== before;
  if (t.delete) {
    expect(state).toBeUndefined();
    // The log is purged: what stays is the cancellation (if any) and the DELETED event.
    const expected = [
      ...(changed ? [{ kind: 'STATUS_CHANGED', previous_status: before, status: t.to }] : []),
      { kind: 'DELETED', previous_status: t.to, status: null },
    ];
    expect(events.map(({ kind, previous_status, status }) => ({ kind, previous_status, status }))).toEqual(expected);
    return;
  }
  expect(state!.status).toBe(t.to);
  expect(events.map(({ kind, previous_status, status }) => ({ kind, previous_status, status }))).toEqual([
    { kind: 'CREATED', previous_status: null, status: events[0]!.status },
    ...(changed ? [{ kind: 'STATUS_CHANGED', previous_status: before, status: t.to }] : []),
  ]);
  // Side effects of the transition.
  expect(state!.destroy_pending).toBe(t.deferDelete);
  if (t.to === 'QUEUED') {
    expect(state).toMatchObject({ progress: 0, resident_on: null, lease: false, finished: false, result: null, error_info: [] });
  }
  if (isHeldByWorker(before) && !isHeldByWorker(t.to)) expect(state!.lease).toBe(false);
  if (isHeldByWorker(t.to)) expect(state!.lease).toBe(true);
  if (isConcluded(t.to)) expect(state!.finished).toBe(true);
  if (command === 'COMPLETE') expect(state!.progress).toBe(1);
}

describe.each(COMMANDS)('%s on one task (ids target, ignore false)', (command) => {
  it.each(TASK_STATUSES)('from %s', async (status) => {
    const [id] = await looseTasks(server, [{ status }], `${command}-${status}`);
    const t = decide(command, status);
    const payload = await runCommand(server, command, { target: { ids: [id!] } });
    if (t.kind === 'apply') {
      expect(payload.applied).toBe(true);
      expect(payload.errors).toEqual([]);
      expect(payload.ids).toEqual([id]);
      if (deletes(t)) expect(payload.tasks).toEqual([]);
      else expect(payload.tasks.map((x) => [x.id, x.status])).toEqual([[id, t.to]]);
    } else {
      expect(payload).toMatchObject({ applied: false, ids: [], tasks: [] });
      expect(payload.errors).toEqual([{ taskId: id, index: 0, code: t.code, status, message: expect.any(String) }]);
    }
    const states = await taskStates(server, [id!]);
    const events = await eventsOf(server, [id!]);
    expectOutcome(status, t, true, states.get(id!), events.get(id!)!, command);
  });
});

/** A job with one task per status, in TASK_STATUSES order, all in one thread and under one ref id. */
async function everyStatusJob(label: string) {
  const thread = `lane-${label}`;
  const refId = `ref-${label}`;
  return jobWithTasks(server, TASK_STATUSES.map((status) => ({ status, thread, refId })), label);
}

/** Expected errors and changes when a batch addresses the tasks of everyStatusJob in `order`. */
function expectedForExplicit(command: BatchCommand, ids: string[], order: number[]) {
  const errors: CommandPayload['errors'] = [];
  const changed: string[] = [];
  order.forEach((taskIndex, position) => {
    const status = TASK_STATUSES[taskIndex]!;
    const t = decide(command, status);
    if (t.kind === 'apply') changed.push(ids[taskIndex]!);
    else errors.push({ taskId: ids[taskIndex]!, index: position, code: t.code, status, message: expect.any(String) as never });
  });
  return { errors, changed };
}

async function checkAll(command: BatchCommand, ids: string[], applied: boolean, skip: (t: Transition) => boolean = () => false) {
  const states = await taskStates(server, ids);
  const events = await eventsOf(server, ids);
  TASK_STATUSES.forEach((status, i) => {
    const t = decide(command, status);
    const effective = skip(t) ? ({ kind: 'refuse', code: 'INVALID_STATE' } as const) : t;
    expectOutcome(status, effective, applied, states.get(ids[i]!), events.get(ids[i]!)!, command);
  });
}

describe.each(COMMANDS)('%s on a task in every status', (command) => {
  const anyRefused = TASK_STATUSES.some((s) => decide(command, s).kind === 'refuse');
  // Reversed, with a duplicate and an index past the end: errors carry positions in this list.
  const order = [7, 6, 5, 4, 3, 2, 1, 0];

  it('job indices, ignore false: any refusal blocks the batch', async () => {
    const { jobId, ids } = await everyStatusJob(`${command}-idx-strict`);
    const before = await eventCount(server);
    const payload = await runCommand(server, command, { target: { job: { id: jobId, indices: [...order, 3, 99] } } });
    const { errors, changed } = expectedForExplicit(command, ids, order);
    const notFound = { taskId: null, index: 9, code: 'NOT_FOUND', status: null, message: expect.stringContaining('99') };
    expect(payload.errors).toEqual([...errors, notFound]);
    expect(payload).toMatchObject({ applied: false, ids: [], tasks: [] });
    expect(await eventCount(server)).toBe(before);
    await checkAll(command, ids, false);
    expect(changed.length).toBeGreaterThan(0);
  });

  it('job indices, ignore true: the rest is applied in target order', async () => {
    const { jobId, ids } = await everyStatusJob(`${command}-idx-ignore`);
    const payload = await runCommand(server, command, { target: { job: { id: jobId, indices: [...order, 3, 99] } }, ignore: true });
    const { errors, changed } = expectedForExplicit(command, ids, order);
    expect(payload.applied).toBe(true);
    expect(payload.errors).toEqual([...errors, { taskId: null, index: 9, code: 'NOT_FOUND', status: null, message: expect.any(String) }]);
    expect(payload.ids).toEqual(changed);
    const remaining = changed.filter((id) => !deletes(decide(command, TASK_STATUSES[ids.indexOf(id)]!)));
    expect(payload.tasks.map((t) => t.id)).toEqual(remaining);
    await checkAll(command, ids, true);
  });

  it('ids, ignore false: applied only when every task accepts', async () => {
    const { ids } = await everyStatusJob(`${command}-ids-strict`);
    const payload = await runCommand(server, command, { target: { ids: [...ids, ids[0]!] } });
    const { errors, changed } = expectedForExplicit(command, ids, [0, 1, 2, 3, 4, 5, 6, 7]);
    expect(payload.errors).toEqual(errors);
    expect(payload.applied).toBe(!anyRefused);
    expect(payload.ids).toEqual(anyRefused ? [] : changed);
    await checkAll(command, ids, !anyRefused);
  });

  it('refIds, ignore true: one ref id matches every task; errors carry its position', async () => {
    const { ids } = await everyStatusJob(`${command}-ref`);
    const payload = await runCommand(server, command, {
      target: { refIds: ['no-such-ref', `ref-${command}-ref`] },
      ignore: true,
    });
    const { errors, changed } = expectedForExplicit(command, ids, [0, 1, 2, 3, 4, 5, 6, 7]);
    expect(payload.errors).toEqual([
      { taskId: null, index: 0, code: 'NOT_FOUND', status: null, message: expect.stringContaining('no-such-ref') },
      ...errors.map((e) => ({ ...e, index: 1 })),
    ]);
    expect(payload.ids).toEqual(changed);
    await checkAll(command, ids, true);
  });

  it('whole job, ignore false: inapplicable tasks are skipped silently', async () => {
    const { jobId, ids } = await everyStatusJob(`${command}-job`);
    const payload = await runCommand(server, command, { target: { job: { id: jobId } } });
    const { changed } = expectedForExplicit(command, ids, [0, 1, 2, 3, 4, 5, 6, 7]);
    expect(payload).toMatchObject({ applied: true, errors: [] });
    expect(payload.ids).toEqual(changed);
    await checkAll(command, ids, true);
  });

  it('whole thread, ignore false: inapplicable tasks are skipped silently', async () => {
    const { ids } = await everyStatusJob(`${command}-thread`);
    const payload = await runCommand(server, command, { target: { thread: `lane-${command}-thread` } });
    const { changed } = expectedForExplicit(command, ids, [0, 1, 2, 3, 4, 5, 6, 7]);
    expect(payload).toMatchObject({ applied: true, errors: [] });
    expect(payload.ids).toEqual(changed);
    await checkAll(command, ids, true);
  });

  it('whole job, ignore true, unknown job: NOT_FOUND for the job', async () => {
    const payload = await runCommand(server, command, { target: { job: { id: '00000000-0000-7000-8000-000000000000' } }, ignore: true });
    expect(payload).toMatchObject({ applied: true, ids: [] });
    expect(payload.errors).toEqual([{ taskId: null, index: null, code: 'NOT_FOUND', status: null, message: expect.any(String) }]);
  });
});

describe('set-based', () => {
  it('a command costs the same number of statements for 3 tasks as for 600, tasks loaded included', async () => {
    const statements = async (size: number) => {
      const { jobId, ids } = await jobWithTasks(server, Array.from({ length: size }, () => ({ status: 'QUEUED' as const })), `set-${size}`);
      server.resetQueries();
      const payload = await runCommand(server, 'REQUEUE', { target: { ids }, ignore: true });
      expect(payload.errors).toHaveLength(size);
      server.resetQueries();
      const cancelled = await runCommand(server, 'CANCEL', { target: { job: { id: jobId } } });
      expect(cancelled.tasks).toHaveLength(size);
      // What the event hub reads after the NOTIFY runs in the background, whatever the mutation.
      return server.requestQueries().length;
    };
    expect(await statements(600)).toBe(await statements(3));
  });
});
