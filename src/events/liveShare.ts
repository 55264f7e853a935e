import type { EventCursor } from '../domain/cursors.ts';

/*
 * What an event stream (src/events/streams.ts) uses when a transport shares the live phase of
 * subscriptions that run the same operation: the stream declares it here and the transport implements
 * it (src/transport/liveGroups.ts). The transport offers it for an operation it starts, through the
 * hub (LiveShareOffers); the stream of that operation takes it when it opens.
 */

/** Why a member's time in its group ended. */
export interface GroupExit {
  /** `closed`: the member left or the hub closed; `too-slow`: its socket or the group fell behind. */
  reason: 'closed' | 'too-slow';
  /** The last cursor this member delivered (for SUBSCRIBER_TOO_SLOW's `lastCursor`). */
  last: EventCursor;
}

/** A member's place in its group (see LiveMember.group). */
export interface GroupSeat {
  /**
   * Joins now (synchronously): from this moment the group sends this subscriber every event after
   * `after`. Resolves when it leaves. Null when the group has ended meanwhile (stay on your own path).
   */
  join(after: EventCursor): Promise<GroupExit> | null;
  /** Leaves the group (or gives up the seat before joining). Idempotent. */
  leave(): void;
}

/** What a subscription's stream is offered when its live phase can be shared. */
export interface LiveMember {
  readonly kind: 'member';
  /** The group of this operation once it runs; null when it cannot (the member stays on its own path). */
  group(): Promise<GroupSeat | null>;
  /** The stream passed one more event down its own pipeline. */
  pushed(): void;
  /** Resolves once every event pushed so far has been written to the client. */
  drained(): Promise<void>;
  readonly isDrained: boolean;
  /**
   * Caught up and drained: joins `seat` (from group()) after `last` and hands this subscription's
   * results over to the transport, which from now on delivers the group's results and this
   * subscription's end. The stream then stops without yielding anything more. `tooSlowEvent(last)`:
   * the event whose execution is the subscription's last result if it falls behind the group (`last`:
   * the last cursor it was sent); it must not be a closure over the stream, which would keep it alive.
   * False when it cannot (the group ended meanwhile, or the transport does not take results over): the
   * stream stays on its own path and gives the seat up.
   */
  handOver(seat: GroupSeat, last: EventCursor, tooSlowEvent: (last: EventCursor) => unknown): boolean;
}

/** What a group's own subscription's stream is offered: what it tells the group. */
export interface LiveGroupSource {
  readonly kind: 'group';
  /** The stream has registered its hub feed: every event from now on reaches the group. */
  started(): void;
  /** The stream passes this event on next; the group's next result is its execution. */
  yielding(event: { cursor: EventCursor }): void;
  /** The stream ends: the hub closed, or the group's feed fell too far behind. */
  ending(reason: GroupExit['reason']): void;
  /** How many subscribers the group serves now (EventHub.listenerCount counts them). */
  members(): number;
}

export type LiveShare = LiveMember | LiveGroupSource;

/**
 * The live shares transports offered for operations they started, until each operation's stream takes
 * its own. An operation is known by its context object, used only as the key: the context carries
 * nothing of the transport, and the transport's object goes down to the hub, not up through the
 * resolver. The operation is the meeting point because graphql's subscribe never shows its caller the
 * source a resolver returned, so the transport cannot attach to the stream itself. (A weak map: an
 * operation refused before its stream opens leaves nothing behind.)
 */
export class LiveShareOffers {
  private readonly offers = new WeakMap<object, LiveShare>();

  /** `share` is for the stream of the operation whose context is `operation`. */
  offer(operation: object, share: LiveShare): void {
    this.offers.set(operation, share);
  }

  /** What was offered for `operation`, once. */
  take(operation: object): LiveShare | undefined {
    const share = this.offers.get(operation);
    this.offers.delete(operation);
    return share;
  }
}
