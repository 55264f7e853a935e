import { sql } from 'drizzle-orm';
import type { TaskStatus } from '../domain/taskStateMachine.ts';
import {
  bigint,
  boolean,
  check,
  customType,
  doublePrecision,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * A jsonb column whose reads are the driver's value as it is. drizzle's own `jsonb()` runs
 * `JSON.parse` again on any string the driver returns, but postgres.js and PGlite have already
 * parsed the jsonb: a stored JSON string such as `"{\"a\":1}"` or `"123"` came back as the object
 * or number it spells. Writes encode as drizzle's `jsonb()` does (JSON text, cast by Postgres).
 */
const jsonb = customType<{ data: unknown; driverData: unknown }>({
  dataType: () => 'jsonb',
  toDriver: (value) => JSON.stringify(value),
  fromDriver: (value) => value,
});

/**
 * The transaction id of the writing transaction, as a plain bigint. Event readers compare it with
 * the oldest transaction still running (`pg_snapshot_xmin`) so they never pass a row whose
 * transaction could still commit; see src/sql/events.ts.
 */
const currentTxid = sql`(pg_current_xact_id()::text::bigint)`;

export const jobs = pgTable(
  'jobs',
  {
    id: uuid('id').primaryKey(),
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity().notNull(),
    name: text('name').notNull(),
    description: text('description'),
    priority: integer('priority').notNull().default(50),
    suspended: boolean('suspended').notNull().default(false),
    /** Derived status (see src/domain/jobStatus.ts), recomputed in every transaction that changes the job's tasks. */
    status: text('status').notNull().default('PENDING'),
    /** The cursor txid of this job's latest job event (as tasks.event_txid). */
    eventTxid: bigint('event_txid', { mode: 'number' }).notNull().default(currentTxid),
    /** The index the next appended task gets; bumping it also locks the job row against concurrent appends. */
    nextIndex: integer('next_index').notNull().default(0),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    finishedAt: timestamptz('finished_at'),
  },
  (t) => [
    uniqueIndex('jobs_seq_idx').on(t.seq),
    index('jobs_name_idx').on(t.name, t.seq),
    index('jobs_status_idx').on(t.status, t.seq),
  ],
);

export const tasks = pgTable(
  'tasks',
  {
    id: uuid('id').primaryKey(),
    /** Creation order: keyset cursors, thread order and claim order use it. */
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity().notNull(),
    name: text('name').notNull(),
    description: text('description'),
    conf: jsonb('conf').notNull().default({}),
    status: text('status').$type<TaskStatus>().notNull(),
    jobId: uuid('job_id').references(() => jobs.id, { onDelete: 'cascade' }),
    jobIndex: integer('job_index'),
    parentId: uuid('parent_id'),
    thread: text('thread'),
    priority: integer('priority').notNull().default(50),
    timeoutMs: integer('timeout_ms'),
    maxAttempts: integer('max_attempts').notNull().default(3),
    attempts: integer('attempts').notNull().default(0),
    refId: text('ref_id'),
    auto: boolean('auto').notNull().default(false),
    archive: boolean('archive').notNull().default(false),
    open: boolean('open').notNull().default(false),
    progress: doublePrecision('progress').notNull().default(0),
    message: text('message'),
    result: jsonb('result'),
    resultType: text('result_type'),
    errorInfo: text('error_info').array().notNull().default(sql`'{}'::text[]`),
    residentOn: text('resident_on'),
    leaseExpiresAt: timestamptz('lease_expires_at'),
    heartbeatAt: timestamptz('heartbeat_at'),
    /**
     * The cursor txid of this task's latest event. A transaction writing the next event uses
     * GREATEST(its own txid, this), so one task's events sort in the order they happened even when
     * an older transaction changes the task after a younger one committed; see src/sql/events.ts.
     */
    eventTxid: bigint('event_txid', { mode: 'number' }).notNull().default(currentTxid),
    /** When the last PROGRESS event was written: progress events are throttled per task. */
    progressEventAt: timestamptz('progress_event_at'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    startedAt: timestamptz('started_at'),
    finishedAt: timestamptz('finished_at'),
    /** Set by suspendJobs so that resumeJobs requeues exactly the tasks the suspension suspended. */
    suspendedByJob: boolean('suspended_by_job').notNull().default(false),
    /** XenAPI deferred destroy: delete the task once it concludes. */
    destroyPending: boolean('destroy_pending').notNull().default(false),
    /** A conclusion accepted with delayMs, applied by the sweeper at concludeAt (durable across restarts). */
    pendingConclusion: jsonb('pending_conclusion'),
    concludeAt: timestamptz('conclude_at'),
  },
  (t) => [
    uniqueIndex('tasks_seq_idx').on(t.seq),
    uniqueIndex('tasks_job_index_idx').on(t.jobId, t.jobIndex),
    index('tasks_claim_idx').on(t.priority.desc(), t.seq).where(sql`${t.status} = 'QUEUED'`),
    index('tasks_thread_idx').on(t.thread, t.seq).where(sql`${t.thread} IS NOT NULL`),
    // A thread's head (its oldest task not concluded) without walking the thread's finished history.
    index('tasks_thread_open_idx')
      .on(t.thread, t.seq)
      .where(sql`${t.thread} IS NOT NULL AND ${t.status} NOT IN ('COMPLETED', 'FAILED', 'CANCELLED')`),
    index('tasks_name_idx').on(t.name, t.seq),
    index('tasks_ref_id_idx').on(t.refId).where(sql`${t.refId} IS NOT NULL`),
    index('tasks_status_idx').on(t.status, t.seq),
    index('tasks_job_status_idx').on(t.jobId, t.status),
    index('tasks_parent_idx').on(t.parentId, t.seq).where(sql`${t.parentId} IS NOT NULL`),
    index('tasks_resident_idx').on(t.residentOn).where(sql`${t.residentOn} IS NOT NULL`),
    index('tasks_lease_idx')
      .on(t.leaseExpiresAt)
      .where(sql`${t.status} IN ('RUNNING', 'CANCELLING')`),
    index('tasks_conclude_at_idx').on(t.concludeAt).where(sql`${t.concludeAt} IS NOT NULL`),
    index('tasks_finished_idx').on(t.finishedAt).where(sql`${t.finishedAt} IS NOT NULL`),
    check(
      'tasks_status_check',
      sql`${t.status} IN ('PENDING','QUEUED','RUNNING','SUSPENDED','CANCELLING','COMPLETED','FAILED','CANCELLED')`,
    ),
  ],
);

export const threads = pgTable('threads', {
  name: text('name').primaryKey(),
  seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity().notNull(),
  paused: boolean('paused').notNull().default(false),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
});

/** Append-only log of task changes. Its (txid, id) order is the cursor order; see src/sql/events.ts. */
export const taskEvents = pgTable(
  'task_events',
  {
    id: bigint('id', { mode: 'number' }).generatedAlwaysAsIdentity().primaryKey(),
    txid: bigint('txid', { mode: 'number' }).notNull().default(currentTxid),
    kind: text('kind').notNull(),
    taskId: uuid('task_id').notNull(),
    jobId: uuid('job_id'),
    thread: text('thread'),
    previousStatus: text('previous_status'),
    status: text('status'),
    progress: doublePrecision('progress'),
    at: timestamptz('at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('task_events_order_idx').on(t.txid, t.id),
    index('task_events_task_idx').on(t.taskId, t.txid, t.id),
    index('task_events_job_idx').on(t.jobId, t.txid, t.id).where(sql`${t.jobId} IS NOT NULL`),
    index('task_events_at_idx').on(t.at),
  ],
);

/** Changes of a job's derived status, in the same cursor order as task events. */
export const jobEvents = pgTable(
  'job_events',
  {
    id: bigint('id', { mode: 'number' }).generatedAlwaysAsIdentity().primaryKey(),
    txid: bigint('txid', { mode: 'number' }).notNull().default(currentTxid),
    jobId: uuid('job_id').notNull(),
    previousStatus: text('previous_status'),
    status: text('status').notNull(),
    at: timestamptz('at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('job_events_order_idx').on(t.txid, t.id),
    index('job_events_job_idx').on(t.jobId, t.txid, t.id),
    index('job_events_at_idx').on(t.at),
  ],
);

export const apiTokens = pgTable('api_tokens', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull().unique(),
  role: text('role').notNull(),
  /** sha256 of the secret; the secret itself is shown once and never stored. */
  secretHash: text('secret_hash').notNull().unique(),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
  revokedAt: timestamptz('revoked_at'),
  lastUsedAt: timestamptz('last_used_at'),
});

/** The first result of a submission, returned again when a client retries with the same key. */
export const idempotencyKeys = pgTable('idempotency_keys', {
  key: text('key').primaryKey(),
  operation: text('operation').notNull(),
  /**
   * sha256 of the request the key was first used with (src/domain/requestHash.ts): a retry must send
   * the same request. Null for keys stored before it was recorded; those accept any request.
   */
  requestHash: text('request_hash'),
  jobId: uuid('job_id'),
  taskIds: uuid('task_ids').array().notNull(),
  /** The event-log cursor of the first call's last event (its payload's `cursor`), null when it wrote none. */
  lastEventTxid: bigint('last_event_txid', { mode: 'number' }),
  lastEventId: bigint('last_event_id', { mode: 'number' }),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
});

export const workers = pgTable('workers', {
  name: text('name').primaryKey(),
  firstSeenAt: timestamptz('first_seen_at').notNull().defaultNow(),
  lastSeenAt: timestamptz('last_seen_at').notNull().defaultNow(),
});

export type TaskRow = typeof tasks.$inferSelect;
export type JobRow = typeof jobs.$inferSelect;
export type ThreadRow = typeof threads.$inferSelect;
export type TaskEventRow = typeof taskEvents.$inferSelect;
export type JobEventRow = typeof jobEvents.$inferSelect;
