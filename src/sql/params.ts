import { sql, type SQL } from 'drizzle-orm';

/**
 * Arrays travel as one parameter, whatever their length, so a 10,000-item batch is still one
 * statement with a handful of parameters (Postgres allows 65,535).
 */

/** The array literal (`{a,b}`) of values that need no quoting: numbers, ids `parseId` accepted, identifiers. */
export function plainArrayLiteral(values: readonly (string | number)[]): string {
  return `{${values.join(',')}}`;
}

/** A `uuid[]` parameter. Callers pass ids that `parseId` accepted, so the literal needs no quoting. */
export function uuidArray(ids: readonly string[]): SQL {
  return sql`${plainArrayLiteral(ids)}::uuid[]`;
}

/** A `text[]` parameter, passed as JSON so any text survives unchanged. */
export function textArray(values: readonly string[]): SQL {
  return sql`ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))`;
}

/** A JSON document parameter (for `jsonb_to_recordset`). */
export function jsonParam(value: unknown): SQL {
  return sql`${JSON.stringify(value)}::jsonb`;
}
