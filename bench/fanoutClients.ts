import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/**
 * The fan-out suite's subscribers, in a process of their own so the bench process (which commits and
 * timestamps) is not slowed by them. Args: ws URL, subscriber count, kind. IPC (structured clone):
 * sends `{connected}` once every subscription is started; on `report` sends the Arrivals since the
 * last report, with wall-clock times (performance.timeOrigin + now, comparable across processes on one
 * machine). Arrivals are kept in two growing typed arrays, not an array per message: a million of them
 * per measured time made garbage that the processes collected during the next one.
 *
 * Two kinds of subscriber, both speaking graphql-ws (the graphql-transport-ws protocol) over `ws`:
 *
 * - `library`: graphql-ws's own client, which decodes and validates every message as an application
 *   would.
 * - `protocol`: the protocol's handshake, subscribe and ping/pong done here; each `next` message is
 *   checked byte for byte against the envelope its subscription must get (its id, type `next`, data
 *   for `taskEvents`) and its message number read, but the rest is not decoded. Any other message is
 *   decoded in full, and one that is not what the subscription expects counts as an error.
 *
 * Decoding is the subscriber's own work, which a real subscriber does on its own machine; here it runs
 * on the cores the server runs on. At 1,000 subscribers and 200 changes/s the library clients' decoding
 * took a third of this two-core machine (0.53 core per subscriber process against 0.36), and what the
 * suite then measured was mostly how long the server waited for CPU behind its own subscribers. The
 * target is measured with `protocol` subscribers; the library's figures are printed next to it.
 */
export type SubscriberKind = 'library' | 'protocol';

/** What a report carries: arrival i is of message `messages[i]`, at `times[i]`. */
export interface Arrivals {
  messages: Float64Array;
  times: Float64Array;
  errors: number;
}

const [url, countArg, kindArg] = process.argv.slice(2);
const count = Number(countArg);
const kind = kindArg as SubscriberKind;
if (kind !== 'library' && kind !== 'protocol') throw new Error(`unknown subscriber kind ${kindArg}`);
// `progress` first: it carries the message number (m / 1e6), and the protocol subscriber reads it
// right after the envelope.
const query = 'subscription Fanout { taskEvents(filter: { thread: "fanout" }) { progress cursor kind taskId } }';
let messages = new Float64Array(1 << 16);
let times = new Float64Array(1 << 16);
let arrivals = 0;
let errors = 0;
let connectFailures = 0;
const subscribers: { dispose(): void | Promise<void> }[] = [];

function arrived(message: number, at: number): void {
  if (arrivals === messages.length) {
    const grownMessages = new Float64Array(messages.length * 2);
    const grownTimes = new Float64Array(times.length * 2);
    grownMessages.set(messages);
    grownTimes.set(times);
    messages = grownMessages;
    times = grownTimes;
  }
  messages[arrivals] = message;
  times[arrivals] = at;
  arrivals++;
}

/** One subscriber; a connection the server refused or reset is retried twice, then counted. */
async function connect(attempt = 0): Promise<void> {
  try {
    await (kind === 'library' ? connectLibrary() : connectProtocol());
  } catch {
    if (attempt < 2) return connect(attempt + 1);
    connectFailures++;
  }
}

async function connectLibrary(): Promise<void> {
  // Failed connections are retried and counted, not printed (onNonLazyError defaults to console.error).
  const client: Client = createClient({ url: url!, webSocketImpl: WebSocket, lazy: false, retryAttempts: 0, onNonLazyError: () => {} });
  subscribers.push(client);
  await new Promise<void>((resolve, reject) => {
    const off = client.on('connected', () => {
      off();
      resolve();
    });
    client.on('error', reject);
  });
  client.subscribe<{ taskEvents: { progress: number } }>(
    { query },
    {
      next: (result) => {
        const now = performance.timeOrigin + performance.now();
        if (result.errors || !result.data) return void errors++;
        arrived(Math.round(result.data.taskEvents.progress * 1e6), now);
      },
      error: () => void errors++,
      complete: () => {},
    },
  );
}

const SUBSCRIPTION_ID = '1';
/** Every `next` message of the subscription starts with these bytes, then the message's progress. */
const NEXT_PREFIX = Buffer.from(`{"id":"${SUBSCRIPTION_ID}","type":"next","payload":{"data":{"taskEvents":{"progress":`);
const COMMA = 0x2c;

function connectProtocol(): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url!, 'graphql-transport-ws');
    subscribers.push({ dispose: () => socket.close(1000) });
    let acknowledged = false;
    socket.once('error', reject);
    socket.once('close', () => {
      if (!acknowledged) reject(new Error('closed before connection_ack'));
    });
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: {} })));
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      const now = performance.timeOrigin + performance.now();
      if (!isBinary && data.length > NEXT_PREFIX.length && data.compare(NEXT_PREFIX, 0, NEXT_PREFIX.length, 0, NEXT_PREFIX.length) === 0) {
        const end = data.indexOf(COMMA, NEXT_PREFIX.length);
        const progress = Number(data.toString('latin1', NEXT_PREFIX.length, end));
        if (end < 0 || !Number.isFinite(progress)) return void errors++;
        return arrived(Math.round(progress * 1e6), now);
      }
      const message = JSON.parse(String(data)) as { type?: string };
      switch (message.type) {
        case 'connection_ack':
          acknowledged = true;
          socket.send(JSON.stringify({ id: SUBSCRIPTION_ID, type: 'subscribe', payload: { query } }));
          return resolve();
        case 'ping':
          return socket.send(JSON.stringify({ type: 'pong' }));
        case 'pong':
          return;
        default:
          // `next` with errors or another shape, `error`, `complete`: none is what this subscription expects.
          errors++;
      }
    });
  });
}

// Connect in waves of 100 so the server's accept queue is not the thing measured.
for (let i = 0; i < count; i += 100) await Promise.all(Array.from({ length: Math.min(100, count - i) }, () => connect()));
process.send!({ type: 'connected', connectFailures });
process.on('message', async (message: { type: string }) => {
  if (message.type === 'report') {
    const report: Arrivals = { messages: messages.slice(0, arrivals), times: times.slice(0, arrivals), errors };
    process.send!(report);
    arrivals = 0;
    errors = 0;
  }
  if (message.type === 'close') {
    await Promise.all(subscribers.map((s) => s.dispose()));
    process.exit(0);
  }
});
