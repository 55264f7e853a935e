import { describe, expect, it } from 'vitest';
import { LiveGroups, type SharedPayload } from '../src/events/liveGroups.ts';
import { createLogger } from '../src/log.ts';

const payload = (text: string): SharedPayload => ({ text, bytes: Buffer.from(text) });

describe('a member of a live group', () => {
  it('reports the last event it delivered, not the one its socket refused, when it falls behind', async () => {
    const groups = new LiveGroups(createLogger('silent'));
    // A group whose own subscription never yields: the test hands events to the member itself.
    const never = () => Promise.resolve({ [Symbol.asyncIterator]: () => ({ next: () => new Promise<never>(() => {}) }) });
    let accept = true;
    const seat = groups.seat('k', never, { send: () => accept, flush: () => {} });
    const exit = seat.join({ txid: 1n, id: 1n })!;
    seat.deliver({ txid: 1n, id: 2n }, payload('a'));
    accept = false;
    seat.deliver({ txid: 1n, id: 3n }, payload('b'));
    expect(await exit).toEqual({ reason: 'too-slow', last: { txid: 1n, id: 2n } });
  });
});
