import type { IncomingMessage, Server } from 'node:http';
import type { ExecutionArgs, ExecutionResult } from 'graphql';
import { execute, getOperationAST, GraphQLError, type GraphQLSchema } from 'graphql';
import type { Disposable, SubscribePayload } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { isAsyncIterable, type YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../log.ts';
import { formatWithoutHttp, resultWithoutHttp } from '../limits/refusal.ts';
import { connectionAuthorization, type OperationCredentials, type WebSocketInitialContext } from './credentials.ts';
import { SocketRecipient, WriteBatches } from './frameWrites.ts';
import type { LiveShareOffers } from '../events/liveShare.ts';
import { LiveGroups, type EndWatch, type GroupOperation, type Member } from './liveGroups.ts';

interface EnvelopedRoot {
  execute(args: ExecutionArgs): unknown;
  subscribe(args: ExecutionArgs): unknown;
}

/** How subscriptions running the same operation share their live phase (src/transport/liveGroups.ts). */
export interface ShareOptions<TContext> {
  /**
   * What about the caller can change a subscription's results besides the operation itself (its
   * role); null: never share this caller's subscriptions.
   */
  scope(context: TContext): string | null;
  /** The context a group's own subscription runs with: the scope's, no particular caller's token. */
  groupContext(member: TContext): TContext;
  /** Where the share of each operation is offered to its event stream (the hub's, EventHub.liveShares). */
  offers: LiveShareOffers;
  /**
   * What can end a member's subscription early (its token revoked) once it has joined its group and
   * its own pipeline, with the plugins wrapping it, is gone; null: nothing.
   */
  endWatch?(context: TContext): EndWatch | null;
  log: Logger;
  /** A member whose socket has more than this many bytes unsent is ended as too slow. */
  maxBufferedBytes?: number;
  /** How long a busy socket's frames may be held back to go out in one write (WriteBatches). */
  writeIntervalMs?: number;
}

const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/**
 * A group's operation: the member's document and variables run through the same envelop pipeline,
 * with a context of the group's own that holds no member's token (ShareOptions.groupContext). Built
 * outside serveGraphqlWs' onSubscribe so that it keeps only what it needs of the operation, not the
 * member's context or connection: a group can outlive the member that started it.
 */
function groupOperation<TContext extends object>(
  yoga: YogaServerInstance<Record<string, unknown>, TContext>,
  params: unknown,
  member: Pick<ExecutionArgs, 'document' | 'operationName' | 'variableValues'>,
  createContext: () => TContext,
  offers: LiveShareOffers,
): GroupOperation {
  const { document, operationName, variableValues } = member;
  // Made when the group first needs them: most members' operations never run a group.
  let context: TContext | null = null;
  let enveloped: (EnvelopedRoot & { schema: GraphQLSchema }) | null = null;
  const envelop = () =>
    (enveloped ??= yoga.getEnveloped({
      params,
      websocket: { authorization: null, requestId: null, signal: undefined },
    } satisfies WebSocketInitialContext & Record<string, unknown>));
  const args = (rootValue: unknown): ExecutionArgs => ({
    schema: envelop().schema,
    document,
    operationName,
    variableValues,
    contextValue: (context ??= createContext()),
    rootValue,
  });
  return {
    subscribe(source) {
      const groupArgs = args(undefined);
      offers.offer(groupArgs.contextValue as TContext, source);
      return envelop().subscribe(groupArgs) as Promise<AsyncIterable<ExecutionResult> | ExecutionResult>;
    },
    execute(event) {
      // graphql-js' own execute, as its subscribe runs each event: the pipeline's executor would start
      // a new subscription for a subscription document. What it yields is the too-slow GraphQLError,
      // which error masking passes through unchanged.
      return execute(args(event));
    },
  };
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
    /**
     * The operation's parameters as the pipeline is to see them (yoga's onParams hooks do not run
     * here): trusted documents resolve a documentId to the manifest's text. Throws a GraphQLError to
     * refuse the operation.
     */
    resolveParams?: (params: SubscribePayload) => Promise<SubscribePayload>;
    /** Share the live phase of identical subscriptions; off when not given. */
    share?: ShareOptions<TContext>;
  } = {},
): Disposable & { readonly groups: LiveGroups | null } {
  // No permessage-deflate: the messages are small, and compressing each one per socket is the kind of
  // per-subscriber work shared delivery exists to avoid.
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint, maxPayload: options.maxPayload, perMessageDeflate: false });
  const share = options.share;
  const groups = share ? new LiveGroups(share.log) : null;
  const batches = new WriteBatches(share?.writeIntervalMs, share?.log);
  /** The members among the operations started, by their arguments, until their subscription starts. */
  const members = new WeakMap<ExecutionArgs, Member>();
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
        const member = members.get(args);
        members.delete(args);
        if (!member || !isAsyncIterable<ExecutionResult>(result)) return result as never;
        // A member hands over to its group only once graphql-ws has written what it sent itself. Then
        // graphql-ws keeps `args` only for the onNext hook (which does not read them): let go of the
        // operation's context and enveloped pipeline.
        return member.track(result, () => {
          args.contextValue = undefined;
          args.rootValue = undefined;
        }) as never;
      },
      // yoga's `extensions.http` (a refusal's status, a 401 and its WWW-Authenticate) is for HTTP
      // responses: the errors a socket gets go without it.
      onNext: (_ctx, _id, _payload, _args, result) => resultWithoutHttp(result),
      onError: (_ctx, _id, _payload, errors) => errors.map(formatWithoutHttp),
      onConnect: async (ctx) => {
        if (!options.authenticate) return true;
        try {
          await options.authenticate(connectionAuthorization(ctx.connectionParams, ctx.extra.request.headers.authorization), ctx.extra.request);
          return true;
        } catch {
          return false; // graphql-ws closes the socket with 4403 Forbidden
        }
      },
      onSubscribe: async (ctx, id, payload) => {
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
        let params = payload;
        try {
          // graphql-ws requires a `query` string: a client sending a documentId sends `query: ""`.
          if (options.resolveParams) params = await options.resolveParams(payload);
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
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
            const member = groups.member(
              key,
              groupOperation(yoga, params, args, () => share.groupContext(contextValue as TContext), share.offers),
              new SocketRecipient(ctx.extra.socket, id, share.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES, batches),
              share.endWatch?.(contextValue as TContext) ?? null,
            );
            // Down to the hub, for the operation's stream to take (src/events/liveShare.ts); the
            // context carries nothing of the transport.
            share.offers.offer(contextValue as TContext, member);
            members.set(args, member);
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
