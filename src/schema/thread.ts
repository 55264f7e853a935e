import { deriveThreadStatus } from '../domain/threadStatus.ts';
import type { TaskStatus } from '../domain/taskStateMachine.ts';
import { listThreads } from '../sql/jobReads.ts';
import { builder } from './builder.ts';
import { TaskCountsRef } from './counts.ts';
import { TaskStatusEnum, ThreadStatusEnum } from './enums.ts';
import { seqConnection, seqPage } from './pagination.ts';
import { TaskRef, ThreadRef } from './refs.ts';
import { TaskConnection, resolveTaskConnection } from './task.ts';

ThreadRef.implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    status: t.field({
      type: ThreadStatusEnum,
      resolve: async (thread, _args, { loaders }) => {
        const [{ counts }, head] = await Promise.all([
          loaders.threadCounts.load(thread.name),
          loaders.threadHead.load(thread.name),
        ]);
        return deriveThreadStatus(thread.paused, counts, (head?.status as TaskStatus | undefined) ?? null);
      },
    }),
    paused: t.exposeBoolean('paused'),
    head: t.field({
      type: TaskRef,
      nullable: true,
      description: 'The oldest task of the thread that is not concluded: the only one that may be claimed.',
      resolve: (thread, _args, { loaders }) => loaders.threadHead.load(thread.name),
    }),
    taskCounts: t.field({
      type: TaskCountsRef,
      resolve: async (thread, _args, { loaders }) => (await loaders.threadCounts.load(thread.name)).counts,
    }),
    tasks: t.field({
      type: TaskConnection,
      args: { first: t.arg.int(), after: t.arg.string(), status: t.arg({ type: [TaskStatusEnum] }) },
      resolve: (thread, args, ctx, info) =>
        resolveTaskConnection(ctx, { thread: thread.name, status: args.status as TaskStatus[] | null | undefined }, args, info),
    }),
  }),
});

const ThreadConnection = builder.connectionObject({ type: ThreadRef, name: 'ThreadConnection' }, { name: 'ThreadEdge' });

builder.queryFields((t) => ({
  thread: t.field({
    type: ThreadRef,
    nullable: true,
    args: { name: t.arg.string({ required: true }) },
    resolve: (_root, { name }, { loaders }) => loaders.thread.load(name),
  }),
  threads: t.field({
    type: ThreadConnection,
    args: { first: t.arg.int(), after: t.arg.string() },
    resolve: async (_root, args, ctx) => {
      const page = seqPage(args);
      const rows = await listThreads(ctx.db, page);
      for (const row of rows) ctx.loaders.thread.prime(row.name, row);
      return seqConnection(rows, page);
    },
  }),
}));
