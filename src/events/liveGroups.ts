import type { ExecutionResult } from 'graphql';
import { isAsyncIterable } from 'graphql-yoga';
import type { EventCursor } from '../domain/cursors.ts';
import type { Logger } from '../log.ts';
import { compareCursors } from '../sql/events.ts';

/**
 * Shared live delivery: subscriptions that run the same operation share one execution per event.
 *
 * Without it every live event costs one GraphQL execution, one result object, one JSON serialization
 * and a chain of async iterators per subscriber: 200 changes/s to 1,000 identical `taskEvents`
 * subscribers are 200,000 executions a second. (Hasura multiplexes the same way: subscribers whose
 * query, variables and session are equal form one cohort that is executed once per change.)
 *
 * A *group* is keyed by what can change a result: the document, operation name, variables and the
 * caller's role (see serveGraphqlWs). It runs one subscription of its own through the same envelop
 * pipeline as any operation (so masking and every other plugin apply) with a context that holds no
 * particular subscriber's token, on one hub feed; each result is serialized once and handed to every
 * member, which writes it to its socket.
 *
 * Each subscriber still starts on its own: parsing, validation and limits, authentication, the
 * `after` replay and the "live from now" start all run per subscriber as before (src/events/streams.ts).
 * Once it has caught up it *joins* its group; from then on it costs one socket write per event. The
 * hand-over is gap- and duplicate-free because both sides see the same events in the same order:
 * the subscriber joins at a moment when its own feed is empty (it has delivered every matching event
 * the hub has published) and everything it sent has been written, and it takes from the group only
 * the events after the last cursor it delivered.
 *
 * Joining also lets go of the subscriber's own pipeline: the transport takes the member's results
 * over from it (Member.track), so its context, its envelop wrappers, its stream and graphql-ws's
 * copy of its arguments become garbage. A member then costs its seat, its recipient and that small
 * iterator. What could still end it travels without the pipeline: the group's exit (too slow:
 * its error result is executed by the group's operation; hub closed: `complete`) and the transport's
 * EndWatch (a revoked token).
 */

/** Why a member's time in its group ended. */
export interface GroupExit {
  /** `closed`: the member left or the hub closed; `too-slow`: its socket or the group fell behind. */
  reason: 'closed' | 'too-slow';
  /** The last cursor this member delivered (for SUBSCRIBER_TOO_SLOW's `lastCursor`). */
  last: EventCursor;
}

/** A member's place in its group (see LiveMember.group). */
export interface GroupSeat {
  /**
   * Joins now (synchronously): from this moment the group sends this subscriber every event after
   * `after`. Resolves when it leaves. Null when the group has ended meanwhile (stay on your own path).
   */
  join(after: EventCursor): Promise<GroupExit> | null;
  /** Leaves the group (or gives up the seat before joining). Idempotent. */
  leave(): void;
}

/** On the context of a subscription whose live phase can be shared (set by the transport). */
export interface LiveMember {
  readonly kind: 'member';
  /** The group of this operation once it runs; null when it cannot (the member stays on its own path). */
  group(): Promise<GroupSeat | null>;
  /** The stream passed one more event down its own pipeline. */
  pushed(): void;
  /** Resolves once every event pushed so far has been written to the client. */
  drained(): Promise<void>;
  readonly isDrained: boolean;
  /**
   * Caught up and drained: joins `seat` (from group()) after `last` and hands this subscription's
   * results over to the transport, which from now on delivers the group's results and this
   * subscription's end. The stream then stops without yielding anything more. `tooSlowEvent(last)`:
   * the event whose execution is the subscription's last result if it falls behind the group (`last`:
   * the last cursor it was sent); it must not be a closure over the stream, which would keep it alive.
   * False when it cannot (the group ended meanwhile, or the transport does not take results over): the
   * stream stays on its own path and gives the seat up.
   */
  handOver(seat: GroupSeat, last: EventCursor, tooSlowEvent: (last: EventCursor) => unknown): boolean;
}

/** On the context of a group's own subscription: what its stream tells the group. */
export interface LiveGroupSource {
  readonly kind: 'group';
  /** The stream has registered its hub feed: every event from now on reaches the group. */
  started(): void;
  /** The stream passes this event on next; the group's next result is its execution. */
  yielding(event: { cursor: EventCursor }): void;
  /** The stream ends: the hub closed, or the group's feed fell too far behind. */
  ending(reason: GroupExit['reason']): void;
  /** How many subscribers the group serves now (EventHub.listenerCount counts them). */
  members(): number;
}

export type LiveShare = LiveMember | LiveGroupSource;

/**
 * One result, serialized once for every member: as JSON text and as its UTF-8 bytes.
 *
 * A group's results form a list, each linked to the next: a member that holds several results back
 * (to write them at once) keeps only its first and last, whatever their number, and a busy moment
 * costs no allocation per member. `offset` counts the bytes of the group's results before this one,
 * so the bytes a member holds are one subtraction.
 */
export interface SharedPayload {
  readonly text: string;
  readonly bytes: Buffer;
  readonly offset: number;
  /** The group's next result, once there is one. */
  next: SharedPayload | null;
}

/** A group's results, serialized and linked in the order they come (see SharedPayload). */
export class PayloadList {
  private tail: SharedPayload | null = null;

  /** Serializes `result` as graphql-ws does (errors through their `toJSON`) and links it after the last. */
  append(result: ExecutionResult): SharedPayload {
    let text: string;
    if (!result.errors) text = JSON.stringify(result);
    else {
      const { errors, ...rest } = result;
      text = JSON.stringify({ ...rest, errors: errors.map((e) => e.toJSON()) });
    }
    const tail = this.tail;
    const payload: SharedPayload = { text, bytes: Buffer.from(text), offset: tail ? tail.offset + tail.bytes.length : 0, next: null };
    if (tail) tail.next = payload;
    this.tail = payload;
    return payload;
  }
}

/** Where a member's results go. */
export interface Recipient {
  /**
   * Sends one serialized result (the `payload` of a graphql-ws `next`); false when it cannot keep up.
   * It may hold results back to write several at once. Each result sent is the one after the
   * previous one in its list (a member gets every result of its group from its first on), so what is
   * held back is the span of the list from the first result held to the last.
   */
  send(payload: SharedPayload): boolean;
  /** Writes what `send` held back now: the member is leaving, and what is sent after must come later. */
  flush(): void;
}

/** A group's operation, as the transport runs it. */
export interface GroupOperation {
  /** Starts the group's own subscription; its context carries `source`. */
  subscribe(source: LiveGroupSource): Promise<AsyncIterable<ExecutionResult> | ExecutionResult>;
  /**
   * Executes the operation once with `event` as its root, as the subscription executes each event:
   * one member's last result (its too-slow error).
   */
  execute(event: unknown): Promise<ExecutionResult> | ExecutionResult;
}

/**
 * Registers `end`, to be called with a member's last result if something ends its subscription early
 * (its token was revoked); returns the unregister function. The transport keeps only this once the
 * member's pipeline (and the plugins wrapping it) is gone, so it must not hold on to the context.
 */
export type EndWatch = (end: (last: ExecutionResult) => void) => () => void;

class Seat implements GroupSeat {
  /** Events up to here were delivered by the member itself; null once past them. */
  private after: EventCursor | null = null;
  last: EventCursor = { txid: 0n, id: 0n };
  private joined = false;
  private left = false;
  private exit: ((exit: GroupExit) => void) | null = null;

  constructor(
    readonly group: Group,
    private readonly recipient: Recipient,
  ) {}

  join(after: EventCursor): Promise<GroupExit> | null {
    if (this.left || this.joined || this.group.finished) return null;
    this.after = after;
    this.last = after;
    this.joined = true;
    const exited = new Promise<GroupExit>((resolve) => (this.exit = resolve));
    this.group.members.add(this);
    return exited;
  }

  deliver(cursor: EventCursor, payload: SharedPayload): void {
    if (this.after !== null) {
      if (compareCursors(cursor, this.after) <= 0) return;
      this.after = null;
    }
    // A refused event was not delivered: `last` (SUBSCRIBER_TOO_SLOW's lastCursor) stays before it,
    // so a client resuming from there gets it.
    if (!this.recipient.send(payload)) this.end('too-slow');
    else this.last = cursor;
  }

  /** Ends this member's time in the group with `reason`. */
  end(reason: GroupExit['reason']): void {
    if (this.left) return;
    this.left = true;
    this.group.release(this);
    // Before the exit is reported: the subscription's own final messages (an error, `complete`) follow.
    this.recipient.flush();
    this.exit?.({ reason, last: this.last });
    this.exit = null;
  }

  leave(): void {
    this.end('closed');
  }
}

class Group {
  readonly members = new Set<Seat>();
  /** Seats handed out and not yet given back (joined or not). */
  private seats = 0;
  /** Cursors of the events the group's stream yielded whose results have not come out yet. */
  private readonly inflight: EventCursor[] = [];
  private iterator: AsyncIterator<ExecutionResult> | null = null;
  private reason: GroupExit['reason'] = 'closed';
  finished = false;
  readonly ready: Promise<boolean>;
  private markReady!: (ready: boolean) => void;

  constructor(
    readonly operation: GroupOperation,
    private readonly onFinished: (group: Group) => void,
    private readonly log: Logger,
  ) {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
  }

  seat(recipient: Recipient): Seat {
    this.seats++;
    return new Seat(this, recipient);
  }

  release(seat: Seat): void {
    this.members.delete(seat);
    this.seats--;
    // The last one out stops the group's subscription (and so frees its hub feed).
    if (this.seats === 0) this.stop();
  }

  private stop(): void {
    if (this.finished) return;
    this.finish();
    void this.iterator?.return?.();
  }

  /** Runs the group's subscription and hands each result to the members. */
  async run(): Promise<void> {
    const source: LiveGroupSource = {
      kind: 'group',
      started: () => this.markReady(true),
      yielding: (event) => void this.inflight.push(event.cursor),
      ending: (reason) => void (this.reason = reason),
      members: () => this.members.size,
    };
    try {
      const result = await this.operation.subscribe(source);
      if (!isAsyncIterable<ExecutionResult>(result)) {
        // Refused (it should not be: each member passed the same checks). Members stay on their own path.
        this.log.warn({ errors: (result as ExecutionResult).errors }, 'a shared subscription did not start');
        return;
      }
      this.iterator = result[Symbol.asyncIterator]();
      if (this.finished) return void this.iterator.return?.();
      const payloads = new PayloadList();
      for (;;) {
        const next = await this.iterator.next();
        if (next.done || this.finished) break;
        const cursor = this.inflight.shift()!;
        const payload = payloads.append(next.value);
        for (const member of this.members) member.deliver(cursor, payload);
      }
    } catch (error) {
      this.log.warn({ err: error }, 'a shared subscription failed');
    } finally {
      this.markReady(false);
      this.finish();
    }
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.onFinished(this);
    for (const member of [...this.members]) member.end(this.reason);
  }
}

/** The groups of one transport (one per server instance), by key. */
export class LiveGroups {
  private readonly groups = new Map<string, Group>();

  constructor(private readonly log: Logger) {}

  /** How many groups run (for tests and diagnostics). */
  get size(): number {
    return this.groups.size;
  }

  /** How many subscriptions have joined a group (for tests and diagnostics). */
  get members(): number {
    let n = 0;
    for (const group of this.groups.values()) n += group.members.size;
    return n;
  }

  /**
   * The member handle of one subscription. `key` says which subscriptions produce identical results;
   * `operation` runs the group (the first member's becomes the group's); `endWatch`, what can end
   * this member early.
   */
  member(key: string, operation: GroupOperation, recipient: Recipient, endWatch: EndWatch | null = null): Member {
    return new Member(this, key, operation, recipient, endWatch);
  }

  /** A seat in the group of `key`, starting the group when there is none. */
  seat(key: string, operation: GroupOperation, recipient: Recipient): Seat {
    let group = this.groups.get(key);
    if (!group) {
      const created = new Group(
        operation,
        (g) => {
          if (this.groups.get(key) === g) this.groups.delete(key);
        },
        this.log,
      );
      this.groups.set(key, created);
      void created.run();
      group = created;
    }
    return group.seat(recipient);
  }
}

/** One subscription's handle (LiveMember), created by the transport. */
export class Member implements LiveMember {
  readonly kind = 'member';
  private pushedCount = 0;
  private writtenCount = 0;
  private waiters: (() => void)[] = [];
  /** The results the transport consumes, once it called track(). */
  private results: MemberResults | null = null;

  constructor(
    private readonly groups: LiveGroups,
    private readonly key: string,
    private readonly operation: GroupOperation,
    private readonly recipient: Recipient,
    private readonly endWatch: EndWatch | null,
  ) {}

  async group(): Promise<GroupSeat | null> {
    const seat = this.groups.seat(this.key, this.operation, this.recipient);
    if (await seat.group.ready) return seat;
    seat.leave();
    return null;
  }

  pushed(): void {
    this.pushedCount++;
  }

  /** The transport wrote `count` results (MAX_SAFE_INTEGER: it will write nothing more). */
  written(count: number): void {
    this.writtenCount = count;
    if (this.isDrained) for (const waiter of this.waiters.splice(0)) waiter();
  }

  get isDrained(): boolean {
    return this.writtenCount >= this.pushedCount;
  }

  drained(): Promise<void> {
    if (this.isDrained) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  handOver(seat: GroupSeat, last: EventCursor, tooSlowEvent: (last: EventCursor) => unknown): boolean {
    const results = this.results;
    if (!(seat instanceof Seat) || !results?.open) return false;
    const exited = seat.join(last);
    if (!exited) return false;
    results.handOver(seat, exited, tooSlowEvent, this.endWatch);
    this.results = null;
    return true;
  }

  /**
   * Wraps the subscription's result stream as the transport consumes it: graphql-ws asks for the next
   * result only after it wrote the previous one, so at each `next` every result so far is written.
   * `release` is called at the hand-over: the transport drops what it kept of the operation.
   */
  track(
    results: AsyncIterable<ExecutionResult>,
    release: () => void,
  ): AsyncIterableIterator<ExecutionResult> & { return(value?: unknown): Promise<IteratorResult<ExecutionResult>> } {
    this.results = new MemberResults(this, results[Symbol.asyncIterator](), release);
    return this.results;
  }
}

/** A member's group phase: its seat, and how its time there ends. */
interface Shared {
  seat: Seat;
  exited: Promise<GroupExit>;
  tooSlowEvent: (last: EventCursor) => unknown;
  /** The result an EndWatch ended this member with. */
  ending: ExecutionResult | null;
  unwatch: () => void;
}

/**
 * The results of one member, as the transport consumes them: its own pipeline's until the hand-over,
 * then its last result (if any) when it leaves the group. After the hand-over this holds neither the
 * pipeline nor the Member: only the seat.
 */
class MemberResults implements AsyncIterableIterator<ExecutionResult> {
  /** Results handed to the transport so far (counted while on the own pipeline). */
  private returned = 0;
  /** Wakes a `next` waiting on the own pipeline at the hand-over. */
  private wake: (() => void) | null = null;
  private shared: Shared | null = null;
  private done = false;

  constructor(
    private member: Member | null,
    private inner: AsyncIterator<ExecutionResult> | null,
    private release: (() => void) | null,
  ) {}

  /** Still on its own pipeline and not ended: a hand-over can take place. */
  get open(): boolean {
    return this.inner !== null && !this.done;
  }

  handOver(seat: Seat, exited: Promise<GroupExit>, tooSlowEvent: (last: EventCursor) => unknown, endWatch: EndWatch | null): void {
    const shared: Shared = { seat, exited, tooSlowEvent, ending: null, unwatch: () => {} };
    this.shared = shared;
    // Registered before the pipeline (and the watch of its own plugin) lets go: nothing is missed.
    if (endWatch)
      shared.unwatch = endWatch((last) => {
        shared.ending ??= last;
        seat.leave();
      });
    // The stream stops by itself; its pipeline unwinds to a `done` nobody reads.
    this.inner = null;
    this.member = null;
    this.release?.();
    this.release = null;
    this.wake?.();
  }

  async next(): Promise<IteratorResult<ExecutionResult>> {
    return (this.inner && (await this.nextOwn())) ?? this.nextShared();
  }

  /** The own pipeline's next result; null when handed over meanwhile (then nothing was pushed). */
  private async nextOwn(): Promise<IteratorResult<ExecutionResult> | null> {
    const inner = this.inner!;
    this.settle();
    const next = await new Promise<IteratorResult<ExecutionResult> | null>((resolve, reject) => {
      this.wake = () => resolve(null);
      inner.next().then(resolve, reject);
    });
    this.wake = null;
    if (next && !next.done) this.returned++;
    return next;
  }

  private async nextShared(): Promise<IteratorResult<ExecutionResult>> {
    const shared = this.shared;
    if (!shared || this.done) return { done: true, value: undefined };
    const exit = await shared.exited;
    this.shared = null;
    shared.unwatch();
    if (this.done) return { done: true, value: undefined };
    if (shared.ending) return { done: false, value: shared.ending };
    if (exit.reason === 'closed') return { done: true, value: undefined };
    return { done: false, value: await shared.seat.group.operation.execute(shared.tooSlowEvent(exit.last)) };
  }

  private settle(): void {
    this.member?.written(this.returned);
  }

  async return(value?: unknown): Promise<IteratorResult<ExecutionResult>> {
    this.done = true;
    const inner = this.inner;
    if (inner) {
      // Nothing more will be written: wake a stream waiting to hand over, it is about to stop.
      this.returned = Number.MAX_SAFE_INTEGER;
      this.settle();
      return (await inner.return?.(value)) ?? { done: true, value: undefined };
    }
    this.shared?.seat.leave();
    return { done: true, value: undefined };
  }

  async throw(error?: unknown): Promise<IteratorResult<ExecutionResult>> {
    if (this.inner?.throw) return this.inner.throw(error);
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
