import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createWorker, type TaskHandlers } from './worker.ts';

const USAGE = `Usage: npm run worker -- --url URL --handlers ./handlers.ts [options]

  --url URL             the server's GraphQL endpoint (default $TASKLANE_URL or http://127.0.0.1:4000/graphql)
  --token TOKEN         a WORKER token (default $TASKLANE_TOKEN; none for an open loopback server)
  --handlers FILE       a module whose default export maps task names to async handlers
  --name NAME           worker name (default host-pid-random)
  --concurrency N       tasks at once (default 1)
  --lease-ms MS         lease per claim and heartbeat (default 30000)
  --poll-wait-ms MS     how long one claim waits on the server for work (default 30000)

SIGINT/SIGTERM stop gracefully (running tasks finish); a second signal hands them back at once.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      handlers: { type: 'string' },
      name: { type: 'string' },
      concurrency: { type: 'string' },
      'lease-ms': { type: 'string' },
      'poll-wait-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || !values.handlers) {
    console.log(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const int = (value: string | undefined, what: string): number | undefined => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) {
      console.error(`${what} must be a non-negative integer, got ${value}`);
      process.exit(2);
    }
    return n;
  };
  const module = (await import(pathToFileURL(resolve(values.handlers)).href)) as { default?: TaskHandlers };
  const handlers = module.default;
  if (!handlers || typeof handlers !== 'object' || Object.values(handlers).some((h) => typeof h !== 'function')) {
    console.error(`${values.handlers} must default-export an object of task name → async handler`);
    process.exit(2);
  }
  const worker = createWorker({
    url: values.url ?? process.env.TASKLANE_URL ?? 'http://127.0.0.1:4000/graphql',
    token: values.token ?? process.env.TASKLANE_TOKEN,
    name: values.name,
    handlers,
    concurrency: int(values.concurrency, '--concurrency'),
    leaseMs: int(values['lease-ms'], '--lease-ms'),
    pollWaitMs: int(values['poll-wait-ms'], '--poll-wait-ms'),
  });
  let signals = 0;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      signals++;
      const graceful = signals === 1;
      console.log(JSON.stringify({ level: 'info', msg: graceful ? 'stopping: finishing running tasks' : 'stopping: handing tasks back', worker: worker.name }));
      void worker.stop({ graceful }).then(() => {
        console.log(JSON.stringify({ level: 'info', msg: 'worker stopped', worker: worker.name, ...worker.stats }));
        process.exit(0);
      });
    });
  }
  // Said once the signals are handled: a supervisor that stops the worker as soon as it has started
  // gets a graceful stop, not Node's default death by SIGTERM.
  console.log(JSON.stringify({ level: 'info', msg: 'worker started', worker: worker.name, names: Object.keys(handlers) }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
