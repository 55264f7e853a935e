import { EVENTS_CHANNEL, type Database, type Executor } from '../db/database.ts';
import { compareCursors, cursorOf, type EventCursor } from '../domain/cursors.ts';
import type { Logger } from '../log.ts';
import { LiveShareOffers } from './liveShare.ts';
import {
  readNewJobEvents,
  readNewTaskEvents,
  readSafeFrontier,
  type EventLog,
  type JobEventRecord,
  type TaskEventRecord,
  type WithSafety,
} from '../sql/events.ts';
import { createEventLoaders, type EventLoaders } from './loaders.ts';

/**
 * The per-instance event hub.
 *
 * One LISTEN per server instance; every committed change sends one NOTIFY (notifyEvents). On each
 * wake-up the hub reads the new rows of both logs once, in cursor order, and hands them to the local
 * subscribers whose filter they match. Thousands of subscribers therefore cost one read per wake-up,
 * not one each.
 *
 * It only ever passes "safe" rows (transaction id below the snapshot's xmin, see src/sql/events.ts),
 * so its position is final: nothing can later commit before it. Rows that are visible but not yet
 * safe (an older transaction is still open) make it read again shortly after, with a backoff from
 * 5 ms to 1 s — the NOTIFY of that older transaction usually comes first, and when it writes no
 * events (or runs in another database of the cluster) the retry picks them up without tight polling.
 * A slow poll (every second) also covers a NOTIFY lost while the LISTEN connection was reconnecting.
 */

/** Event topics and their payloads, declared once. */
export interface EventTopics {
  task: LiveTaskEvent;
  job: LiveJobEvent;
}
export type Topic = keyof EventTopics;

/** An event as subscribers receive it: the row, its cursor and loaders shared by its read batch. */
export type LiveTaskEvent = TaskEventRecord & Delivery;
export type LiveJobEvent = JobEventRecord & Delivery;
export interface Delivery {
  cursor: EventCursor;
  /** Shared by all subscribers of one read batch: 1,000 subscribers asking for `task` cost one query. */
  loaders: EventLoaders;
}

export interface FeedOptions<T> {
  /**
   * Index keys (`task:<id>`, `job:<id>`, `thread:<name>`) under which the hub files this feed; null
   * for "every event". Only events carrying one of these keys are offered to `matches`.
   */
  routeKeys: readonly string[] | null;
  matches(event: T): boolean;
  /**
   * How many subscriptions this feed serves, when not one: a shared group's feed serves its members
   * (src/transport/liveGroups.ts). Only listenerCount uses it.
   */
  listeners?: () => number;
}

export interface HubOptions {
  /** Rows per read. */
  pageSize?: number;
  /** The slow safety poll. */
  pollIntervalMs?: number;
  /** A subscriber that falls this many events behind is ended (it can resume with its last cursor). */
  maxQueuedPerFeed?: number;
}

const DEFAULTS: Required<HubOptions> = { pageSize: 1000, pollIntervalMs: 1000, maxQueuedPerFeed: 100_000 };
const FIRST_RETRY_MS = 5;
/**
 * While a log has no feed, its position is moved to the newest safe row at most this often, not on
 * every wake-up: a busy instance wakes on every commit, and each move costs a query.
 */
const IDLE_FRONTIER_MS = 200;

/**
 * One subscriber's live queue. The hub fills it synchronously while publishing; the subscription
 * drains it. `start` is the hub's position when the feed was registered: every event after it reaches
 * the feed, every event up to it must come from the log (replay).
 */
export class Feed<T> {
  readonly start: EventCursor;
  private queue: T[] = [];
  private waiter: (() => void) | null = null;
  private ended = false;
  /** Set when the feed was ended because it fell too far behind. */
  overflowed = false;

  constructor(
    start: EventCursor,
    readonly options: FeedOptions<T>,
    private readonly maxQueued: number,
    private readonly detach: (feed: Feed<T>) => void,
  ) {
    this.start = start;
  }

  get closed(): boolean {
    return this.ended;
  }

  /** Events offered and not yet taken. */
  get queued(): number {
    return this.queue.length;
  }

  /** Called by the hub; false when the feed overflowed and was detached. */
  offer(event: T): boolean {
    if (this.ended) return false;
    if (this.queue.length >= this.maxQueued) {
      this.overflowed = true;
      this.close();
      return false;
    }
    this.queue.push(event);
    return true;
  }

  /** Wakes the consumer after a batch was offered. */
  signal(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }

  /** The queued events (waiting for some when there are none); an empty array once closed. */
  async take(): Promise<T[]> {
    while (this.queue.length === 0 && !this.ended) {
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
    if (this.ended) return [];
    const batch = this.queue;
    this.queue = [];
    return batch;
  }

  /** Detaches from the hub and drops what is queued. Idempotent. */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.queue = [];
    this.detach(this);
    this.signal();
  }
}

interface TopicSpec<T extends TaskEventRecord | JobEventRecord> {
  log: EventLog;
  readNew(ex: Executor, after: EventCursor, limit: number): Promise<WithSafety<T>[]>;
  /** The index keys an event reaches (see FeedOptions.routeKeys). */
  routeKeys(event: T): string[];
}

const TASK_TOPIC: TopicSpec<TaskEventRecord> = {
  log: 'task',
  readNew: readNewTaskEvents,
  routeKeys: (e) => {
    const keys = [`task:${e.taskId}`];
    if (e.jobId) keys.push(`job:${e.jobId}`);
    if (e.thread != null) keys.push(`thread:${e.thread}`);
    return keys;
  },
};

const JOB_TOPIC: TopicSpec<JobEventRecord> = {
  log: 'job',
  readNew: readNewJobEvents,
  routeKeys: (e) => [`job:${e.jobId}`],
};

/** The subscribers and read position of one log. */
class Channel<R extends TaskEventRecord | JobEventRecord> {
  position: EventCursor = { txid: 0n, id: 0n };
  /** When the position last moved to the frontier while nobody listened (epoch ms). */
  private idleFrontierAt = 0;
  private readonly everything = new Set<Feed<R & Delivery>>();
  private readonly byKey = new Map<string, Set<Feed<R & Delivery>>>();
  private count = 0;
  /** The feeds that serve more (or fewer) than one subscription: shared groups'. */
  private readonly shared = new Set<Feed<R & Delivery>>();

  constructor(
    private readonly spec: TopicSpec<R>,
    private readonly db: Executor,
    private readonly options: Required<HubOptions>,
  ) {}

  get size(): number {
    return this.count;
  }

  /** Subscriptions served: feeds, with a shared group's feed counted as its members. */
  get listeners(): number {
    let n = this.count - this.shared.size;
    for (const feed of this.shared) n += feed.options.listeners!();
    return n;
  }

  register(options: FeedOptions<R & Delivery>): Feed<R & Delivery> {
    const feed: Feed<R & Delivery> = new Feed(this.position, options, this.options.maxQueuedPerFeed, (f) => this.unregister(f));
    this.count++;
    if (options.listeners) this.shared.add(feed);
    if (options.routeKeys === null) this.everything.add(feed);
    else {
      for (const key of new Set(options.routeKeys)) {
        let set = this.byKey.get(key);
        if (!set) this.byKey.set(key, (set = new Set()));
        set.add(feed);
      }
    }
    return feed;
  }

  private unregister(feed: Feed<R & Delivery>): void {
    this.count--;
    this.shared.delete(feed);
    if (feed.options.routeKeys === null) this.everything.delete(feed);
    else {
      for (const key of new Set(feed.options.routeKeys)) {
        const set = this.byKey.get(key);
        set?.delete(feed);
        if (set?.size === 0) this.byKey.delete(key);
      }
    }
  }

  closeAll(): void {
    for (const feed of [...this.everything]) feed.close();
    for (const set of [...this.byKey.values()]) for (const feed of [...set]) feed.close();
  }

  async start(): Promise<void> {
    this.position = await readSafeFrontier(this.db, this.spec.log);
  }

  /**
   * Reads and publishes everything safe after the position. Returns true when visible rows remain
   * that are not safe yet (the hub then reads again soon).
   */
  async catchUp(): Promise<boolean> {
    if (this.count === 0) {
      // Nobody listens: just move to the newest safe row, so a feed registered later starts near
      // "now". At most every IDLE_FRONTIER_MS: a position a little behind is safe, because every
      // stream skips what came at or before its own start (streams.ts, liveGroups.ts); it only
      // costs the first read after a feed registers a few more rows.
      const now = Date.now();
      if (now - this.idleFrontierAt < IDLE_FRONTIER_MS) return false;
      this.idleFrontierAt = now;
      // If someone registered while the query ran, fall through and read normally instead: the
      // rows between the old position and the frontier may be theirs.
      const frontier = await readSafeFrontier(this.db, this.spec.log);
      if (this.count === 0) {
        if (compareCursors(frontier, this.position) > 0) this.position = frontier;
        return false;
      }
    }
    for (;;) {
      const rows = await this.spec.readNew(this.db, this.position, this.options.pageSize);
      let safe = 0;
      while (safe < rows.length && rows[safe]!.safe) safe++;
      this.publish(rows, safe);
      if (safe < rows.length) return true;
      if (rows.length < this.options.pageSize) return false;
    }
  }

  /**
   * Offers the first `count` rows to the matching feeds and moves the position past them, all in
   * one synchronous step: a feed registered before it gets every one of them, a feed registered after
   * it starts after them.
   */
  private publish(rows: WithSafety<R>[], count: number): void {
    if (count === 0) return;
    const loaders = createEventLoaders(this.db);
    const touched = new Set<Feed<R & Delivery>>();
    const offer = (feed: Feed<R & Delivery>, event: R & Delivery) => {
      if (feed.options.matches(event) && feed.offer(event)) touched.add(feed);
    };
    for (let i = 0; i < count; i++) {
      const { safe: _safe, ...row } = rows[i]!;
      const event = { ...(row as unknown as R), cursor: cursorOf(row), loaders } as R & Delivery;
      for (const feed of this.everything) offer(feed, event);
      if (this.byKey.size > 0) {
        for (const key of this.spec.routeKeys(event)) {
          const set = this.byKey.get(key);
          if (set) for (const feed of set) offer(feed, event);
        }
      }
      this.position = event.cursor;
    }
    for (const feed of touched) feed.signal();
  }
}

export class EventHub {
  private readonly channels: { task: Channel<TaskEventRecord>; job: Channel<JobEventRecord> };
  private readonly options: Required<HubOptions>;
  private reading: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private retryMs = FIRST_RETRY_MS;
  private stopped = false;
  private unlisten: (() => Promise<void>) | null = null;
  /** Wake-ups and reads, for tests and logs. */
  readonly stats = { wakeUps: 0, reads: 0, failures: 0, reconnects: 0 };
  /**
   * Where a transport that shares live phases (graphql-ws) offers the share of an operation it starts;
   * that operation's stream takes it when it opens (src/events/liveShare.ts).
   */
  readonly liveShares = new LiveShareOffers();

  private constructor(
    private readonly database: Database,
    private readonly log: Logger,
    options: HubOptions,
  ) {
    this.options = { ...DEFAULTS, ...options };
    this.channels = {
      task: new Channel(TASK_TOPIC, database.db, this.options),
      job: new Channel(JOB_TOPIC, database.db, this.options),
    };
  }

  static async start(database: Database, log: Logger, options: HubOptions = {}): Promise<EventHub> {
    const hub = new EventHub(database, log, options);
    // LISTEN first, then take the position: a change committed in between is after the position
    // and its NOTIFY is heard (or the next poll finds it), so nothing falls between the two.
    hub.unlisten = await database.listen(
      EVENTS_CHANNEL,
      () => hub.wake(),
      () => {
        hub.stats.reconnects++;
        log.info('event listener reconnected; catching up');
        hub.wake();
      },
    );
    await Promise.all([hub.channels.task.start(), hub.channels.job.start()]);
    hub.schedule(hub.options.pollIntervalMs);
    return hub;
  }

  /** Registers a live feed now; it receives every matching event after `feed.start`. */
  subscribe<K extends Topic>(topic: K, options: FeedOptions<EventTopics[K]>): Feed<EventTopics[K]> {
    if (this.stopped) throw new Error('The event hub is closed');
    const channel = this.channels[topic] as unknown as Channel<TaskEventRecord | JobEventRecord>;
    return channel.register(options as unknown as FeedOptions<(TaskEventRecord | JobEventRecord) & Delivery>) as unknown as Feed<
      EventTopics[K]
    >;
  }

  /** How many subscriptions listen (all topics, or one); a shared group's feed counts as its members. */
  listenerCount(topic?: Topic): number {
    return topic ? this.channels[topic].listeners : this.channels.task.listeners + this.channels.job.listeners;
  }

  /** How many feeds are registered (all topics, or one). */
  feedCount(topic?: Topic): number {
    return topic ? this.channels[topic].size : this.channels.task.size + this.channels.job.size;
  }

  /** The position of a topic: every safe event up to it has been published. */
  position(topic: Topic): EventCursor {
    return this.channels[topic].position;
  }

  /** Reads new events now (after a NOTIFY); coalesces wake-ups that arrive while a read runs. */
  wake(): void {
    if (this.stopped) return;
    this.stats.wakeUps++;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.readLoop().finally(() => {
      this.reading = null;
    });
  }

  /** Resolves once a read that starts now has finished (tests use it instead of sleeping). */
  async settle(): Promise<void> {
    if (this.reading) await this.reading;
    this.wake();
    if (this.reading) await this.reading;
  }

  private async readLoop(): Promise<void> {
    let pending = false;
    let failed = false;
    do {
      this.again = false;
      try {
        this.stats.reads++;
        const [task, job] = await Promise.all([this.channels.task.catchUp(), this.channels.job.catchUp()]);
        pending = task || job;
        failed = false;
      } catch (error) {
        this.stats.failures++;
        failed = true;
        if (!this.stopped) this.log.warn({ err: error }, 'reading new events failed; retrying');
      }
    } while (this.again && !this.stopped && !failed);
    if (this.stopped) return;
    if (pending || failed) {
      this.schedule(this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, this.options.pollIntervalMs);
    } else {
      this.retryMs = FIRST_RETRY_MS;
      this.schedule(this.options.pollIntervalMs);
    }
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.wake();
    }, delayMs);
    this.timer.unref();
  }

  /** Stops listening and ends every feed (their subscriptions complete). */
  async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.channels.task.closeAll();
    this.channels.job.closeAll();
    try {
      await this.unlisten?.();
    } catch (error) {
      this.log.debug({ err: error }, 'unlisten failed');
    }
    await this.reading;
  }
}
