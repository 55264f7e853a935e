import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../db/database.ts';

export interface StoredSubmission {
  operation: string;
  jobId: string | null;
  taskIds: string[];
}

/**
 * claimIdempotencyKey: records the key for this transaction, or returns the submission that already
 * owns it. A concurrent first call holding the key makes this wait on the unique index until it
 * commits (then its result is returned) or rolls back (then this call owns the key).
 */
export async function claimIdempotencyKey(
  ex: Executor,
  key: string,
  operation: string,
): Promise<StoredSubmission | null> {
  const inserted = await queryRows<{ key: string }>(
    ex,
    sql`
      /* claimIdempotencyKey */
      INSERT INTO idempotency_keys (key, operation, task_ids) VALUES (${key}, ${operation}, '{}')
      ON CONFLICT (key) DO NOTHING RETURNING key
    `,
  );
  if (inserted.length > 0) return null;
  const [row] = await queryRows<{ operation: string; job_id: string | null; task_ids: string }>(
    ex,
    sql`
      /* readIdempotencyKey */
      SELECT operation, job_id::text AS job_id, array_to_json(task_ids)::text AS task_ids
      FROM idempotency_keys WHERE key = ${key}
    `,
  );
  if (!row) return null;
  return { operation: row.operation, jobId: row.job_id, taskIds: JSON.parse(row.task_ids) as string[] };
}

export async function recordIdempotentResult(
  ex: Executor,
  key: string,
  result: { jobId: string | null; taskIds: readonly string[] },
): Promise<void> {
  await ex.execute(sql`
    /* recordIdempotentResult */
    UPDATE idempotency_keys
    SET job_id = ${result.jobId}, task_ids = ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(result.taskIds)}::jsonb)::uuid)
    WHERE key = ${key}
  `);
}
