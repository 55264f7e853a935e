import DataLoader from 'dataloader';
import { claimTasks } from '../claims/claimTasks.ts';
import { heartbeat, type HeartbeatResult } from '../claims/heartbeat.ts';
import type { Context } from '../context.ts';
import type { TaskRow } from '../db/tables.ts';
import { LIMITS, pageSize } from '../domain/limits.ts';
import { heldTasksByWorker, listWorkers, loadWorkersByName, type WorkerRow } from '../sql/workers.ts';
import { builder } from './builder.ts';
import { TaskRef } from './refs.ts';

const WorkerDirectiveEnum = builder.enumType('WorkerDirective', {
  description: "The server's answer to a heartbeat, per task.",
  values: {
    CONTINUE: { description: 'The task is still yours: keep working; its lease was extended.' },
    CANCEL: { description: 'A cancel was requested (CANCELLING): stop and conclude it with outcome CANCELLED.' },
    ABANDON: { description: 'The task is no longer yours (requeued, concluded, deleted, another attempt): stop, do not conclude.' },
  },
});

const ClaimTasksInput = builder.inputType('ClaimTasksInput', {
  fields: (t) => ({
    worker: t.string({ required: true, description: 'The claiming worker; tasks become residentOn it.' }),
    names: t.stringList({ description: 'Only tasks with one of these names; any name when omitted.' }),
    limit: t.int({ defaultValue: 1, description: `At most this many tasks (1 to ${LIMITS.maxClaimLimit}).` }),
    leaseMs: t.int({
      defaultValue: LIMITS.defaultLeaseMs,
      description: `Lease length (${LIMITS.minLeaseMs} to ${LIMITS.maxLeaseMs} ms): without a heartbeat in time, the task is requeued.`,
    }),
    waitMs: t.int({
      defaultValue: 0,
      description: `Wait up to this many milliseconds (at most ${LIMITS.maxWaitMs}) for a task when none is claimable now.`,
    }),
  }),
});

const TaskHeartbeatInput = builder.inputType('TaskHeartbeat', {
  fields: (t) => ({
    id: t.id({ required: true }),
    attempt: t.int({ description: 'The attempt the worker claimed (Task.attempts at claim time); a stale one gets ABANDON.' }),
    progress: t.float({ description: '0 to 1.' }),
    message: t.string({ description: 'A status line shown as Task.message.' }),
  }),
});

const HeartbeatInput = builder.inputType('HeartbeatInput', {
  fields: (t) => ({
    worker: t.string({ required: true }),
    tasks: t.field({ type: [TaskHeartbeatInput], required: true }),
    leaseMs: t.int({ description: `New lease length from now (default ${LIMITS.defaultLeaseMs} ms).` }),
  }),
});

const ClaimTasksPayload = builder.objectRef<{ tasks: TaskRow[] }>('ClaimTasksPayload').implement({
  fields: (t) => ({
    tasks: t.field({
      type: [TaskRef],
      nullable: false,
      description: 'The claimed tasks, now RUNNING on the worker, highest priority first; empty when none was claimable in time.',
      resolve: (payload) => payload.tasks,
    }),
  }),
});

const HeartbeatResultRef = builder.objectRef<HeartbeatResult>('HeartbeatResult').implement({
  fields: (t) => ({
    taskId: t.exposeID('taskId', { nullable: false }),
    directive: t.field({ type: WorkerDirectiveEnum, nullable: false, resolve: (r) => r.directive }),
    leaseExpiresAt: t.expose('leaseExpiresAt', { type: 'DateTime', nullable: true }),
  }),
});

const HeartbeatPayload = builder.objectRef<{ results: HeartbeatResult[] }>('HeartbeatPayload').implement({
  fields: (t) => ({
    results: t.field({
      type: [HeartbeatResultRef],
      nullable: false,
      description: 'One result per listed task, in input order.',
      resolve: (payload) => payload.results,
    }),
  }),
});

/** Per-request loader of held tasks by worker name (a page of workers costs one query). */
const heldLoaders = new WeakMap<Context, DataLoader<string, TaskRow[]>>();
function heldTasks(ctx: Context): DataLoader<string, TaskRow[]> {
  let loader = heldLoaders.get(ctx);
  if (!loader) {
    loader = new DataLoader(async (names) => {
      const held = await heldTasksByWorker(ctx.db, names);
      return names.map((n) => held.get(n) ?? []);
    });
    heldLoaders.set(ctx, loader);
  }
  return loader;
}

const WorkerRef = builder.objectRef<WorkerRow>('Worker').implement({
  description: 'A worker that claimed or heartbeated at least once.',
  fields: (t) => ({
    name: t.exposeString('name', { nullable: false }),
    firstSeenAt: t.expose('firstSeenAt', { type: 'DateTime', nullable: false }),
    lastSeenAt: t.expose('lastSeenAt', { type: 'DateTime', nullable: false, description: 'Its last claim or heartbeat.' }),
    tasks: t.field({
      type: [TaskRef],
      nullable: false,
      description: 'The tasks it holds now (RUNNING or CANCELLING).',
      resolve: async (worker, _args, ctx) => {
        const rows = await heldTasks(ctx).load(worker.name);
        for (const row of rows) ctx.loaders.task.prime(row.id, row);
        return rows;
      },
    }),
  }),
});

builder.queryFields((t) => ({
  workers: t.field({
    type: [WorkerRef],
    nullable: false,
    description: `The workers seen, most recently seen first (at most \`first\`, default ${LIMITS.defaultPageSize}, max ${LIMITS.maxPageSize}).`,
    args: { first: t.arg.int() },
    resolve: (_root, args, ctx) => listWorkers(ctx.db, pageSize(args.first)),
  }),
  worker: t.field({
    type: WorkerRef,
    nullable: true,
    args: { name: t.arg.string({ required: true }) },
    resolve: async (_root, { name }, ctx) => (await loadWorkersByName(ctx.db, [name]))[0] ?? null,
  }),
}));

builder.mutationFields((t) => ({
  claimTasks: t.field({
    type: ClaimTasksPayload,
    nullable: false,
    description:
      'Claims claimable tasks (QUEUED, job not suspended, thread head of an unpaused thread with nothing running), ' +
      'highest priority first, then oldest. With waitMs, waits for one when none is claimable now.',
    args: { input: t.arg({ type: ClaimTasksInput, required: true }) },
    authScopes: { worker: true },
    resolve: async (_root, { input }, ctx) => {
      const rows = await claimTasks(ctx.db, ctx.services.claims, input, ctx.signal);
      for (const row of rows) ctx.loaders.task.prime(row.id, row);
      return { tasks: rows };
    },
  }),
  heartbeat: t.field({
    type: HeartbeatPayload,
    nullable: false,
    description: 'Extends the leases of the tasks a worker runs, records their progress, and says per task whether to go on.',
    args: { input: t.arg({ type: HeartbeatInput, required: true }) },
    authScopes: { worker: true },
    resolve: async (_root, { input }, ctx) => ({ results: await heartbeat(ctx.db, input) }),
  }),
}));
