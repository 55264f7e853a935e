import DataLoader from 'dataloader';
import type { Executor } from '../db/database.ts';
import type { JobRow, TaskRow } from '../db/tables.ts';
import { loadJobsByIds } from '../sql/jobReads.ts';
import { loadTasksByIds } from '../sql/taskReads.ts';

/**
 * Loaders shared by every event of one read batch (a hub wake-up or a replay page). Each subscriber
 * runs its own execution per event, with its own context, so per-request loaders cannot batch across
 * subscribers: with these, 1,000 subscribers that select `task` on the same event cost one query.
 * The rows are loaded when the first subscriber asks, i.e. "the task as it is now".
 */
export interface EventLoaders {
  task: DataLoader<string, TaskRow | null>;
  job: DataLoader<string, JobRow | null>;
}

export function createEventLoaders(db: Executor): EventLoaders {
  return {
    task: new DataLoader(async (ids) => {
      const rows = await loadTasksByIds(db, [...new Set(ids)]);
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    job: new DataLoader(async (ids) => {
      const rows = await loadJobsByIds(db, [...new Set(ids)]);
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}
