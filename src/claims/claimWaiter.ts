import { EVENTS_CHANNEL, type Database } from '../db/database.ts';
import type { Logger } from '../log.ts';
import { CLAIMED_NOTIFICATION } from '../sql/claimTasks.ts';

/**
 * Wakes long-polling claimers (claimTasks with waitMs) when something changed in the database.
 *
 * One LISTEN per server instance on the channel that every committed change notifies once
 * (notifyEvents). A change that may make a task claimable (a submission, a requeue, a conclusion that
 * frees a thread, a resumed job or thread) always writes events, so it always notifies; waiting
 * claimers then try again instead of polling the table on a timer.
 *
 * No wake-up is lost: a claimer reads `generation` BEFORE its claim attempt and waits only while it
 * is unchanged. A task committed after the attempt's snapshot notifies after its commit, so it bumps
 * the generation after the claimer read it, and the claimer tries again at once.
 *
 * Claims notify with their own payload (CLAIMED_NOTIFICATION), which is ignored here: taking tasks
 * never makes one claimable.
 *
 * No thundering herd: waiters are grouped by their name filter, and a notification wakes only the
 * first waiter of each group. If that one claims something, it passes the baton (`passOn`) to the
 * next of its group, which tries too, and so on while there is work; if it finds nothing, the others
 * of its group would find nothing either (same filter, later snapshot than the notification), so
 * they sleep on. A hundred idle workers thus cost one claim query per notification, not a hundred.
 * Attempts of one claimer are also at least `minRetryMs` apart.
 */
export class ClaimWaiter {
  #generation = 0;
  /** Sleeping claimers per name-filter key, oldest first (a Set keeps insertion order). */
  #groups = new Map<string, Set<() => void>>();
  #closed = false;
  #unlisten: (() => Promise<void>) | null = null;

  private constructor(readonly minRetryMs: number) {}

  static async start(database: Database, log: Logger, options: { minRetryMs?: number } = {}): Promise<ClaimWaiter> {
    const waiter = new ClaimWaiter(options.minRetryMs ?? 20);
    waiter.#unlisten = await database.listen(
      EVENTS_CHANNEL,
      (payload) => {
        if (payload !== CLAIMED_NOTIFICATION) waiter.notify();
      },
      () => {
        // Notifications may have been lost while the connection was down: everyone looks again.
        log.debug('claim waiter reconnected');
        waiter.#generation++;
        waiter.#wakeAll();
      },
    );
    return waiter;
  }

  /** The group of a claimer: claimers with the same name filter see the same claimable tasks. */
  static groupKey(names: readonly string[] | null): string {
    return names === null ? '*' : JSON.stringify([...names].sort());
  }

  /** Bumped on every notification; read it before a claim attempt and pass it to `waitForChange`. */
  get generation(): number {
    return this.#generation;
  }

  /** How many claimers are waiting right now (for tests and metrics). */
  get waiting(): number {
    let n = 0;
    for (const group of this.#groups.values()) n += group.size;
    return n;
  }

  get closed(): boolean {
    return this.#closed;
  }

  notify(): void {
    this.#generation++;
    if (this.#closed) return this.#wakeAll();
    for (const key of [...this.#groups.keys()]) this.passOn(key);
  }

  /** Wakes the next sleeping claimer of a group: called by a claimer that found work after a wake-up. */
  passOn(key: string): void {
    const group = this.#groups.get(key);
    const first = group?.values().next();
    if (first && !first.done) first.value();
  }

  #wakeAll(): void {
    for (const group of [...this.#groups.values()]) for (const wake of [...group]) wake();
  }

  /**
   * Resolves when this claimer should try again (true): a notification arrived after `seen` was
   * read, or the claimer before it in its group passed the baton. Resolves false at `deadline`
   * (epoch ms), when `signal` aborts or when the waiter closes (server stopping). `lastAttemptAt`
   * (epoch ms) spaces attempts. A claimer that got true must call `passOn(key)` after an attempt
   * that claimed something (or failed), so the baton goes on.
   */
  async waitForChange(key: string, seen: number, deadline: number, signal: AbortSignal | undefined, lastAttemptAt = 0): Promise<boolean> {
    if (this.#closed || signal?.aborted) return false;
    if (this.#generation === seen) {
      const woken = await new Promise<boolean>((resolve) => {
        let timer: NodeJS.Timeout | undefined;
        const group = this.#groups.get(key) ?? new Set<() => void>();
        this.#groups.set(key, group);
        const finish = (value: boolean) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          group.delete(onWake);
          if (group.size === 0 && this.#groups.get(key) === group) this.#groups.delete(key);
          resolve(value);
        };
        const onWake = () => finish(!this.#closed);
        const onAbort = () => finish(false);
        timer = setTimeout(() => finish(false), Math.max(0, deadline - Date.now()));
        signal?.addEventListener('abort', onAbort, { once: true });
        group.add(onWake);
      });
      if (!woken) return false;
    }
    // Coalesce bursts: attempts of one claimer are at least minRetryMs apart; a first wake-up is immediate.
    const pause = Math.min(lastAttemptAt + this.minRetryMs - Date.now(), deadline - Date.now());
    if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
    if (this.#closed || signal?.aborted || Date.now() >= deadline) {
      // Woken but leaving without an attempt: hand the wake-up to the next claimer of the group.
      this.passOn(key);
      return false;
    }
    return true;
  }

  /** Ends every wait now (the server is stopping) and stops listening. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#wakeAll();
    await this.#unlisten?.();
  }
}
