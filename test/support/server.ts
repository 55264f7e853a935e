import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type ExecutionResult } from 'graphql';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { trackOpen } from './leaks.ts';
import { createTestDatabase, type TestDatabase } from './testDatabase.ts';

export interface GqlOptions {
  token?: string;
  headers?: Record<string, string>;
}

export interface TestServer {
  app: App;
  db: TestDatabase;
  /** http://127.0.0.1:PORT/graphql */
  url: string;
  /** ws://127.0.0.1:PORT/graphql */
  wsUrl: string;
  /** Every SQL statement the server ran since the last `resetQueries()`. */
  queries: string[];
  /**
   * `queries` without the statements the server runs on its own whatever the request, whenever they
   * fall in the window: sweeper steps, the event hub's log reads, token bookkeeping (the open-mode
   * re-read, last-use touches, the revocation re-check). What a request itself cost.
   */
  requestQueries(): string[];
  resetQueries(): void;
  /** POSTs an operation; returns the whole GraphQL response (data and errors). */
  request<TData, TVars>(
    document: TypedDocumentNode<TData, TVars> | string,
    variables?: TVars,
    options?: GqlOptions,
  ): Promise<ExecutionResult<TData> & { status: number }>;
  /** Like `request`, but throws when the response carries errors, and returns `data`. */
  gql<TData, TVars>(document: TypedDocumentNode<TData, TVars> | string, variables?: TVars, options?: GqlOptions): Promise<TData>;
  stop(): Promise<void>;
}

export interface TestServerOptions {
  config?: Partial<Config>;
  /** Share a database with another server instance (two instances on one Postgres). */
  db?: TestDatabase;
}

const BACKGROUND_STATEMENT =
  /\/\* (lockDueConclusions|failTimedOut|expireLeases|lockAbandonedCancels|pruneEvents|lockExpiredJobs|lockExpiredJobTasks|lockExpiredTasks|readNewEvents|readSafeFrontier|readLiveStart|activeTokenIds|touchApiToken|anyTokenExists) \*\//;

/** Starts the real server (the same app factory as `npm start`) on a free port with a fresh database. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const queries: string[] = [];
  const db = options.db ?? (await createTestDatabase({ onQuery: (q) => queries.push(q) }));
  const config: Config = {
    ...loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }),
    ...options.config,
  };
  const app = await buildApp({ config, database: db.database, logger: createLogger(config.logLevel) });
  const { port } = await app.start();
  const url = `http://127.0.0.1:${port}/graphql`;
  const release = trackOpen('server', url);

  const request: TestServer['request'] = async (document, variables, opts = {}) => {
    const query = typeof document === 'string' ? document : print(document);
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...opts.headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as ExecutionResult<any>;
    return { ...body, status: response.status };
  };

  return {
    app,
    db,
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    queries,
    requestQueries: () => queries.filter((q) => !BACKGROUND_STATEMENT.test(q) && !q.startsWith('select "txid"')),
    resetQueries: () => void queries.splice(0),
    request,
    async gql(document, variables, opts) {
      const result = await request(document, variables, opts);
      if (result.errors?.length) {
        throw new Error(`GraphQL errors: ${JSON.stringify(result.errors, null, 2)}`);
      }
      return result.data as any;
    },
    async stop() {
      await app.stop();
      if (!options.db) await db.drop();
      release();
    },
  };
}
