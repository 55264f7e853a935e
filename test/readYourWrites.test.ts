import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../src/gql/index.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { taskLogEnd, wsClient, wsSubscribe } from './support/subscriptions.ts';
import { Claim } from './support/workerOps.ts';

/** The read-your-writes cursor of contract part edges.graphql: `cursor` on every batch payload. */

const RunTasks = graphql(`
  mutation ReadYourWritesRun($input: RunTasksInput!) {
    runTasks(input: $input) { applied ids cursor errors { code } }
  }
`);

const SubmitJob = graphql(`
  mutation ReadYourWritesSubmit($input: SubmitJobInput!) {
    submitJob(input: $input) { applied cursor tasks { id } errors { code } }
  }
`);

const CancelTasks = graphql(`
  mutation ReadYourWritesCancel($input: TaskCommandInput!) {
    cancelTasks(input: $input) { applied ids cursor errors { code } }
  }
`);

const DestroyTasks = graphql(`
  mutation ReadYourWritesDestroy($input: TaskCommandInput!) {
    destroyTasks(input: $input) { applied ids cursor errors { code } }
  }
`);

const CompleteTasks = graphql(`
  mutation ReadYourWritesComplete($input: TaskCommandInput!) {
    completeTasks(input: $input) { applied ids cursor errors { code } }
  }
`);

const ConcludeTask = graphql(`
  mutation ReadYourWritesConclude($input: ConcludeTaskInput!) {
    concludeTask(input: $input) { applied ids cursor errors { code } }
  }
`);

const ConcludeTasks = graphql(`
  mutation ReadYourWritesConcludeMany($input: ConcludeTasksInput!) {
    concludeTasks(input: $input) { applied ids cursor errors { code } }
  }
`);

const TASK_EVENTS =
  'subscription ReadYourWritesEvents($after: String, $filter: TaskEventFilter) { taskEvents(after: $after, filter: $filter) { cursor kind taskId status } }';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

/** Runs loose tasks and returns their ids and the payload's cursor. */
async function run(names: string[]): Promise<{ ids: string[]; cursor: string }> {
  const { runTasks } = await server.gql(RunTasks, { input: { tasks: names.map((name) => ({ name })) } });
  expect(runTasks.applied).toBe(true);
  expect(runTasks.cursor).toEqual(expect.any(String));
  return { ids: runTasks.ids, cursor: runTasks.cursor! };
}

describe('TaskBatchPayload.cursor', () => {
  it('is the cursor of the last event each mutation wrote (create, update, delete, conclude)', async () => {
    // Only this file's server writes to this database, so the mutation's last event ends the log.
    const created = await run(['ryw-a', 'ryw-b', 'ryw-c', 'ryw-d']);
    expect(created.cursor).toBe(await taskLogEnd(server));

    const { submitJob } = await server.gql(SubmitJob, { input: { name: 'ryw-job', tasks: [{ name: 'ryw-j0' }, { name: 'ryw-j1' }] } });
    expect(submitJob.cursor).toBe(await taskLogEnd(server));

    const cancelled = await server.gql(CancelTasks, { input: { target: { ids: [created.ids[0]!] } } });
    expect(cancelled.cancelTasks).toMatchObject({ applied: true, ids: [created.ids[0]] });
    expect(cancelled.cancelTasks.cursor).toBe(await taskLogEnd(server));

    // destroy = cancel, then delete: the cursor is the DELETED event's, the last of the statement.
    const destroyed = await server.gql(DestroyTasks, { input: { target: { ids: [created.ids[1]!] } } });
    expect(destroyed.destroyTasks.applied).toBe(true);
    expect(destroyed.destroyTasks.cursor).toBe(await taskLogEnd(server));

    await server.gql(Claim, { input: { worker: 'ryw-worker', names: ['ryw-c', 'ryw-d'], limit: 2 } });
    const concluded = await server.gql(ConcludeTask, { input: { id: created.ids[2]!, outcome: 'SUCCEEDED', worker: 'ryw-worker' } });
    expect(concluded.concludeTask.applied).toBe(true);
    expect(concluded.concludeTask.cursor).toBe(await taskLogEnd(server));

    // A delayed conclusion writes its event later, when it lands: nothing changed yet, no cursor.
    const delayed = await server.gql(ConcludeTasks, {
      input: { tasks: [{ id: created.ids[3]!, outcome: 'FAILED', worker: 'ryw-worker', delayMs: 5_000 }] },
    });
    expect(delayed.concludeTasks).toMatchObject({ applied: true, ids: [created.ids[3]], cursor: null });
  });

  it('is null when nothing changed (applied: false, or nothing the command applies to)', async () => {
    const { ids } = await run(['ryw-null']);
    const refused = await server.gql(CancelTasks, { input: { target: { ids: [ids[0]!, 'no-such-task'] } } });
    expect(refused.cancelTasks).toMatchObject({ applied: false, cursor: null, errors: [{ code: 'NOT_FOUND' }] });
    const invalid = await server.gql(RunTasks, { input: { tasks: [{ name: 'x', priority: -1 }] } });
    expect(invalid.runTasks).toMatchObject({ applied: false, cursor: null });
    await server.gql(CompleteTasks, { input: { target: { ids } } });
    const skipped = await server.gql(CompleteTasks, { input: { target: { ids }, ignore: true } });
    expect(skipped.completeTasks).toMatchObject({ applied: true, ids: [], cursor: null, errors: [{ code: 'ALREADY_IN_STATE' }] });
  });

  it("is answered again, with the first call's result, for a repeated idempotent submission", async () => {
    const input = { idempotencyKey: 'ryw-key', tasks: [{ name: 'ryw-once' }] };
    const first = await server.gql(RunTasks, { input });
    const again = await server.gql(RunTasks, { input });
    expect(again.runTasks).toMatchObject({ applied: true, ids: first.runTasks.ids, cursor: first.runTasks.cursor });
    expect(first.runTasks.cursor).toEqual(expect.any(String));
  });

  it('comes from the statements that write the events, not from another read of the log', async () => {
    const { ids } = await run(['ryw-q']);
    server.resetQueries();
    const { cancelTasks } = await server.gql(CancelTasks, { input: { target: { ids } } });
    expect(cancelTasks.cursor).toEqual(expect.any(String));
    const touchingLog = server.requestQueries().filter((q) => /task_events/.test(q));
    expect(touchingLog.length).toBeGreaterThan(0);
    for (const q of touchingLog) expect(q).toMatch(/\/\* (applyTransitions|deleteTasksWithLog) \*\//);
  });

  it('lets a subscriber start right after the write: exactly the events that follow, not its own', async () => {
    const created = await run(['ryw-s1', 'ryw-s2']);
    const cancelled = await server.gql(CancelTasks, { input: { target: { ids: [created.ids[0]!] } } });
    const client = wsClient(server.wsUrl);
    // Filtered to these tasks: the delayed conclusion of the first test may land meanwhile.
    const stream = wsSubscribe<{ taskEvents: { cursor: string; kind: string; taskId: string; status: string | null } }>(client, TASK_EVENTS, {
      after: created.cursor,
      filter: { taskIds: created.ids },
    });
    try {
      // Replayed: the cancel (after runTasks' cursor); runTasks' own CREATED events are not.
      const [replayed] = await stream.take(1);
      expect(replayed!.taskEvents).toMatchObject({ kind: 'STATUS_CHANGED', taskId: created.ids[0], status: 'CANCELLED' });
      expect(replayed!.taskEvents.cursor).toBe(cancelled.cancelTasks.cursor);
      // Live: a change made after subscribing, and it alone.
      const completed = await server.gql(CompleteTasks, { input: { target: { ids: [created.ids[1]!] } } });
      const [live] = await stream.take(1);
      expect(live!.taskEvents).toMatchObject({ kind: 'STATUS_CHANGED', taskId: created.ids[1], status: 'COMPLETED' });
      expect(live!.taskEvents.cursor).toBe(completed.completeTasks.cursor);
      expect(stream.buffered).toBe(0);
    } finally {
      await stream.close();
      await client.dispose();
    }
  });
});
