import type { TaskHandlers } from '../src/worker/worker.ts';

/** The dispatch benchmark's handler: a task that does nothing, so only dispatch is measured. */
const handlers: TaskHandlers = { noop: async () => null };

export default handlers;
