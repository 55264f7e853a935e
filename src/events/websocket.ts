import type { IncomingMessage, Server } from 'node:http';
import type { ExecutionArgs } from 'graphql';
import { GraphQLError } from 'graphql';
import type { Disposable } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { YogaInitialContext, YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer, type WebSocket } from 'ws';

/** What every transport hands to the app's `createContext`. */
export interface OperationCredentials {
  authorization: string | null;
  requestId: string | null;
  signal: AbortSignal | undefined;
}

/** The WebSocket transport puts this on the initial context instead of a Fetch `request`. */
interface WebSocketInitialContext {
  websocket: OperationCredentials;
}

/**
 * The credentials of one operation, whichever transport it came by: HTTP and SSE carry a Fetch
 * `Request`; graphql-ws operations carry what `connection_init` sent (see serveGraphqlWs).
 */
export function operationCredentials(initial: Partial<YogaInitialContext> & Partial<WebSocketInitialContext>): OperationCredentials {
  if (initial.websocket) return initial.websocket;
  const request = initial.request;
  return {
    authorization: request?.headers.get('authorization') ?? null,
    requestId: request?.headers.get('x-request-id') ?? null,
    signal: request?.signal,
  };
}

/** Bearer credentials from `connection_init`: `{authorization}` or `{headers: {authorization}}`, else the upgrade request's header. */
function connectionAuthorization(params: Readonly<Record<string, unknown>> | undefined, upgradeHeader: string | undefined): string | null {
  const pick = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);
  const headers = params?.headers && typeof params.headers === 'object' ? (params.headers as Record<string, unknown>) : undefined;
  return (
    pick(params?.authorization) ??
    pick(params?.Authorization) ??
    pick(headers?.authorization) ??
    pick(headers?.Authorization) ??
    pick(upgradeHeader)
  );
}

interface EnvelopedRoot {
  execute(args: ExecutionArgs): unknown;
  subscribe(args: ExecutionArgs): unknown;
}

/**
 * graphql-ws (`graphql-transport-ws`) on the yoga endpoint of the app's HTTP server, as in
 * graphql-yoga's graphql-ws example: each operation goes through `yoga.getEnveloped`, so parsing,
 * validation (and its limits), the context factory (and so authentication), error masking and every
 * other envelop plugin apply exactly as over HTTP and SSE. Keep-alive: a WebSocket ping every
 * `keepAliveMs`; a peer that does not answer within the next interval is dropped.
 */
export function serveGraphqlWs<TContext extends object>(
  server: Server,
  yoga: YogaServerInstance<Record<string, unknown>, TContext>,
  options: {
    keepAliveMs?: number;
    /** Checks the credentials of `connection_init` (throws when they are bad); the socket then closes with 4403. */
    authenticate?: (authorization: string | null, upgrade: IncomingMessage) => Promise<unknown>;
    /** Largest message a client may send (ws closes the socket with 1009 above it). */
    maxPayload?: number;
    /** Operations one connection may have running at once (subscriptions, mostly). */
    maxOperationsPerConnection?: number;
  } = {},
): Disposable {
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint, maxPayload: options.maxPayload });
  // One abort signal per socket: long-waiting operations (claimTasks with waitMs) stop when it closes.
  const signals = new WeakMap<WebSocket, AbortController>();
  wss.on('connection', (socket) => {
    const controller = new AbortController();
    signals.set(socket, controller);
    socket.once('close', () => controller.abort());
  });

  const graphqlWs = useServer(
    {
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args) as never,
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args) as never,
      onConnect: async (ctx) => {
        if (!options.authenticate) return true;
        try {
          await options.authenticate(connectionAuthorization(ctx.connectionParams, ctx.extra.request.headers.authorization), ctx.extra.request);
          return true;
        } catch {
          return false; // graphql-ws closes the socket with 4403 Forbidden
        }
      },
      onSubscribe: async (ctx, _id, params) => {
        // ctx.subscriptions already holds this operation's id.
        const limit = options.maxOperationsPerConnection;
        if (limit !== undefined && Object.keys(ctx.subscriptions).length > limit) {
          return [
            new GraphQLError(
              `This connection already runs ${limit} operations, the limit per connection (limit maxSubscriptionsPerConnection). Complete one first or open another connection.`,
              { extensions: { code: 'BAD_USER_INPUT', limit: 'maxSubscriptionsPerConnection' } },
            ),
          ];
        }
        const websocket: OperationCredentials = {
          authorization: connectionAuthorization(ctx.connectionParams, ctx.extra.request.headers.authorization),
          requestId: null,
          signal: signals.get(ctx.extra.socket)?.signal,
        };
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
          websocket,
        } satisfies WebSocketInitialContext & Record<string, unknown>);
        let document;
        try {
          document = parse(params.query);
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        let contextValue;
        try {
          // Authenticates again per operation: a token revoked since connection_init is refused here.
          contextValue = await contextFactory();
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const args = {
          schema,
          operationName: params.operationName,
          document,
          variableValues: params.variables,
          contextValue,
          rootValue: { execute, subscribe } satisfies EnvelopedRoot,
        };
        let errors;
        try {
          errors = validate(args.schema, args.document);
        } catch (error) {
          // graphql-armor's limits throw their GraphQLError from inside validation.
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        if (errors.length) return errors;
        return args;
      },
    },
    wss,
    options.keepAliveMs,
  );
  return {
    /** Closes every socket (1001 "Going away"); peers that do not complete the close handshake are cut after 2 s. */
    async dispose() {
      const cut = setTimeout(() => {
        for (const client of wss.clients) client.terminate();
      }, 2_000);
      try {
        await graphqlWs.dispose();
      } finally {
        clearTimeout(cut);
      }
    },
  };
}
