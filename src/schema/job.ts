import { deriveJobStatus, jobProgress, type JobStatus } from '../domain/jobStatus.ts';
import type { TaskStatus } from '../domain/taskStateMachine.ts';
import { countJobs, listJobs } from '../sql/jobReads.ts';
import { builder } from './builder.ts';
import { TaskCountsRef } from './counts.ts';
import { JobStatusEnum, TaskStatusEnum } from './enums.ts';
import { NodeInterface } from './node.ts';
import { seqConnection, seqPage } from './pagination.ts';
import { JobRef } from './refs.ts';
import { TaskConnection, resolveTaskConnection } from './task.ts';

JobRef.implement({
  interfaces: [NodeInterface],
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    priority: t.exposeInt('priority'),
    // Derived from the same grouped counts as taskCounts, so the two always agree in one response.
    status: t.field({
      type: JobStatusEnum,
      resolve: async (job, _args, { loaders }) => deriveJobStatus(job.suspended, (await loaders.jobCounts.load(job.id)).counts),
    }),
    suspended: t.exposeBoolean('suspended'),
    progress: t.float({
      resolve: async (job, _args, { loaders }) => {
        const { counts, openProgressSum } = await loaders.jobCounts.load(job.id);
        return jobProgress(counts, openProgressSum);
      },
    }),
    taskCounts: t.field({
      type: TaskCountsRef,
      resolve: async (job, _args, { loaders }) => (await loaders.jobCounts.load(job.id)).counts,
    }),
    tasks: t.field({
      type: TaskConnection,
      args: { first: t.arg.int(), after: t.arg.string(), status: t.arg({ type: [TaskStatusEnum] }) },
      resolve: (job, args, ctx, info) =>
        resolveTaskConnection(ctx, { jobId: job.id, status: args.status as TaskStatus[] | null | undefined }, args, info),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true }),
  }),
});

export const JobConnection = builder.connectionObject(
  {
    type: JobRef,
    name: 'JobConnection',
    fields: (t) => ({
      totalCount: t.int({
        resolve: (connection) => (connection as unknown as { totalCount: () => Promise<number> }).totalCount(),
      }),
    }),
  },
  { name: 'JobEdge' },
);

const JobFilterInput = builder.inputType('JobFilter', {
  fields: (t) => ({
    status: t.field({ type: [JobStatusEnum] }),
    name: t.string(),
  }),
});

builder.queryFields((t) => ({
  job: t.field({
    type: JobRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { loaders }) => loaders.job.load(id),
  }),
  jobs: t.field({
    type: JobConnection,
    args: { filter: t.arg({ type: JobFilterInput }), first: t.arg.int(), after: t.arg.string() },
    resolve: async (_root, args, ctx) => {
      const page = seqPage(args);
      const filter = { status: args.filter?.status as JobStatus[] | null | undefined, name: args.filter?.name };
      const rows = await listJobs(ctx.db, filter, page);
      for (const row of rows) ctx.loaders.job.prime(row.id, row);
      return { ...seqConnection(rows, page), totalCount: () => countJobs(ctx.db, filter) };
    },
  }),
}));
