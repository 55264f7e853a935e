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

/**
 * Each loader is made on first use: most operations touch one or two, and a graphql-ws subscription
 * whose live phase is shared (src/transport/liveGroups.ts) never executes with its own context at all,
 * so 1,000 subscribers do not carry 6,000 idle loaders.
 */
class RequestLoaders implements Loaders {
  readonly #db: Executor;
  #task?: Loaders['task'];
  #job?: Loaders['job'];
  #thread?: Loaders['thread'];
  #jobCounts?: Loaders['jobCounts'];
  #threadCounts?: Loaders['threadCounts'];
  #threadHead?: Loaders['threadHead'];

  constructor(db: Executor) {
    this.#db = db;
  }

  get task(): Loaders['task'] {
    return (this.#task ??= idLoader((ids) => loadTasksByIds(this.#db, ids)));
  }

  get job(): Loaders['job'] {
    return (this.#job ??= idLoader((ids) => loadJobsByIds(this.#db, ids)));
  }

  get thread(): Loaders['thread'] {
    return (this.#thread ??= new DataLoader(async (names) => byKey(names, await loadThreadsByName(this.#db, names), (t) => t.name)));
  }

  get jobCounts(): Loaders['jobCounts'] {
    return (this.#jobCounts ??= new DataLoader(async (ids) => {
      const counts = await taskCountsByJob(this.#db, ids);
      return ids.map((id) => counts.get(id) ?? noCounts());
    }));
  }

  get threadCounts(): Loaders['threadCounts'] {
    return (this.#threadCounts ??= new DataLoader(async (names) => {
      const counts = await taskCountsByThread(this.#db, names);
      return names.map((name) => counts.get(name) ?? noCounts());
    }));
  }

  get threadHead(): Loaders['threadHead'] {
    return (this.#threadHead ??= new DataLoader(async (names) => {
      const heads = await threadHeads(this.#db, names);
      return names.map((name) => heads.get(name) ?? null);
    }));
  }

  /** Empties the caches of the loaders made so far (making none). */
  clearAll(): void {
    for (const loader of [this.#task, this.#job, this.#thread, this.#jobCounts, this.#threadCounts, this.#threadHead]) loader?.clearAll();
  }
}

export function createLoaders(db: Executor): Loaders {
  return new RequestLoaders(db);
}

/** Empties every cache of a request's loaders (a long-lived subscription does this per event). */
export function clearLoaders(loaders: Loaders): void {
  if (loaders instanceof RequestLoaders) loaders.clearAll();
  else for (const loader of Object.values(loaders) as { clearAll(): unknown }[]) loader.clearAll();
}
