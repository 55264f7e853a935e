import { EVENTS_CHANNEL, type Database } from '../db/database.ts';
import type { Logger } from '../log.ts';

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
 * A burst of notifications (a busy system) wakes each waiter at most once per `minRetryMs`, so idle
 * waiters do not turn every unrelated event into a claim query each.
 */
export class ClaimWaiter {
  #generation = 0;
  #waiters = new Set<() => void>();
  #closed = false;
  #unlisten: (() => Promise<void>) | null = null;

  private constructor(readonly minRetryMs: number) {}

  static async start(database: Database, log: Logger, options: { minRetryMs?: number } = {}): Promise<ClaimWaiter> {
    const waiter = new ClaimWaiter(options.minRetryMs ?? 20);
    waiter.#unlisten = await database.listen(
      EVENTS_CHANNEL,
      () => waiter.notify(),
      () => {
        // Notifications may have been lost while the connection was down: everyone looks again.
        log.debug('claim waiter reconnected');
        waiter.notify();
      },
    );
    return waiter;
  }

  /** Bumped on every notification; read it before a claim attempt and pass it to `waitForChange`. */
  get generation(): number {
    return this.#generation;
  }

  /** How many claimers are waiting right now (for tests and metrics). */
  get waiting(): number {
    return this.#waiters.size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  notify(): void {
    this.#generation++;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }

  /**
   * Resolves when a notification arrived after `seen` was read, at `deadline` (epoch ms), when
   * `signal` aborts or when the waiter closes (server stopping), whichever comes first. Resolves
   * true when the caller should try to claim again. `lastAttemptAt` (epoch ms) spaces attempts.
   */
  async waitForChange(seen: number, deadline: number, signal: AbortSignal | undefined, lastAttemptAt = 0): Promise<boolean> {
    if (this.#closed || signal?.aborted) return false;
    if (this.#generation === seen) {
      const woken = await new Promise<boolean>((resolve) => {
        let timer: NodeJS.Timeout | undefined;
        const finish = (value: boolean) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          this.#waiters.delete(onWake);
          resolve(value);
        };
        const onWake = () => finish(!this.#closed);
        const onAbort = () => finish(false);
        timer = setTimeout(() => finish(false), Math.max(0, deadline - Date.now()));
        signal?.addEventListener('abort', onAbort, { once: true });
        this.#waiters.add(onWake);
      });
      if (!woken) return false;
    }
    // Coalesce bursts: attempts of one claimer are at least minRetryMs apart, so a stream of
    // notifications costs each waiter a bounded number of claim queries; a first wake-up is immediate.
    const pause = Math.min(lastAttemptAt + this.minRetryMs - Date.now(), deadline - Date.now());
    if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
    return !this.#closed && !signal?.aborted && Date.now() < deadline;
  }

  /** Ends every wait now (the server is stopping) and stops listening. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.notify();
    await this.#unlisten?.();
  }
}
