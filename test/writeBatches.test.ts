import type { Socket } from 'node:net';
import * as ws from 'ws';
import type { WebSocket } from 'ws';
import type { ExecutionResult } from 'graphql';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { LiveGroups, PayloadList, type Recipient, type SharedPayload } from '../src/transport/liveGroups.ts';
import { textFrames } from '../src/transport/frames.ts';
import { SocketRecipient, WriteBatches } from '../src/transport/frameWrites.ts';
import { createLogger, type Logger } from '../src/log.ts';
import { waitFor } from './support/waitFor.ts';

/**
 * How shared delivery writes a member's results (src/transport/frames.ts, src/transport/frameWrites.ts): the frames, when a socket's
 * held frames go out (SocketRecipient, WriteBatches), and the reused buffer they are cut from.
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

describe('the frames shared delivery writes itself', () => {
  it('are text frames ws reads back whole and in order, for short, 16-bit and 64-bit lengths, several in one buffer', async () => {
    const list = new PayloadList();
    const payloads = [10, 200, 70_000, 3].map((size) => list.append({ data: { text: 'é'.repeat(size) } }));
    for (const batch of [...payloads.map((p) => [p]), payloads]) {
      const frames = textFrames(Buffer.from('{"id":"x","type":"next","payload":'), batch[0]!, batch.at(-1)!);
      const receiver = new Receiver({ isServer: false });
      const messages: { data: Buffer; isBinary: boolean }[] = [];
      const all = new Promise<void>((resolve, reject) => {
        receiver.on('message', (data: Buffer, isBinary: boolean) => {
          messages.push({ data, isBinary });
          if (messages.length === batch.length) resolve();
        });
        receiver.on('error', reject);
      });
      receiver.write(frames);
      await all;
      expect(messages.map((m) => m.isBinary)).toEqual(batch.map(() => false));
      expect(messages.map((m) => JSON.parse(m.data.toString()))).toEqual(
        batch.map((p) => ({ id: 'x', type: 'next', payload: JSON.parse(p.text) })),
      );
    }
  });
});

/** Results of one group, in order: what a recipient is sent. */
const results = new PayloadList();
const payload = (n: number): SharedPayload => results.append({ data: { n } });

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('the writes of shared delivery', () => {
  it('write every socket of a batch once, and nothing to a socket that started closing meanwhile', async () => {
    const batches = new WriteBatches(100);
    const a = fakeSocket();
    const b = fakeSocket();
    const toA = new SocketRecipient(a.socket, 'a', 1 << 20, batches);
    const toB = new SocketRecipient(b.socket, 'b', 1 << 20, batches);
    for (const n of [1, 2, 3]) {
      const result = payload(n);
      toA.send(result);
      toB.send(result);
    }
    (b.socket as unknown as { readyState: number }).readyState = 2; // CLOSING
    await nextTurn();
    expect(a.writes).toHaveLength(1);
    expect(await numbersIn(a.writes[0]!.bytes)).toEqual([1, 2, 3]);
    expect(b.writes).toHaveLength(0);
  });

  it('count what is held back against the limit of unsent bytes', () => {
    const { socket } = fakeSocket();
    const recipient = new SocketRecipient(socket, 'op', 100, new WriteBatches(100));
    const size = payload(1e50).bytes.length;
    let sent = 0;
    while (sent < 100 && recipient.send(payload(1e50))) sent++;
    expect(sent).toBeGreaterThan(0);
    expect(sent * size).toBeLessThanOrEqual(100 + size);
  });

  it('of a member that leaves are written before its leaving is reported', async () => {
    const calls: string[] = [];
    const recipient: Recipient = { send: () => (calls.push('send'), true), flush: () => void calls.push('flush') };
    // A group subscription yielding one result, for the event at cursor (1, 1).
    const groups = new LiveGroups(createLogger('silent'));
    let yieldOne!: () => void;
    const seat = groups.seat(
      'key',
      {
        subscribe: async (source) => {
          source.started();
          return (async function* (): AsyncGenerator<ExecutionResult> {
            await new Promise<void>((resolve) => (yieldOne = resolve));
            source.yielding({ cursor: { txid: 1n, id: 1n } });
            yield { data: { n: 1 } };
            await new Promise(() => {});
          })();
        },
        execute: () => ({}),
      },
      recipient,
    );
    expect(await seat.group.ready).toBe(true);
    const exited = seat.join({ txid: 0n, id: 0n })!.then(() => void calls.push('exit'));
    yieldOne();
    await waitFor(() => calls.includes('send'), (seen) => seen, 1_000, 'the delivery');
    seat.leave();
    await exited;
    expect(calls).toEqual(['send', 'flush', 'exit']);
  });
});

describe('the moments a busy socket writes at', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('are the end of the turn for a quiet socket; what comes after waits for its slot and goes out together, once', async () => {
    const batches = new WriteBatches(100); // 10 slots; the first socket's is at 0 ms of every 100
    // Just past that moment, so that the next one is some 98 ms away.
    await vi.advanceTimersByTimeAsync(Math.ceil(101 - (performance.now() % 100)));
    const { socket, writes } = fakeSocket();
    const recipient = new SocketRecipient(socket, 'op', 1 << 20, batches);
    recipient.send(payload(1));
    expect(writes).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(writes).toHaveLength(1);
    recipient.send(payload(2));
    await vi.advanceTimersByTimeAsync(10);
    recipient.send(payload(3));
    await vi.advanceTimersByTimeAsync(10);
    expect(writes).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(80);
    expect(writes).toHaveLength(2);
    expect(await numbersIn(writes[0]!.bytes)).toEqual([1]);
    expect(await numbersIn(writes[1]!.bytes)).toEqual([2, 3]);
  });

  it('are spread over the interval: each socket once per interval, at its own slot, not all at once', async () => {
    const interval = 50; // 5 slots, at 0, 10, 20, 30 and 40 ms of every 50
    // Start on a slot's moment: the three sends below (over 6 ms) all come before the next one.
    await vi.advanceTimersByTimeAsync(Math.ceil(interval - (performance.now() % interval)) % interval);
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

  /** One socket's recipient, written to once (so it counts as busy for the next 50 ms). */
  async function writtenOnce(): Promise<{ recipient: SocketRecipient; writes: Write[] }> {
    const { socket, writes } = fakeSocket();
    const recipient = new SocketRecipient(socket, 'op', 1 << 20, new WriteBatches(50));
    recipient.send(payload(1));
    await vi.advanceTimersByTimeAsync(0);
    return { recipient, writes };
  }

  it('are the end of the turn again once a socket has not written for the interval', async () => {
    const { recipient, writes } = await writtenOnce();
    await vi.advanceTimersByTimeAsync(50);
    const before = performance.now();
    recipient.send(payload(2));
    await vi.advanceTimersByTimeAsync(0);
    expect(writes).toHaveLength(2);
    expect(writes[1]!.at).toBe(before);
  });

  it('write nothing twice when a member leaving wrote its frames before its slot came', async () => {
    const { recipient, writes } = await writtenOnce();
    recipient.send(payload(2));
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

  it('is not used for a socket that already has bytes waiting, which gets a buffer of its exact size', () => {
    const batches = new WriteBatches(50);
    const holding = fakeTcp(true);
    const first = big(1);
    batches.write(holding, prefix, first, first);
    const second = big(2);
    batches.write(holding, prefix, second, second);
    const [shared, own] = holding.writes.map((w) => w.chunk);
    expect(own!.buffer).not.toBe(shared!.buffer);
    expect(own!.buffer.byteLength).toBe(own!.length);
    // The shared buffer is not written over either: the first slice is still what it was.
    const other = fakeTcp();
    for (let n = 0; n < 200; n++) {
      const result = big(n);
      batches.write(other, prefix, result, result);
    }
    expect(shared!.equals(holding.writes[0]!.bytes)).toBe(true);
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

describe('a failed write', () => {
  it('is reported, and the other subscribers waiting with it are still written', async () => {
    const warnings: unknown[] = [];
    const log = { warn: (fields: unknown) => void warnings.push(fields) } as unknown as Logger;
    const batches = new WriteBatches(50, log);
    const broken = fakeSocket();
    (broken.socket as unknown as { _socket: { write(): never } })._socket.write = () => {
      throw new Error('broken socket');
    };
    const fine = fakeSocket();
    const result = payload(1);
    for (const { socket } of [broken, fine]) new SocketRecipient(socket, 'op', 1 << 20, batches).send(result);
    await nextTurn();
    expect(fine.writes).toHaveLength(1);
    expect(warnings).toHaveLength(1);
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
