import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import { tasks } from '../db/tables.ts';
import { RUN_RESET, type RunResetColumn } from '../domain/taskStateMachine.ts';

/** The state machine's run reset (domain/taskStateMachine.ts RUN_RESET) as SQL: no statement retypes its columns. */

/** A reset value of RUN_RESET as SQL. */
function resetValue(value: (typeof RUN_RESET)[RunResetColumn]): string {
  if (value === null) return 'NULL';
  if (Array.isArray(value)) return `'{}'::text[]`;
  return String(value);
}

const COLUMNS = getTableColumns(tasks);

/**
 * The SET assignments of a run reset (RUN_RESET) on the task alias `t`, one per column:
 * `column = CASE WHEN <when> THEN <reset value> ELSE <otherwise> END`, where `otherwise` defaults to
 * the column as it is; `'reset'` resets the column in either case (`column = <reset value>`).
 */
export function resetRunColumns(when: SQL, otherwise: Partial<Record<RunResetColumn, SQL | 'reset'>> = {}): SQL {
  const assignments = (Object.keys(RUN_RESET) as RunResetColumn[]).map((key) => {
    const column = sql.raw(COLUMNS[key].name);
    const reset = sql.raw(resetValue(RUN_RESET[key]));
    const other = otherwise[key];
    if (other === 'reset') return sql`${column} = ${reset}`;
    return sql`${column} = CASE WHEN ${when} THEN ${reset} ELSE ${other ?? sql`t.${column}`} END`;
  });
  return sql.join(assignments, sql.raw(',\n          '));
}
