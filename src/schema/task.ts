import type { GraphQLResolveInfo } from 'graphql';
import { allowedOperations, type TaskStatus } from '../domain/taskStateMachine.ts';
import { countTasks, JOINED_JOB, listTasks, type PageTask, type TaskFilter } from '../sql/taskReads.ts';
import type { Context } from '../context.ts';
import { builder } from './builder.ts';
import { TaskOperationEnum, TaskStatusEnum } from './enums.ts';
import { NodeInterface } from './node.ts';
import { seqConnection, seqPage, type ConnectionArgs } from './pagination.ts';
import { JobRef, TaskRef, ThreadRef } from './refs.ts';
import { taskPageSelection } from './taskSelection.ts';

export const TaskConnection = builder.connectionObject(
  {
    type: TaskRef,
    name: 'TaskConnection',
    fields: (t) => ({
      totalCount: t.int({
        resolve: (connection) => (connection as unknown as { totalCount: () => Promise<number> }).totalCount(),
      }),
    }),
  },
  { name: 'TaskEdge' },
);

/**
 * A page of tasks matching a filter, in one query: only the columns its query needs, and each task's
 * job joined in when the query asks for it. `totalCount` is counted only when asked for. Only
 * complete rows are primed into the loaders (a projected row would answer a later `parent`,
 * `task(id)` or `job(id)` with columns missing); a joined job comes on its task's row for `Task.job`.
 */
export async function resolveTaskConnection(ctx: Context, filter: TaskFilter, args: ConnectionArgs, info: GraphQLResolveInfo) {
  const page = seqPage(args);
  const { columns, jobColumns } = taskPageSelection(info);
  const tasks = await listTasks(ctx.db, filter, page, columns, jobColumns);
  if (columns === null) for (const task of tasks) ctx.loaders.task.prime(task.id, task);
  return { ...seqConnection(tasks, page), totalCount: () => countTasks(ctx.db, filter) };
}

TaskRef.implement({
  interfaces: [NodeInterface],
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    conf: t.field({ type: 'JSON', resolve: (task) => task.conf }),
    status: t.expose('status', { type: TaskStatusEnum }),
    job: t.field({
      type: JobRef,
      nullable: true,
      resolve: (task, _args, { loaders }) => {
        const joined = (task as PageTask)[JOINED_JOB];
        if (joined !== undefined) return joined;
        return task.jobId ? loaders.job.load(task.jobId) : null;
      },
    }),
    index: t.int({ nullable: true, resolve: (task) => task.jobIndex }),
    parent: t.field({
      type: TaskRef,
      nullable: true,
      resolve: (task, _args, { loaders }) => (task.parentId ? loaders.task.load(task.parentId) : null),
    }),
    subtasks: t.field({
      type: TaskConnection,
      args: { first: t.arg.int(), after: t.arg.string() },
      resolve: (task, args, ctx, info) => resolveTaskConnection(ctx, { parentId: task.id }, args, info),
    }),
    thread: t.field({
      type: ThreadRef,
      nullable: true,
      resolve: (task, _args, { loaders }) => (task.thread ? loaders.thread.load(task.thread) : null),
    }),
    priority: t.exposeInt('priority'),
    timeoutMs: t.exposeInt('timeoutMs', { nullable: true }),
    maxAttempts: t.exposeInt('maxAttempts'),
    attempts: t.exposeInt('attempts'),
    refId: t.exposeString('refId', { nullable: true }),
    auto: t.exposeBoolean('auto'),
    archive: t.exposeBoolean('archive'),
    open: t.exposeBoolean('open'),
    progress: t.exposeFloat('progress'),
    message: t.exposeString('message', {
      nullable: true,
      description: 'The last message a worker reported with its heartbeat.',
    }),
    result: t.field({ type: 'JSON', nullable: true, resolve: (task) => task.result }),
    resultType: t.exposeString('resultType', { nullable: true }),
    errorInfo: t.stringList({ resolve: (task) => task.errorInfo }),
    residentOn: t.exposeString('residentOn', { nullable: true }),
    leaseExpiresAt: t.expose('leaseExpiresAt', { type: 'DateTime', nullable: true }),
    allowedOperations: t.field({
      type: [TaskOperationEnum],
      resolve: async (task, _args, { loaders }) => {
        const job = task.jobId ? await loaders.job.load(task.jobId) : null;
        return allowedOperations({ status: task.status as TaskStatus, jobSuspended: job?.suspended ?? false });
      },
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true }),
  }),
});

export const TaskFilterInput = builder.inputType('TaskFilter', {
  fields: (t) => ({
    ids: t.idList(),
    status: t.field({ type: [TaskStatusEnum] }),
    jobId: t.id(),
    thread: t.string(),
    name: t.string(),
    refId: t.string(),
    parentId: t.id(),
    residentOn: t.string(),
    createdAfter: t.field({ type: 'DateTime' }),
    createdBefore: t.field({ type: 'DateTime' }),
  }),
});

builder.queryFields((t) => ({
  task: t.field({
    type: TaskRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { loaders }) => loaders.task.load(id),
  }),
  tasks: t.field({
    type: TaskConnection,
    args: { filter: t.arg({ type: TaskFilterInput }), first: t.arg.int(), after: t.arg.string() },
    resolve: (_root, args, ctx, info) => resolveTaskConnection(ctx, args.filter ?? {}, args, info),
  }),
}));
