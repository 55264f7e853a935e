import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { Logger } from '../log.ts';
import { framesLength, writeFrames } from './frames.ts';
import type { Recipient, SharedPayload } from './liveGroups.ts';

/** The TCP socket under a ws WebSocket (null once ws let go of it, or when there is none). */
function tcpSocket(socket: WebSocket): Socket | null {
  return (socket as unknown as { _socket?: Socket | null })._socket ?? null;
}

/**
 * A member's results go straight to its socket as graphql-ws `next` messages: the group serialized and
 * encoded the payload once; per subscriber only the envelope with this operation's id is added.
 *
 * The WebSocket frames are written to the TCP socket here rather than through `ws.send`, which would
 * encode the whole message again for every subscriber. That is safe because this server never
 * compresses (`perMessageDeflate: false`) nor fragments, so ws writes each of its own frames whole and
 * at once: frames cannot interleave. Without access to the TCP socket it falls back to `ws.send`.
 *
 * Frames are held back briefly while the subscription is busy (see WriteBatches) and written
 * together: one buffer, one write for every event held.
 */
export class SocketRecipient implements Recipient {
  /** The envelope up to the payload, as UTF-8. */
  private readonly prefix: Buffer;
  /** The first and last payload sent and not yet written (a span of their group's list), or null. */
  private first: SharedPayload | null = null;
  private last: SharedPayload | null = null;
  /** When this recipient last wrote (performance.now()), and its moment within the write interval. */
  private lastWrite = -Infinity;
  private readonly slot: number;

  constructor(
    private readonly socket: WebSocket,
    id: string,
    private readonly maxBuffered: number,
    private readonly batches: WriteBatches,
  ) {
    this.slot = batches.slot();
    const prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
    // A buffer of its own: a small Buffer.from() is a slice of an 8 KB pool slab, and these live as
    // long as their subscription, so each would keep a slab of mostly garbage alive.
    this.prefix = Buffer.allocUnsafeSlow(Buffer.byteLength(prefix));
    this.prefix.write(prefix);
  }

  send(payload: SharedPayload): boolean {
    // A closing socket ends its operations itself (graphql-ws returns them).
    if (this.socket.readyState !== this.socket.OPEN) return true;
    const held = this.first ? this.last!.offset + this.last!.bytes.length - this.first.offset : 0;
    if (this.socket.bufferedAmount + held > this.maxBuffered) return false;
    if (!tcpSocket(this.socket)) {
      this.socket.send(`${this.prefix.toString()}${payload.text}}`);
      return true;
    }
    if (!this.first) {
      this.first = payload;
      this.batches.add(this, this.slot, this.lastWrite);
    }
    this.last = payload;
    return true;
  }

  /** Writes what `send` held back, as one buffer. */
  flush(): void {
    const first = this.first;
    const last = this.last;
    if (!first || !last) return;
    this.first = this.last = null;
    // A socket that started closing meanwhile must not get data frames after its close frame.
    if (this.socket.readyState !== this.socket.OPEN) return;
    const raw = tcpSocket(this.socket);
    // Destroyed but not yet reported closed to ws: graphql-ws is about to end the operation.
    if (!raw?.writable) return;
    this.batches.write(raw, this.prefix, first, last);
    this.lastWrite = this.batches.now();
  }
}

/**
 * How long shared delivery may hold a subscription's frames back after it last wrote, so that it
 * gets the events of a busy moment in one write. On loopback the write system call (which also runs
 * the receiver's TCP stack) is most of the cost of a delivery: at 200 changes/s to 1,000 subscribers
 * one write per event and subscriber is 200,000 system calls a second, more than the two cores of a
 * small machine make; one write per subscriber every 50 ms is 20,000 at any rate. It adds at most this
 * much latency, and only under load: a subscription that has not written for this long writes at the
 * end of the event loop's turn. (TASKLANE_SUBSCRIBER_WRITE_INTERVAL_MS.) On the fan-out bench (1,000
 * subscribers at 200 changes/s for 5 s, two cores shared with the subscriber processes), 50 ms used
 * 2.5-2.7 µs of server CPU per delivery against 3.0-3.1 at 25 ms, and had the lower p99 in each of
 * four paired runs (93-129 ms against 122-448 ms, before the slots below).
 */
export const WRITE_INTERVAL_MS = 50;

/** How far apart the moments are at which held frames are written (the interval is cut into slots). */
const SLOT_MS = 10;

/** The frames of most writes are cut from a buffer of this size, reused while no socket holds on to it. */
const ARENA_BYTES = 64 * 1024;

/** Recipients waiting to write at one moment; the list is reused (two of them, swapped at each flush). */
class WaitingList {
  private list: (SocketRecipient | null)[] = [];
  private count = 0;
  private spare: (SocketRecipient | null)[] = [];
  scheduled = false;

  push(recipient: SocketRecipient): void {
    this.list[this.count++] = recipient;
  }

  /**
   * Writes every waiting recipient; those that send meanwhile wait in the other list, for next time.
   * One that fails is reported and the others are still written: a recipient left out would hold its
   * span forever (it asks to be listed again only when it holds nothing).
   */
  flush(log: Logger | undefined): void {
    this.scheduled = false;
    const recipients = this.list;
    const count = this.count;
    this.list = this.spare;
    this.count = 0;
    for (let i = 0; i < count; i++) {
      const recipient = recipients[i]!;
      recipients[i] = null;
      try {
        recipient.flush();
      } catch (error) {
        log?.warn({ err: error }, "writing a subscriber's held events failed");
      }
    }
    this.spare = recipients;
  }
}

/**
 * When held frames are written (per subscription: each SocketRecipient). One that has not written for
 * the interval writes at the end of the event loop's turn, so a quiet server adds no delay. A busy one
 * writes at its own moment of the interval: the interval is cut into slots 10 ms apart, and each
 * recipient has one (given round-robin), so under load each writes once per interval and the writes
 * of 1,000 subscribers come as a slot's share every 10 ms, not as one burst of 1,000 every interval.
 * A burst keeps the event loop (and, on one machine, the subscribers) busy for its whole length, and
 * the sockets at its end wait for all the others. (A recipient that wrote at the end of a turn, off
 * its slot, may write again at its slot's moment sooner than the interval after: at most twice per
 * interval. A socket with several shared subscriptions gets a write for each.)
 *
 * A busy moment allocates next to nothing per subscriber: the members hold spans of their groups'
 * lists (SocketRecipient), the waiting lists are reused, and the frames are cut from a buffer that is
 * reused as long as every write hands its bytes to the kernel at once. Garbage that outlives a few
 * milliseconds is what makes V8 collect the old generation over and over under load. A socket that
 * has bytes waiting (its reader is slow) gets buffers of its own, sized to each write: a slice of the
 * shared buffer that Node keeps would keep the whole buffer, so a slow reader holds at most one.
 */
export class WriteBatches {
  private readonly soon = new WaitingList();
  private readonly slots: WaitingList[];
  private nextSlot = 0;
  /** The start of the flush running now (what its writes record as their time), or null. */
  private flushStart: number | null = null;
  private arena = Buffer.allocUnsafeSlow(ARENA_BYTES);
  private used = 0;
  /** A socket kept a slice of the arena to write later: it must not be written over. */
  private held = false;

  constructor(
    private readonly intervalMs = WRITE_INTERVAL_MS,
    private readonly log?: Logger,
  ) {
    this.slots = Array.from({ length: Math.max(1, Math.round(intervalMs / SLOT_MS)) }, () => new WaitingList());
  }

  /** The slot of a new recipient. */
  slot(): number {
    const slot = this.nextSlot;
    this.nextSlot = (slot + 1) % this.slots.length;
    return slot;
  }

  /** The time a write made now records. */
  now(): number {
    return this.flushStart ?? performance.now();
  }

  /** `recipient` holds frames now; it last wrote at `lastWrite`. */
  add(recipient: SocketRecipient, slot: number, lastWrite: number): void {
    const now = performance.now();
    if (now - lastWrite >= this.intervalMs) {
      this.soon.push(recipient);
      if (this.soon.scheduled) return;
      this.soon.scheduled = true;
      setImmediate(() => this.flush(this.soon));
      return;
    }
    const waiting = this.slots[slot]!;
    waiting.push(recipient);
    if (waiting.scheduled) return;
    waiting.scheduled = true;
    // The slot's next moment: its phase within the interval, after now.
    const phase = (slot * this.intervalMs) / this.slots.length;
    let at = Math.floor(now / this.intervalMs) * this.intervalMs + phase;
    if (at <= now) at += this.intervalMs;
    setTimeout(() => this.flush(waiting), at - now);
  }

  private flush(waiting: WaitingList): void {
    this.flushStart = performance.now();
    try {
      waiting.flush(this.log);
    } finally {
      this.flushStart = null;
    }
  }

  /** Writes the frames of the payloads from `first` to `last` to `socket`, as one buffer. */
  write(socket: Socket, prefix: Buffer, first: SharedPayload, last: SharedPayload): void {
    const size = framesLength(prefix, first, last);
    // Bytes already waiting: this write waits behind them, and must not keep the shared buffer.
    if (size > ARENA_BYTES / 4 || socket.writableLength > 0) {
      const frames = Buffer.allocUnsafeSlow(size);
      writeFrames(frames, prefix, first, last);
      socket.write(frames);
      return;
    }
    if (this.used + size > ARENA_BYTES) {
      if (this.held) {
        this.arena = Buffer.allocUnsafeSlow(ARENA_BYTES);
        this.held = false;
      }
      this.used = 0;
    }
    const frames = this.arena.subarray(this.used, this.used + size);
    this.used += size;
    writeFrames(frames, prefix, first, last);
    socket.write(frames);
    // Node calls back a write the kernel took whole before write() returns; anything still counted
    // here is (part of) this slice.
    if (socket.writableLength > 0) this.held = true;
  }
}
