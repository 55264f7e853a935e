import type { Socket } from 'node:net';
import * as ws from 'ws';
import { describe, expect, it } from 'vitest';
import { PayloadList } from '../src/events/liveGroups.ts';
import { WriteBatches } from '../src/events/websocket.ts';

/** How shared delivery writes a socket's held frames (src/events/websocket.ts, WriteBatches). */

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

/** The `payload.data.n` of every graphql-ws message in `chunk`, read back with ws' parser. */
async function numbersIn(chunk: Buffer): Promise<number[]> {
  const receiver = new Receiver({ isServer: false });
  const numbers: number[] = [];
  receiver.on('message', (data: Buffer) => numbers.push((JSON.parse(data.toString()) as { payload: { data: { n: number } } }).payload.data.n));
  await new Promise<void>((resolve, reject) => receiver.write(chunk, (error) => (error ? reject(error) : resolve())));
  return numbers;
}

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
