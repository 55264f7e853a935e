import { sql } from 'drizzle-orm';
import type { ExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { inTransaction, notifyEvents, queryRows, type Executor } from '../../src/db/database.ts';
import { refreshJobStatuses } from '../../src/sql/jobWrites.ts';
import { uuidArray } from '../../src/sql/params.ts';
import type { TestServer } from './server.ts';
import { trackOpen } from './leaks.ts';
import { waitFor } from './waitFor.ts';

/**
 * Real subscription clients for the tests: graphql-ws over WebSocket, and GraphQL over SSE (yoga's
 * "distinct connections" mode: a POST with `Accept: text/event-stream`).
 */

export type Result<T = Record<string, any>> = ExecutionResult<T>;

/** What a subscription delivered, in order; `next()` waits for the next item. */
export class Stream<T = Record<string, any>> {
  private items: Result<T>[] = [];
  private waiters: (() => void)[] = [];
  done = false;
  /** Transport-level failure (socket closed with an error, HTTP error…). */
  failure: unknown = null;
  /** SSE comment lines (keep-alive pings) seen. */
  pings = 0;

  private readonly release: () => void;

  /** `what` names the subscription in the leak check's report while it is neither ended nor closed. */
  constructor(
    private readonly closer: () => void | Promise<void>,
    what = 'a subscription',
  ) {
    this.release = trackOpen('subscription', what);
  }

  push(item: Result<T>): void {
    this.items.push(item);
    this.flush();
  }

  end(failure?: unknown): void {
    if (failure !== undefined) this.failure = failure;
    this.done = true;
    this.release();
    this.flush();
  }

  flush(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Everything received so far and not yet taken. */
  get buffered(): number {
    return this.items.length;
  }

  async next(timeoutMs = 10_000): Promise<Result<T>> {
    const deadline = Date.now() + timeoutMs;
    while (this.items.length === 0) {
      if (this.done) throw new Error(`stream ended${this.failure ? `: ${String((this.failure as Error).message ?? this.failure)}` : ''}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no result within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.items.shift()!;
  }

  /** The next `n` results' data, throwing on any GraphQL error. */
  async take(n: number, timeoutMs = 15_000): Promise<T[]> {
    const out: T[] = [];
    const deadline = Date.now() + timeoutMs;
    while (out.length < n) {
      const result = await this.next(Math.max(1, deadline - Date.now())).catch((error: Error) => {
        throw new Error(`${error.message} (got ${out.length} of ${n})`);
      });
      if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
      out.push(result.data as T);
    }
    return out;
  }

  /** Waits `ms` and fails if anything arrived meanwhile. */
  async expectQuiet(ms: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    if (this.items.length > 0) throw new Error(`unexpected results: ${JSON.stringify(this.items.slice(0, 3))}`);
  }

  async waitDone(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.done) {
      if (Date.now() > deadline) throw new Error('stream did not end');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    this.release();
    await this.closer();
  }
}

/** A `ws` WebSocket that the leak check sees from its construction until its `close` event. */
export class TrackedWebSocket extends WebSocket {
  constructor(...args: ConstructorParameters<typeof WebSocket>) {
    super(...args);
    this.once('close', trackOpen('WebSocket', String(args[0])));
  }
}

export function wsClient(url: string, connectionParams?: Record<string, unknown>): Client {
  return createClient({ url, webSocketImpl: TrackedWebSocket, retryAttempts: 0, lazy: true, connectionParams });
}

export function wsSubscribe<T = Record<string, any>>(client: Client, query: string, variables?: Record<string, unknown>): Stream<T> {
  let unsubscribe: () => void = () => {};
  const stream = new Stream<T>(() => unsubscribe(), `a graphql-ws subscription: ${firstLine(query)}`);
  unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (value) => stream.push(value as Result<T>),
      // graphql-ws reports operation errors (a list of GraphQL errors) and socket failures here.
      error: (error) => {
        if (Array.isArray(error)) {
          stream.push({ errors: error } as Result<T>);
          stream.end();
        } else stream.end(error);
      },
      complete: () => stream.end(),
    },
  );
  return stream;
}

function firstLine(query: string): string {
  return query.trim().split('\n')[0]!.slice(0, 80);
}

export function sseSubscribe<T = Record<string, any>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Stream<T> {
  const controller = new AbortController();
  const stream = new Stream<T>(() => controller.abort(), `an SSE subscription: ${firstLine(query)}`);
  void (async () => {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
        body: JSON.stringify({ query, variables }),
        signal: controller.signal,
      });
      if (!response.headers.get('content-type')?.includes('text/event-stream')) {
        // A request rejected before streaming (e.g. a validation error) answers plain JSON.
        stream.push((await response.json()) as Result<T>);
        stream.end();
        return;
      }
      const decoder = new TextDecoder();
      let text = '';
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        text += decoder.decode(chunk, { stream: true });
        let at: number;
        while ((at = text.indexOf('\n\n')) >= 0) {
          const message = text.slice(0, at);
          text = text.slice(at + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of message.split('\n')) {
            if (line.startsWith(':')) stream.pings++;
            else if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
          }
          if (event === 'next') stream.push(JSON.parse(data.join('\n')) as Result<T>);
          else if (event === 'complete') {
            stream.end();
            return;
          }
        }
      }
      stream.end();
    } catch (error) {
      stream.end(controller.signal.aborted ? undefined : error);
    }
  })();
  return stream;
}

/**
 * settleEventLog: waits until every committed event is final (below the snapshot's xmin). The
 * polling query only serves final events, and on a shared Postgres cluster any transaction still open
 * elsewhere (another test file's) holds that back for a moment: tests that compare with the log call
 * this first instead of expecting their own writes to be final at once.
 */
export async function settleEventLog(db: Executor, timeoutMs = 15_000): Promise<void> {
  await waitFor(
    async () => {
      const [row] = await queryRows<{ pending: boolean }>(
        db,
        sql`WITH f AS (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin)
            SELECT EXISTS (SELECT 1 FROM task_events, f WHERE txid >= f.xmin)
                OR EXISTS (SELECT 1 FROM job_events, f WHERE txid >= f.xmin) AS pending`,
      );
      return row!.pending;
    },
    (pending) => !pending,
    timeoutMs,
    'the event log to settle',
  );
}

type LogPage = { pageInfo: { hasNextPage: boolean; endCursor: string | null } };

/**
 * taskLogEnd: the cursor of the newest event of the task log (null while it has none), once every
 * committed event is final (settleEventLog): a subscription given it as `after` gets every change made
 * after this call and none from before. Without the settling, a page read while another database's
 * transaction holds the cluster's xmin back can end early, or be empty with a null cursor, which a
 * subscription takes as "live from now".
 */
export async function taskLogEnd(server: Pick<TestServer, 'app' | 'gql'>): Promise<string | null> {
  await settleEventLog(server.app.services.database.db);
  let after: string | null = null;
  for (;;) {
    const { taskEvents: page }: { taskEvents: LogPage } = await server.gql(
      'query TaskLogEnd($after: String) { taskEvents(first: 500, after: $after) { pageInfo { hasNextPage endCursor } } }',
      { after },
    );
    if (!page.pageInfo.hasNextPage) return page.pageInfo.endCursor ?? after;
    after = page.pageInfo.endCursor;
  }
}

/**
 * changeStatuses: moves tasks to `to` the way a command does — one transaction that updates the rows,
 * writes their STATUS_CHANGED events, refreshes their jobs and notifies. (The tests of this feature do
 * not depend on the command mutations.)
 */
export async function changeStatuses(db: Executor, ids: readonly string[], to: string): Promise<void> {
  await inTransaction(db, async (tx) => {
    const changed = await queryRows<{ job_id: string | null }>(
      tx,
      sql`
        WITH old AS (
          SELECT id, status FROM tasks WHERE id = ANY(${uuidArray(ids)}) AND status <> ${to} ORDER BY id FOR UPDATE
        ), updated AS (
          UPDATE tasks t SET status = ${to} FROM old WHERE t.id = old.id
          RETURNING t.id, t.seq, t.job_id, t.thread, old.status AS previous, t.status
        ), events AS (
          INSERT INTO task_events (kind, task_id, job_id, thread, previous_status, status)
          SELECT 'STATUS_CHANGED', id, job_id, thread, previous, status FROM updated ORDER BY seq
        )
        SELECT job_id::text AS job_id FROM updated
      `,
    );
    await refreshJobStatuses(tx, changed.map((r) => r.job_id).filter((id): id is string => id !== null));
    await notifyEvents(tx);
  });
}

/** deleteTasks: deletes tasks and writes their DELETED events, as clean does. */
export async function deleteTasks(db: Executor, ids: readonly string[]): Promise<void> {
  await inTransaction(db, async (tx) => {
    await tx.execute(sql`
      WITH gone AS (DELETE FROM tasks WHERE id = ANY(${uuidArray(ids)}) RETURNING id, seq, job_id, thread, status)
      INSERT INTO task_events (kind, task_id, job_id, thread, previous_status)
      SELECT 'DELETED', id, job_id, thread, status FROM gone ORDER BY seq
    `);
    await notifyEvents(tx);
  });
}
