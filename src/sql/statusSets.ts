import { sql, type SQL } from 'drizzle-orm';
import type { JobStatus } from '../domain/jobStatus.ts';
import type { TaskStatus } from '../domain/taskStateMachine.ts';

/**
 * The domain's status sets (domain/taskStateMachine.ts, domain/jobStatus.ts) as SQL fragments, so that no
 * statement retypes them. Statuses are rendered as literals, not parameters: the planner proves a
 * partial index's predicate (db/tables.ts builds those from the same sets) only from literals in
 * the query text, and a prepared statement's generic plan never sees a parameter's value.
 */

function literal(status: TaskStatus | JobStatus): string {
  // Statuses are the state machine's identifiers; anything else here is a programming error.
  if (!/^[A-Z_]+$/.test(status)) throw new Error(`not a task status: ${status}`);
  return `'${status}'`;
}

/** A status as an SQL literal: `'RUNNING'`. */
export function statusLiteral(status: TaskStatus): SQL {
  return sql.raw(literal(status));
}

/** A status set as an SQL list for IN / NOT IN: `('COMPLETED', 'FAILED', 'CANCELLED')`. */
export function statusList(statuses: readonly (TaskStatus | JobStatus)[]): SQL {
  return sql.raw(`(${statuses.map(literal).join(', ')})`);
}
