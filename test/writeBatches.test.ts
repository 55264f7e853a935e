import type { Socket } from 'node:net';
import * as ws from 'ws';
import type { WebSocket } from 'ws';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { PayloadList } from '../src/events/liveGroups.ts';
import { SocketRecipient, WriteBatches } from '../src/events/websocket.ts';

/**
 * When and how shared delivery writes a socket's held frames (src/events/websocket.ts, WriteBatches):
 * the moments of a busy socket, and the reused buffer the frames are cut from.
 */

/** ws' frame parser (exported at runtime, not in its type declarations). */
const Receiver = (ws as unknown as { Receiver: new (options: { isServer: boolean }) => import('node:stream').Writable }).Receiver;

interface Write {
  at: number;
  /** A copy of the bytes at the moment they were written. */
  bytes: Buffer;
  /** The buffer as the socket got it (a socket that holds on to it would write it later). */
  chunk: Buffer;
}

/** A TCP socket that records what is written to it; `holds`: it keeps its bytes to write later. */
function fakeTcp(holds = false): Socket & { writes: Write[] } {
  const writes: Write[] = [];
  return {
    writes,
    writable: true,
    writableLength: 0,
    write(chunk: Buffer) {
      writes.push({ at: performance.now(), bytes: Buffer.from(chunk), chunk });
      if (holds) (this as { writableLength: number }).writableLength += chunk.length;
      return !holds;
    },
  } as unknown as Socket & { writes: Write[] };
}

function fakeSocket(): { socket: WebSocket; writes: Write[] } {
  const raw = fakeTcp();
  const socket = { readyState: 1, OPEN: 1, bufferedAmount: 0, _socket: raw } as unknown as WebSocket;
  return { socket, writes: raw.writes };
}

/** The `payload.data.n` of every graphql-ws message in `chunk`, read back with ws' parser. */
async function numbersIn(chunk: Buffer): Promise<number[]> {
  const receiver = new Receiver({ isServer: false });
  const numbers: number[] = [];
  receiver.on('message', (data: Buffer) => numbers.push((JSON.parse(data.toString()) as { payload: { data: { n: number } } }).payload.data.n));
  await new Promise<void>((resolve, reject) => receiver.write(chunk, (error) => (error ? reject(error) : resolve())));
  return numbers;
}

describe('the moments a busy socket writes at', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('are spread over the interval: each socket once per interval, at its own slot, not all at once', async () => {
    const interval = 50; // 5 slots, 10 ms apart
    const batches = new WriteBatches(interval);
    const sockets = Array.from({ length: 10 }, () => fakeSocket());
    const recipients = sockets.map(({ socket }, i) => new SocketRecipient(socket, `op${i}`, 1 << 20, batches));
    const results = new PayloadList();

    // Quiet sockets: written at the end of the turn, all together.
    const first = results.append({ data: { n: 1 } });
    for (const recipient of recipients) recipient.send(first);
    await vi.advanceTimersByTimeAsync(0);
    expect(sockets.map((s) => s.writes.length)).toEqual(sockets.map(() => 1));

    // Busy now: three events over 6 ms, well within the interval of the last write.
    const sentAt = performance.now();
    for (const n of [2, 3, 4]) {
      const result = results.append({ data: { n } });
      for (const recipient of recipients) recipient.send(result);
      await vi.advanceTimersByTimeAsync(2);
    }
    expect(sockets.map((s) => s.writes.length)).toEqual(sockets.map(() => 1));
    await vi.advanceTimersByTimeAsync(interval);

    // Every socket wrote the three events once, in one buffer, within the interval.
    for (const { writes } of sockets) {
      expect(writes).toHaveLength(2);
      expect(await numbersIn(writes[1]!.bytes)).toEqual([2, 3, 4]);
      expect(writes[1]!.at - sentAt).toBeLessThanOrEqual(interval);
    }
    // Round-robin slots: sockets 0 and 5 share one, and the five slots are five moments 10 ms apart.
    const moments = sockets.map((s) => s.writes[1]!.at);
    for (let i = 0; i < 5; i++) expect(moments[i + 5]).toBe(moments[i]);
    const distinct = [...new Set(moments)].sort((a, b) => a - b);
    expect(distinct).toHaveLength(5);
    for (let i = 1; i < distinct.length; i++) expect(distinct[i]! - distinct[i - 1]!).toBe(10);
  });

  it('are the end of the turn again once a socket has not written for the interval', async () => {
    const batches = new WriteBatches(50);
    const { socket, writes } = fakeSocket();
    const recipient = new SocketRecipient(socket, 'op', 1 << 20, batches);
    const results = new PayloadList();
    recipient.send(results.append({ data: { n: 1 } }));
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(50);
    const before = performance.now();
    recipient.send(results.append({ data: { n: 2 } }));
    await vi.advanceTimersByTimeAsync(0);
    expect(writes).toHaveLength(2);
    expect(writes[1]!.at).toBe(before);
  });

  it('write nothing twice when a member leaving wrote its frames before its slot came', async () => {
    const batches = new WriteBatches(50);
    const { socket, writes } = fakeSocket();
    const recipient = new SocketRecipient(socket, 'op', 1 << 20, batches);
    const results = new PayloadList();
    recipient.send(results.append({ data: { n: 1 } }));
    await vi.advanceTimersByTimeAsync(0);
    recipient.send(results.append({ data: { n: 2 } }));
    recipient.flush(); // what a leaving member does (Seat.end)
    expect(writes).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(100);
    expect(writes).toHaveLength(2);
    expect(await numbersIn(writes[1]!.bytes)).toEqual([2]);
  });
});

describe('the buffer shared delivery cuts its frames from', () => {
  const prefix = Buffer.from('{"id":"op","type":"next","payload":');
  /** A result of about 1 KB: a 64 KB buffer holds some sixty of them. */
  const results = new PayloadList();
  const big = (n: number) => results.append({ data: { n, pad: 'x'.repeat(1000) } });

  it('is reused while every socket takes its bytes at once', () => {
    const batches = new WriteBatches(50);
    const socket = fakeTcp();
    for (let n = 0; n < 200; n++) {
      const result = big(n);
      batches.write(socket, prefix, result, result);
    }
    expect(new Set(socket.writes.map((w) => w.chunk.buffer)).size).toBe(1);
  });

  it('is not written over where a socket still holds a slice of it', async () => {
    const batches = new WriteBatches(50);
    const holding = fakeTcp(true);
    const kept = big(-1);
    batches.write(holding, prefix, kept, kept);
    const other = fakeTcp();
    for (let n = 0; n < 200; n++) {
      const result = big(n);
      batches.write(other, prefix, result, result);
    }
    // What the holding socket will write later is still what it was given.
    const chunk = holding.writes[0]!.chunk;
    expect(chunk.equals(holding.writes[0]!.bytes)).toBe(true);
    expect(await numbersIn(chunk)).toEqual([-1]);
    // And every other write went out whole and in order.
    const numbers = (await Promise.all(other.writes.map((w) => numbersIn(w.bytes)))).flat();
    expect(numbers).toEqual(Array.from({ length: 200 }, (_, n) => n));
  });

  it('is not used for a write larger than a quarter of it', () => {
    const batches = new WriteBatches(50);
    const socket = fakeTcp();
    const small = big(1);
    batches.write(socket, prefix, small, small);
    const huge = results.append({ data: { n: 2, pad: 'y'.repeat(20_000) } });
    batches.write(socket, prefix, huge, huge);
    expect(socket.writes[1]!.chunk.buffer).not.toBe(socket.writes[0]!.chunk.buffer);
  });
});

describe('the results of a group', () => {
  it('are linked in order, each with the bytes of the results before it', () => {
    const list = new PayloadList();
    const a = list.append({ data: { n: 1 } });
    const b = list.append({ data: { n: 22 } });
    const c = list.append({ errors: [] as never, data: null });
    expect(a.next).toBe(b);
    expect(b.next).toBe(c);
    expect(c.next).toBeNull();
    expect([a.offset, b.offset, c.offset]).toEqual([0, a.bytes.length, a.bytes.length + b.bytes.length]);
    expect(b.text).toBe('{"data":{"n":22}}');
  });
});

describe('TASKLANE_SUBSCRIBER_WRITE_INTERVAL_MS', () => {
  it('is 50 ms unless set, and must be a whole number of milliseconds from 1 to 1000', () => {
    expect(loadConfig({}).subscriberWriteIntervalMs).toBe(50);
    expect(loadConfig({ TASKLANE_SUBSCRIBER_WRITE_INTERVAL_MS: '20' }).subscriberWriteIntervalMs).toBe(20);
    for (const bad of ['0', '1001', '2.5', 'soon']) {
      expect(() => loadConfig({ TASKLANE_SUBSCRIBER_WRITE_INTERVAL_MS: bad })).toThrow(/TASKLANE_SUBSCRIBER_WRITE_INTERVAL_MS/);
    }
  });
});
