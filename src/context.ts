import type { ViewerResolver } from './auth/viewer.ts';
import type { ClaimWaiter } from './claims/claimWaiter.ts';
import type { Database, Executor } from './db/database.ts';
import type { Viewer } from './domain/roles.ts';
import type { EventHub } from './events/hub.ts';
import type { Logger } from './log.ts';
import type { Loaders } from './loaders.ts';
import type { Sweeper } from './sweeper/sweeper.ts';

/** Server-wide services a resolver may use. Later features add theirs here. */
export interface Services {
  database: Database;
  log: Logger;
  sweeper: Sweeper;
  /** The event hub: live task and job events for subscriptions. */
  events: EventHub;
  /** Wakes long-polling claimers (claimTasks with waitMs) on change notifications. */
  claims: ClaimWaiter;
  /** Resolves callers from tokens; told at once when this instance creates a token. */
  viewers: ViewerResolver;
}

export interface Context {
  db: Executor;
  services: Services;
  loaders: Loaders;
  viewer: Viewer;
  requestId: string;
  log: Logger;
  /** Aborted when the client goes away (long-polling claims stop waiting then). */
  signal: AbortSignal | undefined;
}
