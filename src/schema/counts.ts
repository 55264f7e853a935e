import type { TaskCounts } from '../domain/jobStatus.ts';
import { builder } from './builder.ts';

export const TaskCountsRef = builder.objectRef<TaskCounts>('TaskCounts').implement({
  fields: (t) => ({
    total: t.exposeInt('total'),
    pending: t.exposeInt('pending'),
    queued: t.exposeInt('queued'),
    running: t.exposeInt('running'),
    suspended: t.exposeInt('suspended'),
    cancelling: t.exposeInt('cancelling'),
    completed: t.exposeInt('completed'),
    failed: t.exposeInt('failed'),
    cancelled: t.exposeInt('cancelled'),
  }),
});
