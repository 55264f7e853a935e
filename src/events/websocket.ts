import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { ExecutionArgs, ExecutionResult } from 'graphql';
import { execute, getOperationAST, GraphQLError, type GraphQLSchema } from 'graphql';
import type { Disposable, SubscribePayload } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { isAsyncIterable, type YogaInitialContext, type YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../log.ts';
import { formatWithoutHttp, resultWithoutHttp } from '../limits/refusal.ts';
import { LiveGroups, Member, type EndWatch, type GroupOperation, type LiveShare, type Recipient, type SharedPayload } from './liveGroups.ts';

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

/** The TCP socket under a ws WebSocket (null once ws let go of it, or when there is none). */
function tcpSocket(socket: WebSocket): Socket | null {
  return (socket as unknown as { _socket?: Socket | null })._socket ?? null;
}

/**
 * A member's results go straight to its socket as graphql-ws `next` messages: the group serialized and
 * encoded the payload once; per subscriber only the envelope with this operation's id is added.
 *
 * The WebSocket frames are written to the TCP socket here rather than through `ws.send`, which would
 * encode the whole message again for every subscriber. That is safe because this server never
 * compresses (`perMessageDeflate: false`) nor fragments, so ws writes each of its own frames whole and
 * at once: frames cannot interleave. Without access to the TCP socket it falls back to `ws.send`.
 *
 * Frames are held back briefly while the subscription is busy (see WriteBatches) and written
 * together: one buffer, one write for every event held.
 */
export class SocketRecipient implements Recipient {
  /** The envelope up to the payload, as UTF-8. */
  private readonly prefix: Buffer;
  /** The first and last payload sent and not yet written (a span of their group's list), or null. */
  private first: SharedPayload | null = null;
  private last: SharedPayload | null = null;
  /** When this recipient last wrote (performance.now()), and its moment within the write interval. */
  private lastWrite = -Infinity;
  private readonly slot: number;

  constructor(
    private readonly socket: WebSocket,
    id: string,
    private readonly maxBuffered: number,
    private readonly batches: WriteBatches,
  ) {
    this.slot = batches.slot();
    const prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
    // A buffer of its own: a small Buffer.from() is a slice of an 8 KB pool slab, and these live as
    // long as their subscription, so each would keep a slab of mostly garbage alive.
    this.prefix = Buffer.allocUnsafeSlow(Buffer.byteLength(prefix));
    this.prefix.write(prefix);
  }

  send(payload: SharedPayload): boolean {
    // A closing socket ends its operations itself (graphql-ws returns them).
    if (this.socket.readyState !== this.socket.OPEN) return true;
    const held = this.first ? this.last!.offset + this.last!.bytes.length - this.first.offset : 0;
    if (this.socket.bufferedAmount + held > this.maxBuffered) return false;
    if (!tcpSocket(this.socket)) {
      this.socket.send(`${this.prefix.toString()}${payload.text}}`);
      return true;
    }
    if (!this.first) {
      this.first = payload;
      this.batches.add(this, this.slot, this.lastWrite);
    }
    this.last = payload;
    return true;
  }

  /** Writes what `send` held back, as one buffer. */
  flush(): void {
    const first = this.first;
    const last = this.last;
    if (!first || !last) return;
    this.first = this.last = null;
    // A socket that started closing meanwhile must not get data frames after its close frame.
    if (this.socket.readyState !== this.socket.OPEN) return;
    const raw = tcpSocket(this.socket);
    // Destroyed but not yet reported closed to ws: graphql-ws is about to end the operation.
    if (!raw?.writable) return;
    this.batches.write(raw, this.prefix, first, last);
    this.lastWrite = this.batches.now();
  }
}

/** The length of the header of a frame with `length` payload bytes (RFC 6455 §5.2). */
function headerLength(length: number): number {
  return length < 126 ? 2 : length < 65_536 ? 4 : 10;
}

/** Writes one unmasked, final text frame holding prefix + payload + "}" at `offset`; returns its end. */
function writeTextFrame(target: Buffer, offset: number, prefix: Buffer, payload: Buffer): number {
  const length = prefix.length + payload.length + 1;
  const header = headerLength(length);
  target[offset] = 0x81; // FIN, opcode 1 (text)
  if (header === 2) target[offset + 1] = length;
  else if (header === 4) {
    target[offset + 1] = 126;
    target.writeUInt16BE(length, offset + 2);
  } else {
    target[offset + 1] = 127;
    target.writeBigUInt64BE(BigInt(length), offset + 2);
  }
  prefix.copy(target, offset + header);
  payload.copy(target, offset + header + prefix.length);
  target[offset + header + length - 1] = 0x7d; // "}"
  return offset + header + length;
}

/** The bytes of the text frames for the payloads from `first` to `last` (see textFrames). */
function framesLength(prefix: Buffer, first: SharedPayload, last: SharedPayload): number {
  let size = 0;
  for (let payload: SharedPayload | null = first; payload; payload = payload === last ? null : payload.next) {
    const length = prefix.length + payload.bytes.length + 1;
    size += headerLength(length) + length;
  }
  return size;
}

/** Writes the frames for the payloads from `first` to `last` into `target` from its start. */
function writeFrames(target: Buffer, prefix: Buffer, first: SharedPayload, last: SharedPayload): void {
  let offset = 0;
  for (let payload: SharedPayload | null = first; payload; payload = payload === last ? null : payload.next) {
    offset = writeTextFrame(target, offset, prefix, payload.bytes);
  }
}

/**
 * One text frame per payload from `first` to `last` of their list (each prefix + payload + "}"), back
 * to back in one buffer.
 */
export function textFrames(prefix: Buffer, first: SharedPayload, last: SharedPayload): Buffer {
  const frames = Buffer.allocUnsafe(framesLength(prefix, first, last));
  writeFrames(frames, prefix, first, last);
  return frames;
}

/**
 * How long shared delivery may hold a subscription's frames back after it last wrote, so that it
 * gets the events of a busy moment in one write. On loopback the write system call (which also runs
 * the receiver's TCP stack) is most of the cost of a delivery: at 200 changes/s to 1,000 subscribers
 * one write per event and subscriber is 200,000 system calls a second, more than the two cores of a
 * small machine make; one write per subscriber every 50 ms is 20,000 at any rate. It adds at most this
 * much latency, and only under load: a subscription that has not written for this long writes at the
 * end of the event loop's turn. (TASKLANE_SUBSCRIBER_WRITE_INTERVAL_MS.) On the fan-out bench (1,000
 * subscribers at 200 changes/s for 5 s, two cores shared with the subscriber processes), 50 ms used
 * 2.5-2.7 µs of server CPU per delivery against 3.0-3.1 at 25 ms, and had the lower p99 in each of
 * four paired runs (93-129 ms against 122-448 ms, before the slots below).
 */
export const WRITE_INTERVAL_MS = 50;

/** How far apart the moments are at which held frames are written (the interval is cut into slots). */
const SLOT_MS = 10;

/** The frames of most writes are cut from a buffer of this size, reused while no socket holds on to it. */
const ARENA_BYTES = 64 * 1024;

/** Recipients waiting to write at one moment; the list is reused (two of them, swapped at each flush). */
class WaitingList {
  private list: (SocketRecipient | null)[] = [];
  private count = 0;
  private spare: (SocketRecipient | null)[] = [];
  scheduled = false;

  push(recipient: SocketRecipient): void {
    this.list[this.count++] = recipient;
  }

  /**
   * Writes every waiting recipient; those that send meanwhile wait in the other list, for next time.
   * One that fails is reported and the others are still written: a recipient left out would hold its
   * span forever (it asks to be listed again only when it holds nothing).
   */
  flush(log: Logger | undefined): void {
    this.scheduled = false;
    const recipients = this.list;
    const count = this.count;
    this.list = this.spare;
    this.count = 0;
    for (let i = 0; i < count; i++) {
      const recipient = recipients[i]!;
      recipients[i] = null;
      try {
        recipient.flush();
      } catch (error) {
        log?.warn({ err: error }, "writing a subscriber's held events failed");
      }
    }
    this.spare = recipients;
  }
}

/**
 * When held frames are written (per subscription: each SocketRecipient). One that has not written for
 * the interval writes at the end of the event loop's turn, so a quiet server adds no delay. A busy one
 * writes at its own moment of the interval: the interval is cut into slots 10 ms apart, and each
 * recipient has one (given round-robin), so under load each writes once per interval and the writes
 * of 1,000 subscribers come as a slot's share every 10 ms, not as one burst of 1,000 every interval.
 * A burst keeps the event loop (and, on one machine, the subscribers) busy for its whole length, and
 * the sockets at its end wait for all the others. (A recipient that wrote at the end of a turn, off
 * its slot, may write again at its slot's moment sooner than the interval after: at most twice per
 * interval. A socket with several shared subscriptions gets a write for each.)
 *
 * A busy moment allocates next to nothing per subscriber: the members hold spans of their groups'
 * lists (SocketRecipient), the waiting lists are reused, and the frames are cut from a buffer that is
 * reused as long as every write hands its bytes to the kernel at once. Garbage that outlives a few
 * milliseconds is what makes V8 collect the old generation over and over under load. A socket that
 * has bytes waiting (its reader is slow) gets buffers of its own, sized to each write: a slice of the
 * shared buffer that Node keeps would keep the whole buffer, so a slow reader holds at most one.
 */
export class WriteBatches {
  private readonly soon = new WaitingList();
  private readonly slots: WaitingList[];
  private nextSlot = 0;
  /** The start of the flush running now (what its writes record as their time), or null. */
  private flushStart: number | null = null;
  private arena = Buffer.allocUnsafeSlow(ARENA_BYTES);
  private used = 0;
  /** A socket kept a slice of the arena to write later: it must not be written over. */
  private held = false;

  constructor(
    private readonly intervalMs = WRITE_INTERVAL_MS,
    private readonly log?: Logger,
  ) {
    this.slots = Array.from({ length: Math.max(1, Math.round(intervalMs / SLOT_MS)) }, () => new WaitingList());
  }

  /** The slot of a new recipient. */
  slot(): number {
    const slot = this.nextSlot;
    this.nextSlot = (slot + 1) % this.slots.length;
    return slot;
  }

  /** The time a write made now records. */
  now(): number {
    return this.flushStart ?? performance.now();
  }

  /** `recipient` holds frames now; it last wrote at `lastWrite`. */
  add(recipient: SocketRecipient, slot: number, lastWrite: number): void {
    const now = performance.now();
    if (now - lastWrite >= this.intervalMs) {
      this.soon.push(recipient);
      if (this.soon.scheduled) return;
      this.soon.scheduled = true;
      setImmediate(() => this.flush(this.soon));
      return;
    }
    const waiting = this.slots[slot]!;
    waiting.push(recipient);
    if (waiting.scheduled) return;
    waiting.scheduled = true;
    // The slot's next moment: its phase within the interval, after now.
    const phase = (slot * this.intervalMs) / this.slots.length;
    let at = Math.floor(now / this.intervalMs) * this.intervalMs + phase;
    if (at <= now) at += this.intervalMs;
    setTimeout(() => this.flush(waiting), at - now);
  }

  private flush(waiting: WaitingList): void {
    this.flushStart = performance.now();
    try {
      waiting.flush(this.log);
    } finally {
      this.flushStart = null;
    }
  }

  /** Writes the frames of the payloads from `first` to `last` to `socket`, as one buffer. */
  write(socket: Socket, prefix: Buffer, first: SharedPayload, last: SharedPayload): void {
    const size = framesLength(prefix, first, last);
    // Bytes already waiting: this write waits behind them, and must not keep the shared buffer.
    if (size > ARENA_BYTES / 4 || socket.writableLength > 0) {
      const frames = Buffer.allocUnsafeSlow(size);
      writeFrames(frames, prefix, first, last);
      socket.write(frames);
      return;
    }
    if (this.used + size > ARENA_BYTES) {
      if (this.held) {
        this.arena = Buffer.allocUnsafeSlow(ARENA_BYTES);
        this.held = false;
      }
      this.used = 0;
    }
    const frames = this.arena.subarray(this.used, this.used + size);
    this.used += size;
    writeFrames(frames, prefix, first, last);
    socket.write(frames);
    // Node calls back a write the kernel took whole before write() returns; anything still counted
    // here is (part of) this slice.
    if (socket.writableLength > 0) this.held = true;
  }
}

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
): GroupOperation {
  const { document, operationName, variableValues } = member;
  // Made when the group first needs them: most members' operations never run a group.
  let context: (TContext & { live?: LiveShare }) | null = null;
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
      (groupArgs.contextValue as { live?: LiveShare }).live = source;
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
        if (!(live instanceof Member) || !isAsyncIterable<ExecutionResult>(result)) return result as never;
        // A member hands over to its group only once graphql-ws has written what it sent itself. Then
        // graphql-ws keeps `args` only for the onNext hook (which does not read them): let go of the
        // operation's context and enveloped pipeline.
        return live.track(result, () => {
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
            const member = contextValue as TContext & { live?: LiveShare };
            member.live = groups.member(
              key,
              groupOperation(yoga, params, args, () => share.groupContext(contextValue as TContext)),
              new SocketRecipient(ctx.extra.socket, id, share.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES, batches),
              share.endWatch?.(contextValue as TContext) ?? null,
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
