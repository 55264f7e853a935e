import type { Database } from '../db/database.ts';
import type { Logger } from '../log.ts';

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

  // Moments a sweep was asked for (epoch ms, ascending); one timer runs for the earliest. Each due
  // moment gets its sweep, so an earlier request never pushes a later one to the next tick, nor the
  // other way round.
  const wakeTimes: number[] = [];
  let wake: NodeJS.Timeout | null = null;
  let wakeFor: number | null = null;

  const scheduleWake = () => {
    const next = wakeTimes[0];
    if (stopped || next === undefined || next === wakeFor) return;
    if (wake) clearTimeout(wake);
    wakeFor = next;
    wake = setTimeout(() => {
      wake = null;
      wakeFor = null;
      const now = Date.now();
      while (wakeTimes.length > 0 && wakeTimes[0]! <= now) wakeTimes.shift();
      // A sweep already running started before this moment: sweep again once it is done.
      void (running ?? Promise.resolve()).then(() => sweep());
      scheduleWake();
    }, Math.max(0, next - Date.now()) + 5);
    wake.unref();
  };

  return {
    sweep,
    wakeAt(when) {
      if (stopped) return;
      const at = when.getTime();
      if (at - Date.now() >= intervalMs) return; // the regular tick comes first
      let i = wakeTimes.length;
      while (i > 0 && wakeTimes[i - 1]! > at) i--;
      if (wakeTimes[i - 1] === at) return;
      wakeTimes.splice(i, 0, at);
      scheduleWake();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      if (wake) clearTimeout(wake);
      wakeTimes.length = 0;
      await running;
    },
  };
}
