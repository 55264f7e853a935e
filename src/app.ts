import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { Config } from './config.ts';
import type { Context, Services, Viewer } from './context.ts';
import { openDatabase, type Database } from './db/database.ts';
import { EventHub } from './events/hub.ts';
import { pruneEventsStep } from './events/retention.ts';
import { operationCredentials, serveGraphqlWs } from './events/websocket.ts';
import { GRAPHIQL_EXAMPLE } from './graphiql.ts';
import { createLoaders } from './loaders.ts';
import { createLogger, type Logger } from './log.ts';
import { schema } from './schema/index.ts';
import { startSweeper, type SweepStep } from './sweeper.ts';

export interface AppOptions {
  config: Config;
  logger?: Logger;
  /** Use this database instead of opening one from the config (tests share one per file). */
  database?: Database;
}

export interface App {
  /** Listens on the configured host and port (port 0: any free port); resolves once listening. */
  start(): Promise<{ url: string; port: number }>;
  /** Stops accepting, lets in-flight requests finish, closes sockets and (if it opened it) the database. */
  stop(): Promise<void>;
  readonly services: Services;
  readonly yoga: YogaServerInstance<Record<string, unknown>, Context>;
}

/** What the sweeper does on every tick, in this order. */
const SWEEP_STEPS: SweepStep[] = [];

const OPEN_ADMIN: Viewer = { role: 'ADMIN', tokenName: null, tokenId: null };

/**
 * The one app factory: `npm start`, the tests and the benchmarks all build the server here.
 */
export async function buildApp(options: AppOptions): Promise<App> {
  const { config } = options;
  const log = options.logger ?? createLogger(config.logLevel);
  const ownsDatabase = !options.database;
  const database =
    options.database ?? (await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir }));
  const sweeper = startSweeper(database, log, [...SWEEP_STEPS, pruneEventsStep(config.eventRetentionMs)], config.sweepIntervalMs);
  const events = await EventHub.start(database, log);
  const services: Services = { database, log, sweeper, events };

  const yoga = createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    logging: log,
    maskedErrors: true,
    landingPage: false,
    graphiql: { title: 'Tasklane', defaultQuery: GRAPHIQL_EXAMPLE },
    // HTTP and SSE carry a Fetch request, graphql-ws operations their connection_init credentials.
    context: (initial) => createContext(operationCredentials(initial)),
  });

  /**
   * Builds the context of one operation. HTTP, SSE and WebSocket all come through here, so they
   * resolve the caller the same way.
   */
  function createContext(input: { authorization: string | null; requestId?: string | null; signal?: AbortSignal }): Context {
    const requestId = input.requestId ?? randomUUID();
    return {
      db: database.db,
      services,
      loaders: createLoaders(database.db),
      viewer: OPEN_ADMIN,
      requestId,
      log: log.child({ requestId }),
      signal: input.signal,
    };
  }

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (path === '/ready') {
      void ready(database).then((ok) =>
        res
          .writeHead(ok ? 200 : 503, { 'content-type': 'application/json' })
          .end(JSON.stringify({ status: ok ? 'ready' : 'database unreachable' })),
      );
      return;
    }
    void yoga(req, res);
  });
  const graphqlWs = serveGraphqlWs(server, yoga);

  let stopping: Promise<void> | null = null;

  return {
    services,
    yoga,
    async start() {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const { port } = server.address() as AddressInfo;
      const host = config.host.includes(':') ? `[${config.host}]` : config.host;
      const url = `http://${host}:${port}/graphql`;
      log.info({ url, database: database.kind }, 'Tasklane is listening');
      return { url, port };
    },
    stop() {
      stopping ??= (async () => {
        // Stop accepting; idle keep-alive sockets close now, busy ones after their response.
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Subscriptions end: WebSocket clients are told 1001 "Going away", SSE streams complete.
        await graphqlWs.dispose();
        await events.close();
        server.closeIdleConnections();
        // Ended SSE responses leave keep-alive sockets that only become idle a moment later.
        const idle = setInterval(() => server.closeIdleConnections(), 50);
        const forced = setTimeout(() => server.closeAllConnections(), 10_000);
        await closed;
        clearInterval(idle);
        clearTimeout(forced);
        await sweeper.stop();
        if (ownsDatabase) await database.close();
        log.info('Tasklane stopped');
      })();
      return stopping;
    },
  };
}

async function ready(database: Database): Promise<boolean> {
  try {
    await database.db.execute(sql`SELECT 1`);
    return true;
  } catch {
    return false;
  }
}
