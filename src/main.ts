import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';
import { createLogger } from './log.ts';

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
const log = createLogger(config.logLevel);
let app: Awaited<ReturnType<typeof buildApp>>;
try {
  app = await buildApp({ config, logger: log });
  await app.start();
} catch (error) {
  // The reason is already logged where it is known (e.g. a refused HOST); say it once, without a stack.
  log.fatal({ reason: (error as Error).message }, 'Tasklane could not start');
  await new Promise((resolve) => setTimeout(resolve, 100)); // let pino flush
  process.exit(1);
}

let signals = 0;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (++signals > 1) process.exit(1); // a second signal: stop waiting
    log.info({ signal }, 'shutting down');
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
