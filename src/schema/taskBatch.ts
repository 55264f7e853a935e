import type { TaskBatchResult, TaskError } from '../commands/errors.ts';
import type { RunResult } from '../commands/runFamily.ts';
import { runTasks, submitJob } from '../commands/runFamily.ts';
import type { Context } from '../context.ts';
import type { TaskRow } from '../db/tables.ts';
import { encodeEventCursor, type EventCursor } from '../domain/cursors.ts';
import { builder } from './builder.ts';
import { TaskErrorCodeEnum, TaskStatusEnum } from './enums.ts';
import { JobRef, TaskRef } from './refs.ts';

export const TaskErrorRef = builder.objectRef<TaskError>('TaskError').implement({
  description: 'One problem with one task (or one input item) of a batch mutation.',
  fields: (t) => ({
    taskId: t.exposeID('taskId', {
      nullable: true,
      description: 'The task concerned; null when the item has no task yet (runTasks) or the id is unknown.',
    }),
    index: t.exposeInt('index', { nullable: true, description: 'Position of the item in the input list or target list.' }),
    code: t.field({ type: TaskErrorCodeEnum, resolve: (e) => e.code }),
    message: t.exposeString('message'),
    status: t.field({
      type: TaskStatusEnum,
      nullable: true,
      description: 'The task\'s status when the error was found, where it has one.',
      resolve: (e) => e.status,
    }),
  }),
});

/** A payload's `cursor` (contract part edges.graphql): the same encoding as `TaskEvent.cursor`. */
function payloadCursor(payload: { cursor: EventCursor | null }): string | null {
  return payload.cursor === null ? null : encodeEventCursor(payload.cursor);
}

/** The tasks of a payload, in target order, as they are after the mutation (one batched load). */
export async function loadTasksInOrder(ctx: Context, ids: readonly string[]): Promise<TaskRow[]> {
  const rows = await ctx.loaders.task.loadMany(ids);
  return rows.filter((row): row is TaskRow => row !== null && !(row instanceof Error));
}

export const TaskBatchPayloadRef = builder.objectRef<TaskBatchResult>('TaskBatchPayload').implement({
  fields: (t) => ({
    applied: t.exposeBoolean('applied', {
      description: 'False when nothing was changed because an error blocked the whole batch.',
    }),
    ids: t.exposeIDList('ids', { description: 'Ids of the tasks that the mutation changed, in target order.' }),
    tasks: t.field({
      type: [TaskRef],
      description: 'The tasks that the mutation changed, in target order, as they are after it.',
      resolve: (payload, _args, ctx) => loadTasksInOrder(ctx, payload.ids),
    }),
    errors: t.field({ type: [TaskErrorRef], resolve: (payload) => payload.errors }),
    cursor: t.string({
      nullable: true,
      description:
        "The event-log cursor of this mutation's last event: subscribe with after: cursor to see what follows it. " +
        'Null when nothing changed (a delayed conclusion writes its event later, when it lands).',
      resolve: payloadCursor,
    }),
  }),
});

const SubmitJobPayloadRef = builder.objectRef<RunResult>('SubmitJobPayload').implement({
  fields: (t) => ({
    applied: t.exposeBoolean('applied'),
    job: t.field({
      type: JobRef,
      nullable: true,
      resolve: (payload, _args, { loaders }) => (payload.jobId ? loaders.job.load(payload.jobId) : null),
    }),
    tasks: t.field({ type: [TaskRef], resolve: (payload, _args, ctx) => loadTasksInOrder(ctx, payload.ids) }),
    errors: t.field({ type: [TaskErrorRef], resolve: (payload) => payload.errors }),
    cursor: t.string({
      nullable: true,
      description:
        'As TaskBatchPayload.cursor: the event-log cursor of the last CREATED event; subscribe with after: cursor to see what ' +
        'follows. Null when nothing was created.',
      resolve: payloadCursor,
    }),
  }),
});

const TaskDefinitionInput = builder.inputType('TaskDefinition', {
  fields: (t) => ({
    name: t.string({ required: true }),
    conf: t.field({ type: 'JSON', description: "Must be a JSON object; its content is the worker's business." }),
    description: t.string(),
    parent: t.id(),
    thread: t.string(),
    priority: t.int(),
    timeoutMs: t.int(),
    maxAttempts: t.int(),
    refId: t.string(),
    auto: t.boolean(),
    archive: t.boolean(),
    open: t.boolean(),
    hold: t.boolean({ description: 'Start the task in PENDING instead of QUEUED.' }),
  }),
});

const IDEMPOTENCY_KEY_DESCRIPTION =
  "A repeated call with the same key and the same input returns the first call's result instead of creating tasks again. " +
  'The key names one request: reusing it with another input (or the other operation) is an INVALID_INPUT error and creates nothing.';

const RunTasksInput = builder.inputType('RunTasksInput', {
  fields: (t) => ({
    tasks: t.field({ type: [TaskDefinitionInput], required: true }),
    jobId: t.id({ description: 'Add the tasks to this existing job (appended after its last index).' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});

const SubmitJobInput = builder.inputType('SubmitJobInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    description: t.string(),
    priority: t.int(),
    suspended: t.boolean(),
    tasks: t.field({ type: [TaskDefinitionInput], required: true }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});

builder.mutationFields((t) => ({
  runTasks: t.field({
    type: TaskBatchPayloadRef,
    args: { input: t.arg({ type: RunTasksInput, required: true }) },
    authScopes: { operator: true },
    resolve: (_root, { input }, ctx) => runTasks(ctx.db, input),
  }),
  submitJob: t.field({
    type: SubmitJobPayloadRef,
    args: { input: t.arg({ type: SubmitJobInput, required: true }) },
    authScopes: { operator: true },
    resolve: (_root, { input }, ctx) => submitJob(ctx.db, input),
  }),
}));
