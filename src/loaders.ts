import DataLoader from 'dataloader';
import type { Executor } from './db/database.ts';
import type { JobRow, TaskRow, ThreadRow } from './db/tables.ts';
import { parseId } from './domain/ids.ts';
import { loadJobsByIds, loadThreadsByName } from './sql/jobReads.ts';
import {
  loadTasksByIds,
  noCounts,
  taskCountsByJob,
  taskCountsByThread,
  threadHeads,
  type GroupCounts,
} from './sql/taskReads.ts';

/**
 * Per-request batch loaders: every field that reaches for a related row or an aggregate goes through
 * one of these, so a page of 500 tasks with their jobs and threads costs a constant number of queries.
 */
export interface Loaders {
  task: DataLoader<string, TaskRow | null>;
  job: DataLoader<string, JobRow | null>;
  thread: DataLoader<string, ThreadRow | null>;
  jobCounts: DataLoader<string, GroupCounts>;
  threadCounts: DataLoader<string, GroupCounts>;
  threadHead: DataLoader<string, TaskRow | null>;
  /** The job each task of a page came with, when the page query joined them (see resolveTaskConnection). */
  joinedJob: WeakMap<TaskRow, JobRow | null>;
}

function byKey<K, V>(keys: readonly K[], rows: readonly V[], keyOf: (row: V) => K): (V | null)[] {
  const map = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => map.get(key) ?? null);
}

/** Loads by id; malformed ids are simply not found. */
function idLoader<V extends { id: string }>(load: (ids: string[]) => Promise<V[]>): DataLoader<string, V | null> {
  return new DataLoader<string, V | null>(async (keys) => {
    const ids = keys.map(parseId).filter((id): id is string => id !== null);
    const rows = ids.length ? await load([...new Set(ids)]) : [];
    return byKey(
      keys.map((k) => parseId(k) ?? ''),
      rows,
      (row) => row.id,
    );
  });
}

export function createLoaders(db: Executor): Loaders {
  return {
    task: idLoader((ids) => loadTasksByIds(db, ids)),
    job: idLoader((ids) => loadJobsByIds(db, ids)),
    thread: new DataLoader(async (names) => byKey(names, await loadThreadsByName(db, names), (t) => t.name)),
    jobCounts: new DataLoader(async (ids) => {
      const counts = await taskCountsByJob(db, ids);
      return ids.map((id) => counts.get(id) ?? noCounts());
    }),
    threadCounts: new DataLoader(async (names) => {
      const counts = await taskCountsByThread(db, names);
      return names.map((name) => counts.get(name) ?? noCounts());
    }),
    threadHead: new DataLoader(async (names) => {
      const heads = await threadHeads(db, names);
      return names.map((name) => heads.get(name) ?? null);
    }),
    joinedJob: new WeakMap(),
  };
}
