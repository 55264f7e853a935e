import DataLoader from 'dataloader';
import type { Context } from '../context.ts';
import { clearLoaders, type Loaders } from '../loaders.ts';
import { cursorOf, decodeEventCursor, encodeEventCursor, type EventCursor } from '../domain/cursors.ts';
import { checkBatchSize, pageSize } from '../domain/limits.ts';
import { parseId } from '../domain/ids.ts';
import type { Delivery } from '../events/hub.ts';
import { openJobEventStream, openTaskEventStream, StreamEnd } from '../events/streams.ts';
import {
  assertCursorRetained,
  readTaskEventsAfter,
  readTaskEventsOfTasks,
  TASK_EVENT_KINDS,
  type JobEventRecord,
  type TaskEventFilter,
  type TaskEventRecord,
} from '../sql/events.ts';
import { builder } from './builder.ts';
import { JobStatusEnum, TaskStatusEnum } from './enums.ts';
import { JobRef, TaskRef } from './refs.ts';

/** An event as the schema sees it: from a subscription it carries its batch's shared loaders. */
type TaskEventItem = TaskEventRecord & Partial<Delivery>;
type JobEventItem = JobEventRecord & Partial<Delivery>;

export const TaskEventKindEnum = builder.enumType('TaskEventKind', { values: TASK_EVENT_KINDS });

export const TaskEventRef = builder.objectRef<TaskEventItem>('TaskEvent');
export const JobEventRef = builder.objectRef<JobEventItem>('JobEvent');

TaskEventRef.implement({
  description: 'One entry of the task event log. `cursor` resumes a subscription or a page right after it.',
  fields: (t) => ({
    cursor: t.string({ nullable: false, resolve: (e) => cursorText(e) }),
    kind: t.field({ type: TaskEventKindEnum, nullable: false, resolve: (e) => e.kind }),
    taskId: t.exposeID('taskId', { nullable: false }),
    jobId: t.exposeID('jobId', { nullable: true }),
    thread: t.exposeString('thread', { nullable: true }),
    previousStatus: t.field({ type: TaskStatusEnum, nullable: true, resolve: (e) => e.previousStatus }),
    status: t.field({ type: TaskStatusEnum, nullable: true, resolve: (e) => e.status }),
    progress: t.exposeFloat('progress', { nullable: true }),
    at: t.expose('at', { type: 'DateTime', nullable: false }),
    task: t.field({
      type: TaskRef,
      nullable: true,
      description: 'The task as it is now; null once it has been cleaned or destroyed.',
      resolve: (e, _args, { loaders }) => (e.loaders?.task ?? loaders.task).load(e.taskId),
    }),
  }),
});

JobEventRef.implement({
  description: "A change of a job's derived status.",
  fields: (t) => ({
    cursor: t.string({ nullable: false, resolve: (e) => cursorText(e) }),
    jobId: t.exposeID('jobId', { nullable: false }),
    previousStatus: t.field({ type: JobStatusEnum, nullable: true, resolve: (e) => e.previousStatus }),
    status: t.field({ type: JobStatusEnum, nullable: false, resolve: (e) => e.status }),
    at: t.expose('at', { type: 'DateTime', nullable: false }),
    job: t.field({
      type: JobRef,
      nullable: true,
      description: 'The job as it is now; null once it has been deleted.',
      resolve: (e, _args, { loaders }) => (e.loaders?.job ?? loaders.job).load(e.jobId),
    }),
  }),
});

export const TaskEventConnection = builder.connectionObject(
  { type: TaskEventRef, name: 'TaskEventConnection' },
  { name: 'TaskEventEdge' },
);

export const TaskEventFilterInput = builder.inputType('TaskEventFilter', {
  fields: (t) => ({
    taskIds: t.idList(),
    jobId: t.id(),
    thread: t.string(),
    kinds: t.field({ type: [TaskEventKindEnum] }),
    statuses: t.field({ type: [TaskStatusEnum] }),
  }),
});

function checkFilter(filter: TaskEventFilter | null | undefined): void {
  if (filter?.taskIds) checkBatchSize('filter.taskIds', filter.taskIds.length);
}

/** A page of events fetched with one extra row (to learn whether more follow). */
function eventConnection(rows: TaskEventRecord[], limit: number, after: EventCursor | null) {
  const more = rows.length > limit;
  const nodes = more ? rows.slice(0, limit) : rows;
  const edges = nodes.map((node) => ({ cursor: encodeEventCursor(cursorOf(node)), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: more,
      hasPreviousPage: after !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

/**
 * `Task.events` of a whole page of tasks in one query: one loader per request (keyed by the
 * request's loaders, so it lives and dies with them), batching by (page size, cursor).
 */
const taskEventLoaders = new WeakMap<Loaders, DataLoader<string, TaskEventRecord[]>>();

function taskEventsLoader(ctx: Context): DataLoader<string, TaskEventRecord[]> {
  let loader = taskEventLoaders.get(ctx.loaders);
  if (!loader) {
    loader = new DataLoader<string, TaskEventRecord[]>(async (keys) => {
      const parsed = keys.map((key) => JSON.parse(key) as { taskId: string; limit: number; after: string | null });
      const groups = new Map<string, string[]>();
      for (const key of parsed) {
        const group = JSON.stringify([key.limit, key.after]);
        groups.set(group, [...(groups.get(group) ?? []), key.taskId]);
      }
      const results = new Map<string, TaskEventRecord[]>();
      await Promise.all(
        [...groups].map(async ([group, taskIds]) => {
          const [limit, afterText] = JSON.parse(group) as [number, string | null];
          const after = decodeEventCursor(afterText);
          if (after) await assertCursorRetained(ctx.db, 'task', after);
          const rows = await readTaskEventsOfTasks(ctx.db, [...new Set(taskIds)], { after, limit: limit + 1 });
          for (const taskId of taskIds) results.set(JSON.stringify([taskId, group]), []);
          for (const row of rows) results.get(JSON.stringify([row.taskId, group]))?.push(row);
        }),
      );
      return parsed.map((key) => results.get(JSON.stringify([key.taskId, JSON.stringify([key.limit, key.after])])) ?? []);
    });
    taskEventLoaders.set(ctx.loaders, loader);
  }
  return loader;
}

builder.objectField(TaskRef, 'events', (t) =>
  t.field({
    type: TaskEventConnection,
    nullable: false,
    description: 'The event log of this task, oldest first.',
    args: { first: t.arg.int(), after: t.arg.string() },
    resolve: async (task, args, ctx) => {
      const limit = pageSize(args.first);
      const after = decodeEventCursor(args.after);
      const taskId = parseId(task.id) ?? task.id;
      const rows = await taskEventsLoader(ctx).load(JSON.stringify({ taskId, limit, after: args.after ?? null }));
      return eventConnection(rows, limit, after);
    },
  }),
);

builder.queryFields((t) => ({
  taskEvents: t.field({
    type: TaskEventConnection,
    nullable: false,
    description:
      'The task event log for polling clients, oldest first. It ends at the newest final event: a page never ' +
      'stops at a cursor that a transaction still in flight could precede, so following `endCursor` misses nothing.',
    args: { filter: t.arg({ type: TaskEventFilterInput }), first: t.arg.int(), after: t.arg.string() },
    resolve: async (_root, args, ctx) => {
      const limit = pageSize(args.first);
      const after = decodeEventCursor(args.after);
      checkFilter(args.filter);
      if (after) await assertCursorRetained(ctx.db, 'task', after);
      const rows = await readTaskEventsAfter(ctx.db, { after, filter: args.filter, limit: limit + 1 });
      return eventConnection(rows, limit, after);
    },
  }),
}));

/**
 * Every event of a subscription runs its own execution with the subscription's one context, so the
 * per-request loaders are emptied for each event: a subscription open for hours must not serve the
 * rows it cached for its first event. (Emptied rather than rebuilt: with 1,000 subscribers this runs
 * 1,000 times per event.)
 */
function deliver<T>(event: T | StreamEnd, ctx: Context): T {
  if (event instanceof StreamEnd) throw event.error;
  clearLoaders(ctx.loaders);
  taskEventLoaders.get(ctx.loaders)?.clearAll();
  return event;
}

/** An event's cursor text, encoded once however many subscribers resolve it. */
const cursorTexts = new WeakMap<object, string>();
function cursorText(event: TaskEventRecord | JobEventRecord): string {
  let text = cursorTexts.get(event);
  if (text === undefined) cursorTexts.set(event, (text = encodeEventCursor(cursorOf(event))));
  return text;
}

builder.subscriptionType({});

builder.subscriptionFields((t) => ({
  taskEvents: t.field({
    type: TaskEventRef,
    nullable: false,
    description:
      'Task events as they happen. With `after`, first every event after that cursor, then live, with no gap and ' +
      'no duplicate; without it, live from now.',
    args: { filter: t.arg({ type: TaskEventFilterInput }), after: t.arg.string() },
    subscribe: (_root, args, ctx) => {
      checkFilter(args.filter);
      return openTaskEventStream(ctx.services.events, ctx.db, { filter: args.filter, after: decodeEventCursor(args.after) }, ctx);
    },
    resolve: (event: TaskEventItem | StreamEnd, _args, ctx) => deliver(event, ctx),
  }),
  taskStatusChanged: t.field({
    type: TaskEventRef,
    nullable: false,
    description: 'Only the STATUS_CHANGED events of `taskEvents`.',
    args: { filter: t.arg({ type: TaskEventFilterInput }), after: t.arg.string() },
    subscribe: (_root, args, ctx) => {
      checkFilter(args.filter);
      const kinds = args.filter?.kinds;
      const filter = { ...args.filter, kinds: kinds && !kinds.includes('STATUS_CHANGED') ? [] : (['STATUS_CHANGED'] as const) };
      return openTaskEventStream(ctx.services.events, ctx.db, { filter, after: decodeEventCursor(args.after) }, ctx);
    },
    resolve: (event: TaskEventItem | StreamEnd, _args, ctx) => deliver(event, ctx),
  }),
  jobStatusChanged: t.field({
    type: JobEventRef,
    nullable: false,
    description: "Changes of jobs' derived status (of one job when `jobId` is given); `after` as in `taskEvents`.",
    args: { jobId: t.arg.id(), after: t.arg.string() },
    subscribe: (_root, args, ctx) =>
      openJobEventStream(ctx.services.events, ctx.db, { jobId: args.jobId, after: decodeEventCursor(args.after) }, ctx),
    resolve: (event: JobEventItem | StreamEnd, _args, ctx) => deliver(event, ctx),
  }),
}));
