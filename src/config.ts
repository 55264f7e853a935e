import { z } from 'zod';

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z.string().min(1).optional(),
  TASKLANE_DATA_DIR: z.string().min(1).default('./data'),
  TASKLANE_ADMIN_TOKEN: z.string().min(16, 'TASKLANE_ADMIN_TOKEN must be at least 16 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TASKLANE_EVENT_RETENTION_DAYS: z.coerce.number().positive().default(7),
  TASKLANE_TASK_RETENTION_DAYS: z.coerce.number().positive().optional(),
  TASKLANE_INTROSPECTION: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  TASKLANE_SWEEP_INTERVAL_MS: z.coerce.number().int().min(50).default(1000),
  TASKLANE_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(16 * 1024 * 1024),
  TASKLANE_MAX_CONNECTIONS: z.coerce.number().int().min(1).default(4096),
  TASKLANE_MAX_SUBSCRIPTIONS_PER_CONNECTION: z.coerce.number().int().min(1).default(100),
  TASKLANE_MAX_SUBSCRIBER_BACKLOG_BYTES: z.coerce.number().int().min(1024).default(4 * 1024 * 1024),
  TASKLANE_SUBSCRIBER_WRITE_INTERVAL_MS: z.coerce.number().int().min(1).max(1000).default(50),
  TASKLANE_PERSISTED_DOCUMENTS: z.string().min(1).optional(),
});

export interface Config {
  port: number;
  host: string;
  /** Real Postgres when set; otherwise embedded PGlite in `dataDir`. */
  databaseUrl: string | undefined;
  /** PGlite data folder, or `memory://` for a throw-away database. */
  dataDir: string;
  adminToken: string | undefined;
  logLevel: string;
  eventRetentionMs: number;
  /** Concluded tasks (not `archive`) older than this are deleted by the sweeper; unset keeps them. */
  taskRetentionMs: number | undefined;
  introspection: boolean;
  sweepIntervalMs: number;
  /** Largest request body (HTTP) or message (WebSocket); a 10,000-task runTasks is a few MB. */
  maxBodyBytes: number;
  /** Open sockets (HTTP keep-alive, SSE and WebSocket together) the server accepts. */
  maxConnections: number;
  /** Concurrent operations on one WebSocket connection. */
  maxSubscriptionsPerConnection: number;
  /** Bytes a WebSocket subscriber may have unsent before it is ended with SUBSCRIBER_TOO_SLOW. */
  maxSubscriberBacklogBytes: number;
  /**
   * How long a busy WebSocket subscriber's live events may be held back to go out in one write
   * (src/transport/frameWrites.ts, WriteBatches); a subscriber that has not been written to for this long
   * gets its next event at once.
   */
  subscriberWriteIntervalMs: number;
  /**
   * The trusted-documents manifest (GraphQL Code Generator's persisted-documents.json): when set, the
   * server runs only its documents, by documentId; unset, it runs any document and accepts Apollo's
   * automatic persisted queries. Read once at start (src/limits/persistedDocuments.ts).
   */
  persistedDocumentsFile: string | undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const day = 24 * 3600 * 1000;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.TASKLANE_DATA_DIR,
    adminToken: e.TASKLANE_ADMIN_TOKEN,
    logLevel: e.LOG_LEVEL,
    eventRetentionMs: e.TASKLANE_EVENT_RETENTION_DAYS * day,
    taskRetentionMs: e.TASKLANE_TASK_RETENTION_DAYS === undefined ? undefined : e.TASKLANE_TASK_RETENTION_DAYS * day,
    introspection: e.TASKLANE_INTROSPECTION,
    sweepIntervalMs: e.TASKLANE_SWEEP_INTERVAL_MS,
    maxBodyBytes: e.TASKLANE_MAX_BODY_BYTES,
    maxConnections: e.TASKLANE_MAX_CONNECTIONS,
    maxSubscriptionsPerConnection: e.TASKLANE_MAX_SUBSCRIPTIONS_PER_CONNECTION,
    maxSubscriberBacklogBytes: e.TASKLANE_MAX_SUBSCRIBER_BACKLOG_BYTES,
    subscriberWriteIntervalMs: e.TASKLANE_SUBSCRIBER_WRITE_INTERVAL_MS,
    persistedDocumentsFile: e.TASKLANE_PERSISTED_DOCUMENTS,
  };
}
