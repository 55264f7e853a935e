import { isAsyncIterable, Repeater, type Plugin } from 'graphql-yoga';
import type { ExecutionResult } from 'graphql';
import type { Context } from '../context.ts';
import type { Database } from '../db/database.ts';
import type { EndWatch } from '../transport/liveGroups.ts';
import type { Logger } from '../log.ts';
import { activeTokenIds, TOKENS_CHANNEL } from './tokens.ts';
import { unauthenticated } from './viewer.ts';

/** The safety re-check of the tokens behind open subscriptions, in case a NOTIFY was lost. */
const RECHECK_INTERVAL_MS = 5_000;

/**
 * Ends what a revoked token holds open. Operations need nothing: each one reads its token row.
 * Subscriptions outlive that read, so each registers here under its token id; a revocation reaches
 * every instance through NOTIFY on TOKENS_CHANNEL (sent in the revoking transaction, so only once it
 * commits), and a periodic re-check of the watched ids covers a NOTIFY lost while the LISTEN
 * connection was reconnecting.
 */
export class TokenRevocations {
  private readonly watchers = new Map<string, Set<() => void>>();
  /** Ids seen revoked: a subscription registering just after the NOTIFY still ends at once. */
  private readonly revoked = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private unlisten: (() => Promise<void>) | null = null;

  private constructor(
    private readonly database: Database,
    private readonly log: Logger,
  ) {}

  static async start(
    database: Database,
    log: Logger,
    tokens: {
      /** A token was created (on any instance). */
      onTokenCreated: () => void;
      /** The LISTEN connection came back: notifications may have been missed meanwhile. */
      onReconnect: () => void;
    },
    recheckIntervalMs = RECHECK_INTERVAL_MS,
  ): Promise<TokenRevocations> {
    const revocations = new TokenRevocations(database, log);
    revocations.unlisten = await database.listen(
      TOKENS_CHANNEL,
      (payload) => {
        const [kind, id] = payload.split(':');
        if (kind === 'revoked' && id) revocations.revoke(id);
        else if (kind === 'created') tokens.onTokenCreated();
      },
      () => {
        tokens.onReconnect();
        void revocations.recheck();
      },
    );
    revocations.timer = setInterval(() => void revocations.recheck(), recheckIntervalMs);
    revocations.timer.unref();
    return revocations;
  }

  /** Calls `onRevoked` once when the token is revoked; returns the unregister function. */
  watch(tokenId: string, onRevoked: () => void): () => void {
    if (this.revoked.has(tokenId)) {
      queueMicrotask(onRevoked);
      return () => {};
    }
    let set = this.watchers.get(tokenId);
    if (!set) this.watchers.set(tokenId, (set = new Set()));
    set.add(onRevoked);
    return () => {
      set.delete(onRevoked);
      if (set.size === 0 && this.watchers.get(tokenId) === set) this.watchers.delete(tokenId);
    };
  }

  /** Open subscriptions per token id (for tests and diagnostics). */
  get watched(): number {
    let n = 0;
    for (const set of this.watchers.values()) n += set.size;
    return n;
  }

  private revoke(tokenId: string): void {
    this.revoked.add(tokenId);
    const set = this.watchers.get(tokenId);
    this.watchers.delete(tokenId);
    for (const onRevoked of set ?? []) onRevoked();
  }

  /** recheck: one query for every token that holds a subscription open here. */
  async recheck(): Promise<void> {
    const ids = [...this.watchers.keys()];
    if (ids.length === 0) return;
    try {
      const active = await activeTokenIds(this.database.db, ids);
      for (const id of ids) if (!active.has(id)) this.revoke(id);
    } catch (error) {
      this.log.warn({ err: error }, 'could not re-check the tokens of open subscriptions');
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.unlisten?.();
    for (const id of [...this.watchers.keys()]) this.watchers.delete(id);
  }
}

/**
 * useTokenRevocation: what a stored token holds open ends the moment that token is revoked — on
 * HTTP, WebSocket and SSE alike, since all run through this envelop pipeline. (The environment's admin
 * token and open mode have no row to revoke.)
 *  - A subscription ends with an UNAUTHENTICATED error as its last result.
 *  - A running operation sees its context's `signal` abort, so a long-polling `claimTasks` (waitMs up
 *    to a minute) stops waiting and hands a revoked worker nothing. The watch lasts only while the
 *    operation executes.
 */
export function useTokenRevocation(revocations: TokenRevocations): Plugin<Context> {
  return {
    onExecute({ args }) {
      const ctx = args.contextValue as Context;
      const tokenId = ctx.viewer?.tokenId;
      if (!tokenId) return;
      const controller = new AbortController();
      const outer = ctx.signal;
      const onOuterAbort = () => controller.abort(outer?.reason);
      if (outer?.aborted) controller.abort(outer.reason);
      else outer?.addEventListener('abort', onOuterAbort, { once: true });
      const unwatch = revocations.watch(tokenId, () => controller.abort(unauthenticated('The API token of this operation was revoked')));
      ctx.signal = controller.signal;
      return {
        onExecuteDone() {
          unwatch();
          outer?.removeEventListener('abort', onOuterAbort);
        },
      };
    },
    onSubscribe({ args }) {
      const tokenId = (args.contextValue as Context).viewer?.tokenId;
      if (!tokenId) return;
      return {
        onSubscribeResult({ result, setResult }) {
          if (!isAsyncIterable<ExecutionResult>(result)) return;
          setResult(endOnRevocation(result, (onRevoked) => revocations.watch(tokenId, onRevoked)));
        },
      };
    },
  };
}

/** The last result of a subscription whose token was revoked. */
function revokedResult(): ExecutionResult {
  return { errors: [unauthenticated('The API token of this subscription was revoked')] };
}

/**
 * The revocation watch of a subscription that outlives its pipeline (a shared live member, see
 * src/transport/liveGroups.ts): it holds the token id, not the context. Null without a stored token.
 */
export function revocationEndWatch(revocations: TokenRevocations, context: Context): EndWatch | null {
  const tokenId = context.viewer?.tokenId;
  if (!tokenId) return null;
  return (end) => revocations.watch(tokenId, () => end(revokedResult()));
}

function endOnRevocation(
  source: AsyncIterable<ExecutionResult>,
  watch: (onRevoked: () => void) => () => void,
): AsyncIterableIterator<ExecutionResult> {
  return new Repeater<ExecutionResult>(async (push, stop) => {
    const iterator = source[Symbol.asyncIterator]();
    const unwatch = watch(() => {
      // End the source now, not once the error below has been written: a subscription whose live
      // phase is shared (src/transport/liveGroups.ts) leaves its group at once and is sent nothing more.
      void iterator.return?.();
      void push(revokedResult()).then(() => stop());
    });
    // Ending this stream (client unsubscribed, revocation, server stop) ends the source too.
    void stop.then(() => {
      unwatch();
      void iterator.return?.();
    });
    try {
      for (;;) {
        const next = await Promise.race([iterator.next(), stop.then(() => null)]);
        if (next === null || next.done) break;
        await push(next.value);
      }
    } catch (error) {
      stop(error);
    } finally {
      unwatch();
      stop();
    }
  });
}
