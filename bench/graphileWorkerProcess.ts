import { run } from 'graphile-worker';

/**
 * One graphile-worker process for the dispatch baseline: a no-op `noop` task at the given concurrency,
 * default options otherwise (no batch jobs, no job keys). Args: connection string, concurrency.
 */
const [connectionString, concurrency] = process.argv.slice(2);
const runner = await run({
  connectionString,
  concurrency: Number(concurrency ?? 8),
  noHandleSignals: false,
  logger: undefined,
  taskList: { noop: async () => {} },
});
process.send?.('ready');
await runner.promise;
