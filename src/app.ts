import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { ClaimWaiter } from './claims/claimWaiter.ts';
import type { Config } from './config.ts';
import { revocationEndWatch, TokenRevocations, useTokenRevocation } from './auth/revocation.ts';
import { anyTokenExists } from './auth/tokens.ts';
import { createViewerResolver, isLoopbackHost, requestSite, type RequestSite } from './auth/viewer.ts';
import type { Context, Services } from './context.ts';
import { openDatabase, type Database } from './db/database.ts';
import { EventHub } from './events/hub.ts';
import { useGraphqlSse } from './transport/graphqlSse.ts';
import type { LiveGroups } from './transport/liveGroups.ts';
import { operationCredentials } from './transport/credentials.ts';
import { serveGraphqlWs } from './transport/graphqlWs.ts';
import { useOperationExecutor } from './executor.ts';
import { graphiqlPage } from './graphiql.ts';
import { createGraphqlListener } from './transport/http.ts';
import { operationLimitPlugins } from './limits/operationLimits.ts';
import { useVariableRefusalStatus } from './limits/refusal.ts';
import { documentAdmission, loadPersistedDocuments } from './limits/persistedDocuments.ts';
import { useStorableTextOnly } from './limits/textInput.ts';
import { createLoaders } from './loaders.ts';
import { createLogger, type Logger } from './log.ts';
import { schema } from './schema/index.ts';
import { useOneOfVariablesRule } from './schema/oneOfVariables.ts';
import { sweepSteps } from './sweeper/steps.ts';
import { startSweeper } from './sweeper/sweeper.ts';

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
  /** The groups sharing the live phase of identical graphql-ws subscriptions (tests, diagnostics). */
  readonly liveGroups: LiveGroups | null;
}

/**
 * The one app factory: `npm start`, the tests and the benchmarks all build the server here.
 */
export async function buildApp(options: AppOptions): Promise<App> {
  const { config } = options;
  const log = options.logger ?? createLogger(config.logLevel);
  // Before anything opens: a bad manifest stops the start with what is wrong with it.
  const admission = documentAdmission(config.persistedDocumentsFile ? loadPersistedDocuments(config.persistedDocumentsFile) : null);
  const ownsDatabase = !options.database;
  const database =
    options.database ?? (await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir }));
  const sweeper = startSweeper(database, log, sweepSteps(config), config.sweepIntervalMs);
  const events = await EventHub.start(database, log);
  const claims = await ClaimWaiter.start(database, log);
  const viewers = createViewerResolver({ db: database.db, log, host: config.host, adminToken: config.adminToken });
  const services: Services = { database, log, sweeper, events, claims, viewers };
  const revocations = await TokenRevocations.start(database, log, {
    onTokenCreated: () => viewers.noteTokenExists(),
    onReconnect: () => viewers.recheckTokens(),
  });

  const yoga = createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    logging: log,
    // Never a stack trace or SQL to clients, whatever NODE_ENV says (yoga adds them in development).
    maskedErrors: { isDev: false },
    landingPage: false,
    graphiql: graphiqlPage.options,
    renderGraphiQL: graphiqlPage.render,
    // The body limit is applied where the body is read, before yoga (src/transport/http.ts).
    maxRequestBodySize: false,
    plugins: [
      // First: their onParams turn a documentId or an APQ hash into the document's text, which every
      // plugin after them (limits, text checks, the executor) then sees like any other document.
      ...admission.plugins,
      ...operationLimitPlugins({ introspection: config.introspection }),
      useStorableTextOnly(),
      useVariableRefusalStatus(),
      useOneOfVariablesRule(),
      useTokenRevocation(revocations),
      // Compiled (graphql-jit) where that gives exactly what graphql-js gives, graphql-js elsewhere.
      useOperationExecutor(log),
      // GraphQL over SSE in both modes of the graphql-sse protocol (distinct connections also at /graphql).
      useGraphqlSse({
        endpoint: '/graphql/stream',
        authenticate: (request) => viewers.resolve(request.headers.get('authorization'), requestSite({ request })),
        resolveParams: admission.resolveParams,
      }),
      graphiqlPage.plugin,
    ],
    // HTTP and SSE carry a Fetch request, graphql-ws operations their connection_init credentials.
    context: (initial) => createContext({ ...operationCredentials(initial), site: requestSite(initial) }),
  });

  /**
   * The context of one operation of the caller with these credentials. HTTP, SSE and WebSocket all
   * come through here, so they resolve the caller the same way.
   */
  async function createContext(input: {
    authorization: string | null;
    requestId?: string | null;
    signal?: AbortSignal;
    site?: RequestSite;
  }): Promise<Context> {
    const requestId = input.requestId ?? randomUUID();
    // Throws UNAUTHENTICATED for a missing (once tokens exist), unknown or revoked token.
    const viewer = await viewers.resolve(input.authorization, input.site);
    return operationContext(viewer, requestId, input.signal);
  }

  /** Every operation's context, a caller's (createContext) or a shared subscription group's, is built here. */
  function operationContext(viewer: Context['viewer'], requestId: string, signal: AbortSignal | undefined, shared = false): Context {
    return {
      db: database.db,
      services,
      loaders: createLoaders(database.db),
      viewer,
      requestId,
      log: log.child(shared ? { requestId, sharedSubscription: true } : { requestId }),
      signal,
    };
  }

  const graphql = createGraphqlListener(yoga, config.maxBodyBytes);
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
    graphql(req, res);
  });
  server.maxConnections = config.maxConnections;
  // A client that trickles its headers or body (slowloris) must not hold one of those connections for
  // long. Long-lived responses (SSE) are not affected: these bound receiving the request only.
  server.headersTimeout = 15_000;
  server.requestTimeout = 60_000;
  // An idle keep-alive connection is for the client to close. A server that closes one just as the
  // client sends its next request on it resets that request (ECONNRESET), which a client does not
  // retry for a POST: Node's 5 s is the edge of fetch's own 4-5 s, and below load balancers' 60 s.
  // 72 s (Fastify's default) is above both. The price: idle connections count against
  // maxConnections for longer, so a client keeping many open needs one request per connection every
  // 72 s instead of every 5 s (either is cheap; maxConnections bounds sockets, it does not stop a
  // determined client, which is a proxy's job).
  server.keepAliveTimeout = 72_000;
  const graphqlWs = serveGraphqlWs(server, yoga, {
    authenticate: (authorization, upgrade) =>
      viewers.resolve(authorization, { host: upgrade.headers.host, origin: upgrade.headers.origin }),
    maxPayload: config.maxBodyBytes,
    resolveParams: admission.resolveParams,
    maxOperationsPerConnection: config.maxSubscriptionsPerConnection,
    share: {
      // Nothing a subscription can select depends on who asks beyond the role.
      scope: (ctx) => ctx.viewer.role,
      groupContext: (member) => operationContext({ role: member.viewer.role, tokenName: null, tokenId: null }, randomUUID(), undefined, true),
      offers: events.liveShares,
      endWatch: (ctx) => revocationEndWatch(revocations, ctx),
      maxBufferedBytes: config.maxSubscriberBacklogBytes,
      writeIntervalMs: config.subscriberWriteIntervalMs,
      log,
    },
  });

  let stopping: Promise<void> | null = null;

  return {
    services,
    yoga,
    liveGroups: graphqlWs.groups,
    async start() {
      // Secure by default: only a loopback address may run without any token.
      const loopback = isLoopbackHost(config.host);
      if (!loopback && config.adminToken === undefined && !(await anyTokenExists(database.db))) {
        const message =
          `Refusing to listen on HOST=${config.host} without an API token: anyone who can reach it would be ADMIN. ` +
          'Set TASKLANE_ADMIN_TOKEN (16+ random characters), or create a token first with ' +
          '`npm run token -- create --name admin --role ADMIN` (same DATABASE_URL / TASKLANE_DATA_DIR), ' +
          'or listen on a loopback address (HOST=127.0.0.1).';
        log.fatal(message);
        throw new Error(message);
      }
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
      if (await viewers.isOpen()) {
        log.warn(
          { host: config.host },
          'OPEN MODE: no API token exists, so every client is served as ADMIN. This is allowed only on a loopback address; ' +
            'create a token (`npm run token -- create --name admin --role ADMIN`) or set TASKLANE_ADMIN_TOKEN to require tokens.',
        );
      }
      return { url, port };
    },
    stop() {
      stopping ??= (async () => {
        // Stop accepting; idle keep-alive sockets close now, busy ones after their response.
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Subscriptions end: WebSocket clients are told 1001 "Going away", SSE streams complete.
        await graphqlWs.dispose();
        await events.close();
        // Long-polling claims answer [] now instead of holding the shutdown up to their waitMs.
        await claims.close();
        await revocations.close();
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
