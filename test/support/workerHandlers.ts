import type { TaskHandlers } from '../../src/worker/worker.ts';

/** Handlers for worker processes spawned by the tests (npm run worker -- --handlers this file). */
const handlers: TaskHandlers = {
  /** Runs until the server takes the task away (or forever). */
  hang: (_task, ctx) =>
    new Promise((_resolve, reject) => {
      ctx.progress(0.1, 'hanging');
      ctx.signal.addEventListener('abort', () => reject(new Error(`aborted: ${String(ctx.signal.reason)}`)), { once: true });
    }),
  /** Returns its conf.value doubled. */
  double: async (task) => ({ value: Number(task.conf.value ?? 0) * 2 }),
  /** Does nothing (the dispatch benchmark's task). */
  noop: async () => null,
};

export default handlers;
