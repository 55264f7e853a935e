import { GraphQLError } from 'graphql';
import { Repeater } from 'graphql-yoga';
import type { Executor } from '../db/database.ts';
import { compareCursors, cursorOf, encodeEventCursor, type EventCursor } from '../domain/cursors.ts';
import { parseId } from '../domain/ids.ts';
import {
  assertCursorRetained,
  readJobEventsAfter,
  readLiveStart,
  readTaskEventsAfter,
  type EventLog,
  type JobEventRecord,
  type TaskEventFilter,
  type TaskEventRecord,
} from '../sql/events.ts';
import type { Delivery, EventHub, Feed, FeedOptions, LiveJobEvent, LiveTaskEvent } from './hub.ts';
import type { GroupSeat, LiveGroupSource, LiveShare } from './liveShare.ts';
import { createEventLoaders } from './loaders.ts';

/** Rows per replay query. */
const REPLAY_PAGE = 500;

/**
 * The last item of a stream that ends with an error (fell behind, cursor pruned during the replay,
 * database failure). The subscription's resolver throws it, so the client gets it as a GraphQL error
 * in a final `next`, then `complete` — on WebSocket and SSE alike, masked like any other error.
 */
export class StreamEnd {
  constructor(readonly error: unknown) {}
}

/** The hub routing and the in-memory test of a task-event filter; the SQL form is taskEventFilterCondition. */
export function taskEventFeed(filter: TaskEventFilter | null | undefined): FeedOptions<LiveTaskEvent> {
  const ids = (values: readonly string[]) => values.map(parseId).filter((id): id is string => id !== null);
  const taskIds = filter?.taskIds != null ? new Set(ids(filter.taskIds)) : null;
  // A malformed job id matches nothing (as in SQL): route it nowhere.
  const jobId = filter?.jobId != null ? (parseId(filter.jobId) ?? '') : null;
  const thread = filter?.thread ?? null;
  const kinds = filter?.kinds != null ? new Set<string>(filter.kinds) : null;
  const statuses = filter?.statuses != null ? new Set<string>(filter.statuses) : null;
  let routeKeys: string[] | null = null;
  if (taskIds) routeKeys = [...taskIds].map((id) => `task:${id}`);
  else if (jobId !== null) routeKeys = jobId ? [`job:${jobId}`] : [];
  else if (thread !== null) routeKeys = [`thread:${thread}`];
  return {
    routeKeys,
    matches: (e) =>
      (taskIds === null || taskIds.has(e.taskId)) &&
      (jobId === null || e.jobId === jobId) &&
      (thread === null || e.thread === thread) &&
      (kinds === null || kinds.has(e.kind)) &&
      (statuses === null || (e.status !== null && statuses.has(e.status))),
  };
}

export function jobEventFeed(jobId: string | null | undefined): FeedOptions<LiveJobEvent> {
  if (jobId == null) return { routeKeys: null, matches: () => true };
  const id = parseId(jobId);
  return { routeKeys: id ? [`job:${id}`] : [], matches: (e) => e.jobId === id };
}

interface StreamSpec<R extends TaskEventRecord | JobEventRecord> {
  db: Executor;
  log: EventLog;
  /** Where the stream starts: the client's `after`, or the end of the log when it gave none. */
  after: EventCursor;
  /** Whether `after` came from the client (and so must still be within the retained log). */
  fromClient: boolean;
  /** Rows after `after` that committed before a live-from-now subscription started: not delivered. */
  skip: Set<string> | null;
  /** The newest cursor in `skip`: once the hub has passed it, none of them can come any more. */
  skipUpTo: EventCursor | null;
  register(): Feed<R & Delivery>;
  /** The hub's position on this log. */
  hubPosition(): EventCursor;
  /** Set when the live phase can be shared with subscriptions running the same operation. */
  share: LiveShare | undefined;
  readPage(after: EventCursor, upTo: EventCursor, limit: number): Promise<R[]>;
}

const cursorKey = (c: EventCursor) => `${c.txid}:${c.id}`;

/**
 * Where a stream starts: the client's cursor, or "now" — the end of the final log when the
 * subscription starts (not the hub's position, which may lag by one read), skipping rows that had
 * already committed then but were not final yet. So a client never gets events of changes that
 * committed before it subscribed, and gets every one after.
 */
async function startingPoint(
  db: Executor,
  log: EventLog,
  after: EventCursor | null,
): Promise<Pick<StreamSpec<TaskEventRecord>, 'after' | 'fromClient' | 'skip' | 'skipUpTo'>> {
  if (after) return { after, fromClient: true, skip: null, skipUpTo: null };
  const start = await readLiveStart(db, log);
  if (start.alreadyCommitted.length === 0) return { after: start.frontier, fromClient: false, skip: null, skipUpTo: null };
  return {
    after: start.frontier,
    fromClient: false,
    skip: new Set(start.alreadyCommitted.map(cursorKey)),
    skipUpTo: start.alreadyCommitted.reduce((a, b) => (compareCursors(a, b) >= 0 ? a : b)),
  };
}

/**
 * openTaskEventStream: the `taskEvents` / `taskStatusChanged` subscription source. With `after` it
 * replays the log after that cursor and then goes live with no gap and no duplicate; an `after` older
 * than the retained log fails here, before anything streams. Without `after` it is live from now
 * (see startingPoint).
 *
 * `operation`: the context of the operation this stream serves. A transport that shares live phases
 * offered that operation's share to the hub under it (src/events/liveShare.ts): the stream takes it
 * from there, so the context carries nothing of the transport.
 */
export async function openTaskEventStream(
  hub: EventHub,
  db: Executor,
  args: { filter: TaskEventFilter | null | undefined; after: EventCursor | null },
  operation?: object,
): Promise<AsyncIterable<LiveTaskEvent | StreamEnd>> {
  const share = operation && hub.liveShares.take(operation);
  if (share?.kind === 'group') return groupStream(() => hub.subscribe('task', { ...taskEventFeed(args.filter), listeners: share.members }), share);
  const register = () => hub.subscribe('task', taskEventFeed(args.filter));
  if (args.after) await assertCursorRetained(db, 'task', args.after);
  return eventStream<TaskEventRecord>({
    db,
    log: 'task',
    ...(await startingPoint(db, 'task', args.after)),
    register,
    hubPosition: () => hub.position('task'),
    share,
    readPage: (after, upTo, limit) => readTaskEventsAfter(db, { after, upTo, limit, filter: args.filter }),
  });
}

/** openJobEventStream: the `jobStatusChanged` subscription source (see openTaskEventStream). */
export async function openJobEventStream(
  hub: EventHub,
  db: Executor,
  args: { jobId: string | null | undefined; after: EventCursor | null },
  operation?: object,
): Promise<AsyncIterable<LiveJobEvent | StreamEnd>> {
  const share = operation && hub.liveShares.take(operation);
  if (share?.kind === 'group') return groupStream(() => hub.subscribe('job', { ...jobEventFeed(args.jobId), listeners: share.members }), share);
  const register = () => hub.subscribe('job', jobEventFeed(args.jobId));
  if (args.after) await assertCursorRetained(db, 'job', args.after);
  return eventStream<JobEventRecord>({
    db,
    log: 'job',
    ...(await startingPoint(db, 'job', args.after)),
    register,
    hubPosition: () => hub.position('job'),
    share,
    readPage: (after, upTo, limit) => readJobEventsAfter(db, { after, upTo, limit, jobId: args.jobId }),
  });
}

/**
 * The stream of a shared group (src/transport/liveGroups.ts): live from the moment it registers, no
 * replay and no skipping (each member did its own start), telling the group which event each result
 * belongs to. It never ends with an error result: the group tells its members why it ended.
 */
function groupStream<R extends TaskEventRecord | JobEventRecord>(
  register: () => Feed<R & Delivery>,
  source: LiveGroupSource,
): Repeater<R & Delivery> {
  return new Repeater<R & Delivery>(async (push, stop) => {
    const feed = register();
    void stop.then(() => feed.close());
    source.started();
    try {
      while (!feed.closed) {
        for (const event of await feed.take()) {
          source.yielding(event);
          await push(event);
          if (feed.closed) break;
        }
      }
      source.ending(feed.overflowed ? 'too-slow' : 'closed');
    } finally {
      feed.close();
      stop();
    }
  });
}

/**
 * Replay, then live, without gap or duplicate:
 *  1. register the live feed first; from this moment the hub queues every matching event after
 *     `feed.start` (its position at registration);
 *  2. replay the log from `after` up to and including `feed.start` — those rows are final, the
 *     hub has passed them;
 *  3. drain the feed, skipping anything at or before the last cursor delivered (a client's `after`
 *     may be ahead of this instance's hub when it comes from another instance);
 *  4. with a shared live phase (`share`, graphql-ws): once the feed is empty, every row it must skip
 *     has passed and the client has been written everything pushed, hand over to the group at the
 *     last cursor and stop; the group sends what comes after, and the transport the end
 *     (src/transport/liveGroups.ts).
 * A Repeater (rather than an async generator) makes `return()` take effect at once even while the
 * stream waits for events, so closing a subscription frees its feed immediately.
 */
function eventStream<R extends TaskEventRecord | JobEventRecord>(spec: StreamSpec<R>): Repeater<(R & Delivery) | StreamEnd> {
  return new Repeater<(R & Delivery) | StreamEnd>(async (push, stop) => {
    const feed = spec.register();
    const member = spec.share?.kind === 'member' ? spec.share : null;
    // Look for the group while replaying; it is joined once this stream has caught up.
    const seatLookup = member?.group() ?? null;
    let seat: GroupSeat | null = null;
    let handedOver = false;
    const stopped = stop.then(() => null);
    void stopped.then(() => {
      feed.close();
      if (handedOver) return; // the seat is the transport's now
      seat?.leave();
      void seatLookup?.then((s) => s?.leave());
    });
    let last = spec.after;
    const deliver = async (event: R & Delivery) => {
      member?.pushed();
      await push(event);
    };
    try {
      if (compareCursors(spec.after, feed.start) < 0) {
        let from = spec.after;
        for (;;) {
          const rows = await spec.readPage(from, feed.start, REPLAY_PAGE);
          const loaders = createEventLoaders(spec.db);
          for (const row of rows) {
            if (feed.closed) return;
            const event = { ...row, cursor: cursorOf(row), loaders };
            last = event.cursor;
            if (spec.skip?.has(cursorKey(event.cursor))) continue;
            await deliver(event);
          }
          if (rows.length < REPLAY_PAGE) break;
          from = cursorOf(rows.at(-1)!);
        }
        // A prune that ran during the replay could have removed rows before they were read.
        if (spec.fromClient) await assertCursorRetained(spec.db, spec.log, spec.after);
      }
      if (seatLookup) seat = await Promise.race([seatLookup, stopped]);
      while (!feed.closed) {
        if (seat && member && feed.queued === 0 && (spec.skipUpTo === null || compareCursors(spec.hubPosition(), spec.skipUpTo) >= 0)) {
          // Caught up: every matching event the hub published went through this stream. Hand over
          // once the client has been written all of them, or the group's first write could overtake.
          if (!member.isDrained) {
            await Promise.race([member.drained(), stopped]);
            continue;
          }
          if (member.handOver(seat, last, tooSlow)) {
            handedOver = true;
            seat = null;
            return;
          }
          // The group ended meanwhile: stay on this stream.
          seat.leave();
          seat = null;
        }
        for (const event of await feed.take()) {
          if (compareCursors(event.cursor, last) <= 0) continue;
          last = event.cursor;
          if (spec.skip?.has(cursorKey(event.cursor))) continue;
          await deliver(event);
          if (feed.closed) break;
        }
      }
      if (feed.overflowed) await push(tooSlow(last));
    } catch (error) {
      await push(new StreamEnd(error));
    } finally {
      feed.close();
      seat?.leave();
      stop();
    }
  });
}

function tooSlow(last: EventCursor): StreamEnd {
  return new StreamEnd(
    new GraphQLError(
      'This subscription fell too far behind the event stream and was ended. Subscribe again with `after` set to the last cursor you received.',
      { extensions: { code: 'SUBSCRIBER_TOO_SLOW', lastCursor: encodeEventCursor(last) } },
    ),
  );
}
