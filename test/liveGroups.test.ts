import { GraphQLError, type ExecutionResult } from 'graphql';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { EventCursor } from '../src/domain/cursors.ts';
import { LiveGroups, type EndWatch, type GroupOperation, type SharedPayload } from '../src/transport/liveGroups.ts';
import { createLogger } from '../src/log.ts';
import { waitFor } from './support/waitFor.ts';

const payload = (text: string): SharedPayload => ({ text, bytes: Buffer.from(text), offset: 0, next: null });

describe('a member of a live group', () => {
  it('reports the last event it delivered, not the one its socket refused, when it falls behind', async () => {
    const groups = new LiveGroups(createLogger('silent'));
    // A group whose own subscription never yields: the test hands events to the member itself.
    const never = {
      subscribe: () => Promise.resolve({ [Symbol.asyncIterator]: () => ({ next: () => new Promise<never>(() => {}) }) }),
      execute: () => ({}),
    };
    let accept = true;
    const seat = groups.seat('k', never, { send: () => accept, flush: () => {} });
    const exit = seat.join({ txid: 1n, id: 1n })!;
    seat.deliver({ txid: 1n, id: 2n }, payload('a'));
    accept = false;
    seat.deliver({ txid: 1n, id: 3n }, payload('b'));
    expect(await exit).toEqual({ reason: 'too-slow', last: { txid: 1n, id: 2n } });
  });
});

/** gc(), for the tests that show what a member lets go of. */
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A group whose own subscription yields, for each `emit(cursor)`, a result `{ data: { n } }`. */
function controlledGroup() {
  const waiting: ((cursor: EventCursor) => void)[] = [];
  const queued: EventCursor[] = [];
  const executed: unknown[] = [];
  const operation: GroupOperation = {
    subscribe: async (source) => {
      source.started();
      return (async function* (): AsyncGenerator<ExecutionResult> {
        for (;;) {
          const cursor = queued.shift() ?? (await new Promise<EventCursor>((resolve) => waiting.push(resolve)));
          source.yielding({ cursor });
          yield { data: { n: Number(cursor.id) } };
        }
      })();
    },
    execute: (event) => {
      executed.push(event);
      return { errors: [new GraphQLError(`final: ${String(event)}`)] };
    },
  };
  const emit = (id: number) => {
    const cursor = { txid: 1n, id: BigInt(id) };
    const waiter = waiting.shift();
    if (waiter) waiter(cursor);
    else queued.push(cursor);
  };
  return { operation, emit, executed };
}

/** A member's own pipeline: yields `{ data: { own: 1 } }`, then waits for ever, holding `held`. */
async function* ownPipeline(held: object): AsyncGenerator<ExecutionResult> {
  yield { data: { own: 1, held: typeof held } };
  await new Promise(() => {});
}

describe('a member handing over to its group', () => {
  async function joined(options: { accept?: () => boolean; endWatch?: EndWatch } = {}) {
    const groups = new LiveGroups(createLogger('silent'));
    const group = controlledGroup();
    const sent: number[] = [];
    const recipient = {
      send: (p: SharedPayload) => {
        if (options.accept && !options.accept()) return false;
        sent.push((JSON.parse(p.text) as { data: { n: number } }).data.n);
        return true;
      },
      flush: () => {},
    };
    const member = groups.member('k', group.operation, recipient, options.endWatch ?? null);
    let held: object | null = { context: 'of this subscription' };
    const heldRef = new WeakRef(held);
    let released = 0;
    const results = member.track(ownPipeline(held), () => void released++);
    held = null;
    // The stream pushes its first result, graphql-ws writes it and asks for the next.
    member.pushed();
    expect((await results.next()).value).toEqual({ data: { own: 1, held: 'object' } });
    const pending = results.next();
    expect(member.isDrained).toBe(true);
    const seat = (await member.group())!;
    expect(member.handOver(seat, { txid: 1n, id: 1n }, (last) => `too slow after ${last.id}`)).toBe(true);
    expect(released).toBe(1);
    return { groups, group, sent, results, pending, heldRef };
  }

  it('lets go of its own pipeline: what it held is collected while the group serves it', async () => {
    const { groups, group, sent, results, pending, heldRef } = await joined();
    group.emit(2);
    await waitFor(() => sent.length, (n) => n === 1, 1_000, 'the delivery');
    expect(sent).toEqual([2]);
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(heldRef.deref()).toBeUndefined();
    expect(groups.members).toBe(1);
    await results.return();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(groups.members).toBe(0);
  });

  it('ends with the execution of its final event when it falls behind, then completes', async () => {
    let accept = true;
    const { group, sent, results, pending } = await joined({ accept: () => accept });
    group.emit(2);
    await waitFor(() => sent.length, (n) => n === 1, 1_000, 'the delivery');
    accept = false;
    group.emit(3);
    const last = await pending;
    expect(last.done).toBe(false);
    expect((last.value as ExecutionResult).errors?.[0]?.message).toBe('final: too slow after 2');
    expect(group.executed).toEqual(['too slow after 2']);
    expect((await results.next()).done).toBe(true);
  });

  it('ends with what its EndWatch gives when that fires, and leaves the group', async () => {
    const watch: { end?: (last: ExecutionResult) => void } = {};
    let unwatched = 0;
    const endWatch: EndWatch = (end) => {
      watch.end = end;
      return () => void unwatched++;
    };
    const { groups, results, pending } = await joined({ endWatch });
    expect(watch.end).toBeDefined();
    watch.end!({ errors: [new GraphQLError('revoked')] });
    const last = await pending;
    expect((last.value as ExecutionResult).errors?.[0]?.message).toBe('revoked');
    expect((await results.next()).done).toBe(true);
    expect(groups.members).toBe(0);
    expect(unwatched).toBe(1);
  });
});
