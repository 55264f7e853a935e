import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../db/database.ts';
import type { EventCursor } from '../domain/cursors.ts';

export interface StoredSubmission {
  operation: string;
  /** Null for a key stored before request hashes were recorded. */
  requestHash: string | null;
  jobId: string | null;
  taskIds: string[];
  cursor: EventCursor | null;
}

/**
 * claimIdempotencyKey: records the key for this transaction, with the operation and the hash of the
 * request, or returns the submission that already owns it. A concurrent first call holding the key
 * makes this wait on the unique index until it commits (then its result is returned) or rolls back
 * (then this call owns the key).
 */
export async function claimIdempotencyKey(
  ex: Executor,
  key: string,
  operation: string,
  requestHash: string,
): Promise<StoredSubmission | null> {
  const inserted = await queryRows<{ key: string }>(
    ex,
    sql`
      /* claimIdempotencyKey */
      INSERT INTO idempotency_keys (key, operation, request_hash, task_ids) VALUES (${key}, ${operation}, ${requestHash}, '{}')
      ON CONFLICT (key) DO NOTHING RETURNING key
    `,
  );
  if (inserted.length > 0) return null;
  const [row] = await queryRows<{
    operation: string;
    request_hash: string | null;
    job_id: string | null;
    task_ids: string;
    last_event_txid: string | null;
    last_event_id: string | null;
  }>(
    ex,
    sql`
      /* readIdempotencyKey */
      SELECT operation, request_hash, job_id::text AS job_id, array_to_json(task_ids)::text AS task_ids,
             last_event_txid::text AS last_event_txid, last_event_id::text AS last_event_id
      FROM idempotency_keys WHERE key = ${key}
    `,
  );
  if (!row) return null;
  return {
    operation: row.operation,
    requestHash: row.request_hash,
    jobId: row.job_id,
    taskIds: JSON.parse(row.task_ids) as string[],
    cursor:
      row.last_event_txid !== null && row.last_event_id !== null
        ? { txid: BigInt(row.last_event_txid), id: BigInt(row.last_event_id) }
        : null,
  };
}

export async function recordIdempotentResult(
  ex: Executor,
  key: string,
  result: { jobId: string | null; ids: readonly string[]; cursor: EventCursor | null },
): Promise<void> {
  await ex.execute(sql`
    /* recordIdempotentResult */
    UPDATE idempotency_keys
    SET job_id = ${result.jobId}, task_ids = ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(result.ids)}::jsonb)::uuid),
        last_event_txid = ${result.cursor?.txid.toString() ?? null}::bigint, last_event_id = ${result.cursor?.id.toString() ?? null}::bigint
    WHERE key = ${key}
  `);
}
