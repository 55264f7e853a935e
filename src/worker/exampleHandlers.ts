import { TaskFailure, type TaskHandlers } from './worker.ts';

/**
 * Example handlers for the README's walk-through:
 *   npm run worker -- --url http://127.0.0.1:4000/graphql --handlers src/worker/exampleHandlers.ts
 * A handlers file default-exports task name → async (task, ctx) => result.
 */
const handlers: TaskHandlers = {
  /** "Renders" a frame in ten steps, reporting progress, and stops early when cancelled. */
  render: async (task, ctx) => {
    const frame = Number(task.conf.frame);
    if (!Number.isInteger(frame) || frame < 0) throw new TaskFailure('BAD_FRAME', String(task.conf.frame));
    for (let step = 1; step <= 10; step++) {
      ctx.signal.throwIfAborted(); // CANCEL → the task ends CANCELLED
      await new Promise((resolve) => setTimeout(resolve, 200));
      ctx.progress(step / 10, `frame ${frame}: step ${step}/10`);
    }
    return { frame, file: `frame-${String(frame).padStart(4, '0')}.png` };
  },
};

export default handlers;
