import type { Database } from './db/database.ts';
import type { Logger } from './log.ts';

/**
 * One periodic step of the sweeper (lease expiry, timeouts, delayed conclusions, retention, …).
 * Each step is a set-based statement that is safe to run in several server instances at once:
 * it locks the rows it changes with `FOR UPDATE SKIP LOCKED`, so two sweepers never act on one row.
 * Returns how many rows it changed (for the logs).
 */
export interface SweepStep {
  name: string;
  run(database: Database, now: Date): Promise<number>;
}

export interface Sweeper {
  /** Runs every step once now (tests call this instead of waiting for the timer). */
  sweep(): Promise<void>;
  /** Asks for a sweep soon, e.g. when a delayed conclusion is due before the next tick. */
  wakeAt(when: Date): void;
  stop(): Promise<void>;
}

export function startSweeper(database: Database, log: Logger, steps: readonly SweepStep[], intervalMs: number): Sweeper {
  let running: Promise<void> | null = null;
  let stopped = false;
  let wake: NodeJS.Timeout | null = null;

  const sweep = (): Promise<void> => {
    running ??= (async () => {
      const now = new Date();
      for (const step of steps) {
        if (stopped) break;
        try {
          const changed = await step.run(database, now);
          if (changed > 0) log.debug({ step: step.name, changed }, 'sweep');
        } catch (error) {
          log.error({ err: error, step: step.name }, 'sweep step failed');
        }
      }
    })().finally(() => {
      running = null;
    });
    return running;
  };

  const timer = setInterval(() => void sweep(), intervalMs);
  timer.unref();

  return {
    sweep,
    wakeAt(when) {
      if (stopped) return;
      const delay = Math.max(0, when.getTime() - Date.now());
      if (delay >= intervalMs) return;
      if (wake) clearTimeout(wake);
      wake = setTimeout(() => {
        wake = null;
        void sweep();
      }, delay + 5);
      wake.unref();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      if (wake) clearTimeout(wake);
      await running;
    },
  };
}
