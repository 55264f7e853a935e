import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/**
 * The fan-out suite's subscribers, in a process of their own so the bench process (which commits and
 * timestamps) is not slowed by them. Args: ws URL, subscriber count. IPC: sends `{connected}` once every
 * subscription is started; on `report` sends, per message number, the wall-clock arrival times
 * (performance.timeOrigin + now, comparable across processes on one machine) and an error count.
 */
const [url, countArg] = process.argv.slice(2);
const count = Number(countArg);
const query = 'subscription Fanout { taskEvents(filter: { thread: "fanout" }) { cursor kind taskId progress } }';
const received: Record<number, number[]> = {};
let errors = 0;
let connectFailures = 0;
const clients: Client[] = [];

/** One subscriber; a connection the server refused or reset is retried twice, then counted. */
async function connect(attempt = 0): Promise<void> {
  try {
    await connectOnce();
  } catch {
    if (attempt < 2) return connect(attempt + 1);
    connectFailures++;
  }
}

async function connectOnce(): Promise<void> {
  // Failed connections are retried and counted, not printed (onNonLazyError defaults to console.error).
  const client = createClient({ url: url!, webSocketImpl: WebSocket, lazy: false, retryAttempts: 0, onNonLazyError: () => {} });
  clients.push(client);
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
        // The message number travels in `progress` (m / 1e6).
        const message = Math.round(result.data.taskEvents.progress * 1e6);
        (received[message] ??= []).push(now);
      },
      error: () => void errors++,
      complete: () => {},
    },
  );
}

// Connect in waves of 100 so the server's accept queue is not the thing measured.
for (let i = 0; i < count; i += 100) await Promise.all(Array.from({ length: Math.min(100, count - i) }, connect));
process.send!({ type: 'connected', connectFailures });
process.on('message', async (message: { type: string }) => {
  if (message.type === 'report') {
    process.send!({ type: 'report', received, errors });
    for (const m of Object.keys(received)) delete received[Number(m)];
  }
  if (message.type === 'close') {
    await Promise.all(clients.map((c) => c.dispose()));
    process.exit(0);
  }
});
