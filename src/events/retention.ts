import type { SweepStep } from '../sweeper.ts';
import { pruneEvents } from '../sql/events.ts';

/** Rows per log per tick: a backlog drains over a few ticks instead of in one huge transaction. */
const PRUNE_BATCH = 20_000;

/**
 * The sweep step that keeps the event logs to `retentionMs` (config.eventRetentionMs, 7 days by
 * default). When there is nothing to prune it costs a few index probes. Subscriptions and pages that
 * ask for a cursor older than what is kept get a clear CURSOR_EXPIRED error (assertCursorRetained).
 */
export function pruneEventsStep(retentionMs: number): SweepStep {
  return {
    name: 'pruneEvents',
    run: (database, now) => pruneEvents(database.db, new Date(now.getTime() - retentionMs), PRUNE_BATCH),
  };
}
