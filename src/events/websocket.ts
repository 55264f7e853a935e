import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { ExecutionArgs, ExecutionResult } from 'graphql';
import { getOperationAST, GraphQLError } from 'graphql';
import type { Disposable } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { YogaInitialContext, YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../log.ts';
import { LiveGroups, Member, type LiveShare, type Recipient } from './liveGroups.ts';

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

/** How subscriptions running the same operation share their live phase (src/events/liveGroups.ts). */
export interface ShareOptions<TContext> {
  /**
   * What about the caller can change a subscription's results besides the operation itself (its
   * role); null: never share this caller's subscriptions.
   */
  scope(context: TContext): string | null;
  /** The context a group's own subscription runs with: the scope's, no particular caller's token. */
  groupContext(member: TContext): TContext;
  log: Logger;
  /** A member whose socket has more than this many bytes unsent is ended as too slow. */
  maxBufferedBytes?: number;
}

const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

function isAsyncIterable(value: unknown): value is AsyncIterable<ExecutionResult> {
  return value != null && typeof value === 'object' && Symbol.asyncIterator in value;
}

/**
 * A member's results go straight to its socket as graphql-ws `next` messages: the group serialized the
 * payload once, only the envelope with this operation's id is per subscriber.
 */
class SocketRecipient implements Recipient {
  private readonly prefix: string;

  constructor(
    private readonly socket: WebSocket,
    id: string,
    private readonly maxBuffered: number,
    private readonly corks: TurnCorks,
  ) {
    this.prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
  }

  send(payload: string): boolean {
    // A closing socket ends its operations itself (graphql-ws returns them).
    if (this.socket.readyState !== this.socket.OPEN) return true;
    if (this.socket.bufferedAmount > this.maxBuffered) return false;
    this.corks.cork(this.socket);
    this.socket.send(`${this.prefix}${payload}}`);
    return true;
  }
}

/**
 * Sockets that shared delivery wrote to in this turn of the event loop stay corked until it ends, so
 * a group that passes several events in one go (the hub read a burst, or the server fell behind)
 * makes one write system call per socket instead of one per event and socket. On loopback the
 * system call (which also runs the receiver's TCP stack) is most of the cost of a delivery; batching
 * them is what keeps 1,000 subscribers at 200 changes/s from falling behind further.
 */
class TurnCorks {
  private readonly corked = new Set<Socket>();

  cork(socket: WebSocket): void {
    // ws keeps the net.Socket private; without it, write frames one by one.
    const raw = (socket as unknown as { _socket?: Socket })._socket;
    if (!raw || this.corked.has(raw)) return;
    raw.cork();
    this.corked.add(raw);
    if (this.corked.size === 1) setImmediate(() => this.flush());
  }

  private flush(): void {
    for (const raw of this.corked) raw.uncork();
    this.corked.clear();
  }
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
    /** Share the live phase of identical subscriptions; off when not given. */
    share?: ShareOptions<TContext>;
  } = {},
): Disposable & { readonly groups: LiveGroups | null } {
  // No permessage-deflate: the messages are small, and compressing each one per socket is the kind of
  // per-subscriber work shared delivery exists to avoid.
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint, maxPayload: options.maxPayload, perMessageDeflate: false });
  const share = options.share;
  const groups = share ? new LiveGroups(share.log) : null;
  const corks = new TurnCorks();
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
      subscribe: async (args) => {
        const result = await (args.rootValue as EnvelopedRoot).subscribe(args);
        const live = (args.contextValue as { live?: LiveShare } | undefined)?.live;
        // A member hands over to its group only once graphql-ws has written what it sent itself.
        return (live instanceof Member && isAsyncIterable(result) ? live.track(result) : result) as never;
      },
      onConnect: async (ctx) => {
        if (!options.authenticate) return true;
        try {
          await options.authenticate(connectionAuthorization(ctx.connectionParams, ctx.extra.request.headers.authorization), ctx.extra.request);
          return true;
        } catch {
          return false; // graphql-ws closes the socket with 4403 Forbidden
        }
      },
      onSubscribe: async (ctx, id, params) => {
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
        if (groups && share && getOperationAST(document, params.operationName)?.operation === 'subscription') {
          const scope = share.scope(contextValue as TContext);
          if (scope !== null) {
            const key = JSON.stringify([params.query, params.operationName ?? null, params.variables ?? null, scope]);
            const member = contextValue as TContext & { live?: LiveShare };
            member.live = groups.member(
              key,
              (source) => {
                // The group's own subscription: a context without any member's token, the same pipeline.
                const groupContext = share.groupContext(contextValue as TContext) as TContext & { live?: LiveShare };
                groupContext.live = source;
                const enveloped = yoga.getEnveloped({
                  params,
                  websocket: { authorization: null, requestId: null, signal: undefined },
                } satisfies WebSocketInitialContext & Record<string, unknown>);
                return enveloped.subscribe({ ...args, schema: enveloped.schema, contextValue: groupContext, rootValue: undefined }) as Promise<
                  AsyncIterable<ExecutionResult> | ExecutionResult
                >;
              },
              new SocketRecipient(ctx.extra.socket, id, share.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES, corks),
            );
          }
        }
        return args;
      },
    },
    wss,
    options.keepAliveMs,
  );
  return {
    groups,
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
