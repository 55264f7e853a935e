import { concludeTask, concludeTasks } from '../commands/concludeTask.ts';
import { resumeJobs, setThreadPausedCommand, suspendJobs, type JobBatchResult, type JobError } from '../commands/jobCommands.ts';
import { applyTaskCommand, type BatchCommand } from '../commands/taskCommands.ts';
import type { ThreadRow } from '../db/tables.ts';
import type { JobRow } from '../db/tables.ts';
import { LIMITS } from '../domain/limits.ts';
import { CONCLUDE_OUTCOMES } from '../domain/taskStateMachine.ts';
import type { AuthScopes } from './builder.ts';
import { builder } from './builder.ts';
import { TaskErrorCodeEnum } from './enums.ts';
import { JobRef, ThreadRef } from './refs.ts';
import { TaskBatchPayloadRef } from './taskBatch.ts';

const TaskOutcomeEnum = builder.enumType('TaskOutcome', {
  description: 'How a worker ends a task: SUCCEEDED → COMPLETED, FAILED → FAILED, CANCELLED → CANCELLED.',
  values: CONCLUDE_OUTCOMES,
});

const JobTaskTargetInput = builder.inputType('JobTaskTarget', {
  fields: (t) => ({
    id: t.id({ required: true }),
    indices: t.intList({ description: "0-based task indices within the job; all of the job's tasks when omitted." }),
  }),
});

const TaskTargetInput = builder.inputType('TaskTarget', {
  description: 'Exactly one field must be given, and not null (@oneOf).',
  isOneOf: true,
  fields: (t) => ({
    ids: t.idList(),
    refIds: t.stringList({ description: 'XINA ref ids; one ref id may match many tasks.' }),
    job: t.field({ type: JobTaskTargetInput }),
    thread: t.string({ description: 'Every task of the thread.' }),
  }),
});

const TaskCommandInput = builder.inputType('TaskCommandInput', {
  fields: (t) => ({
    target: t.field({ type: TaskTargetInput, required: true }),
    ignore: t.boolean({
      defaultValue: false,
      description:
        'False: any per-task error blocks the whole batch and nothing changes. True: tasks with errors are skipped and reported.',
    }),
    reason: t.string({ description: 'Free text, written to the server log with the command.' }),
  }),
});

const ConcludeTaskInput = builder.inputType('ConcludeTaskInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    outcome: t.field({ type: TaskOutcomeEnum, required: true }),
    result: t.field({ type: 'JSON' }),
    resultType: t.string(),
    errorInfo: t.stringList(),
    delayMs: t.int({ defaultValue: 0, description: `Milliseconds, ${LIMITS.minDelayMs} to ${LIMITS.maxDelayMs}, that the server waits before concluding.` }),
    worker: t.string({ description: 'When given, the task must be claimed by this worker.' }),
    attempt: t.int({ description: "When given, must equal the task's current attempt (fencing against stale workers)." }),
  }),
});

const ConcludeTasksInput = builder.inputType('ConcludeTasksInput', {
  fields: (t) => ({
    tasks: t.field({
      type: [ConcludeTaskInput],
      required: true,
      description: 'The conclusions, each as concludeTask takes it; at most 10,000 (maxBatch). Errors carry the index in this list.',
    }),
    ignore: t.boolean({
      defaultValue: true,
      description:
        'True (default): the conclusions without errors are applied and the others reported in errors. False: any per-task error ' +
        'blocks the whole batch and nothing changes (as with ignore: false on the other batch commands). The default differs from ' +
        'theirs because a worker sends the conclusions of unrelated tasks together: one task taken away from it (NOT_OWNER) must not ' +
        'hold back the others.',
    }),
  }),
});

const JobIdsInput = builder.inputType('JobIdsInput', {
  fields: (t) => ({ ids: t.idList({ required: true }) }),
});

const ThreadInput = builder.inputType('ThreadInput', {
  fields: (t) => ({ name: t.string({ required: true }) }),
});

const JobErrorRef = builder.objectRef<JobError>('JobError').implement({
  description: 'One problem with one job of a job batch mutation.',
  fields: (t) => ({
    jobId: t.exposeID('jobId', { nullable: true, description: 'The job concerned; null when the id is unknown.' }),
    index: t.exposeInt('index', { nullable: true, description: 'Position of the job in the input list.' }),
    code: t.field({ type: TaskErrorCodeEnum, nullable: false, resolve: (e) => e.code }),
    message: t.exposeString('message', { nullable: false }),
  }),
});

const JobBatchPayloadRef = builder.objectRef<JobBatchResult>('JobBatchPayload').implement({
  fields: (t) => ({
    applied: t.exposeBoolean('applied', { nullable: false, description: 'False when an unknown job blocked the whole batch.' }),
    jobs: t.field({
      type: [JobRef],
      nullable: false,
      description: 'The jobs, in input order, as they are after the mutation.',
      resolve: async (payload, _args, { loaders }) => {
        const rows = await loaders.job.loadMany(payload.jobIds);
        return rows.filter((row): row is JobRow => row !== null && !(row instanceof Error));
      },
    }),
    errors: t.field({ type: [JobErrorRef], nullable: false, resolve: (payload) => payload.errors }),
  }),
});

const ThreadPayloadRef = builder.objectRef<{ thread: ThreadRow }>('ThreadPayload').implement({
  fields: (t) => ({
    thread: t.field({ type: ThreadRef, nullable: false, resolve: (payload) => payload.thread }),
  }),
});

/** Every batch task command: its mutation, the state-machine command it runs and who may run it. */
const TASK_COMMAND_FIELDS: { field: string; command: BatchCommand; scope: keyof AuthScopes; description: string }[] = [
  { field: 'cancelTasks', command: 'CANCEL', scope: 'operator', description: 'PENDING, QUEUED, SUSPENDED → CANCELLED; RUNNING → CANCELLING (the worker acknowledges).' },
  { field: 'destroyTasks', command: 'DESTROY', scope: 'admin', description: 'Cancel if needed, then delete; a RUNNING task becomes CANCELLING and is deleted once it concludes.' },
  { field: 'suspendTasks', command: 'SUSPEND', scope: 'operator', description: 'PENDING, QUEUED, RUNNING → SUSPENDED.' },
  { field: 'failTasks', command: 'FAIL', scope: 'operator', description: 'Any task not concluded → FAILED.' },
  { field: 'cleanTasks', command: 'CLEAN', scope: 'admin', description: 'Deletes concluded tasks with their log (a DELETED event stays).' },
  { field: 'requeueTasks', command: 'REQUEUE', scope: 'operator', description: 'Back to QUEUED, with progress, result, errorInfo and residentOn reset.' },
  { field: 'resumeTasks', command: 'RESUME', scope: 'operator', description: 'SUSPENDED → QUEUED.' },
  { field: 'resumeFailedTasks', command: 'RESUME_FAILED', scope: 'operator', description: 'FAILED → QUEUED.' },
  { field: 'completeTasks', command: 'COMPLETE', scope: 'operator', description: 'Marks tasks COMPLETED (progress 1).' },
  { field: 'pendTasks', command: 'PEND', scope: 'operator', description: 'QUEUED, SUSPENDED, FAILED → PENDING; refused for a suspended job.' },
  { field: 'releasePendingTasks', command: 'RELEASE_PENDING', scope: 'operator', description: 'PENDING → QUEUED; refused for a suspended job.' },
];

builder.mutationFields((t) => ({
  ...Object.fromEntries(
    TASK_COMMAND_FIELDS.map(({ field, command, scope, description }) => [
      field,
      t.field({
        type: TaskBatchPayloadRef,
        nullable: false,
        description,
        args: { input: t.arg({ type: TaskCommandInput, required: true }) },
        authScopes: { [scope]: true },
        resolve: (_root, { input }, ctx) => applyTaskCommand(ctx.db, command, input, ctx.log),
      }),
    ]),
  ),
  concludeTask: t.field({
    type: TaskBatchPayloadRef,
    nullable: false,
    args: { input: t.arg({ type: ConcludeTaskInput, required: true }) },
    authScopes: { worker: true },
    resolve: (_root, { input }, ctx) => concludeTask(ctx.db, input, ctx.services.sweeper),
  }),
  concludeTasks: t.field({
    type: TaskBatchPayloadRef,
    nullable: false,
    description:
      'Concludes many tasks in one transaction: concludeTask for each item, in list order, with per-task errors ' +
      '(an item naming a task that an earlier item concluded is refused, as two calls would be).',
    args: { input: t.arg({ type: ConcludeTasksInput, required: true }) },
    authScopes: { worker: true },
    resolve: (_root, { input }, ctx) => concludeTasks(ctx.db, input, ctx.services.sweeper),
  }),
  suspendJobs: t.field({
    type: JobBatchPayloadRef,
    nullable: false,
    args: { input: t.arg({ type: JobIdsInput, required: true }) },
    authScopes: { operator: true },
    resolve: (_root, { input }, ctx) => suspendJobs(ctx.db, input.ids),
  }),
  resumeJobs: t.field({
    type: JobBatchPayloadRef,
    nullable: false,
    args: { input: t.arg({ type: JobIdsInput, required: true }) },
    authScopes: { operator: true },
    resolve: (_root, { input }, ctx) => resumeJobs(ctx.db, input.ids),
  }),
  pauseThread: t.field({
    type: ThreadPayloadRef,
    nullable: false,
    description: 'Stops claims from the thread without touching its tasks; creates the thread if it does not exist yet.',
    args: { input: t.arg({ type: ThreadInput, required: true }) },
    authScopes: { operator: true },
    resolve: async (_root, { input }, ctx) => ({ thread: await setThreadPausedCommand(ctx.db, input.name, true) }),
  }),
  resumeThread: t.field({
    type: ThreadPayloadRef,
    nullable: false,
    args: { input: t.arg({ type: ThreadInput, required: true }) },
    authScopes: { operator: true },
    resolve: async (_root, { input }, ctx) => ({ thread: await setThreadPausedCommand(ctx.db, input.name, false) }),
  }),
}));
