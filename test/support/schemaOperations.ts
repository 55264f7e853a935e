import { sql } from 'drizzle-orm';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isAbstractType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
} from 'graphql';
import { queryRows, type Executor } from '../../src/db/database.ts';
import { schema } from '../../src/schema/index.ts';

/**
 * Operations built from the schema itself, so that every root field — including fields added after
 * these tests were written — is exercised by the access matrix and the hostile-input suites.
 */

export type RootKind = 'query' | 'mutation' | 'subscription';

export interface RootField {
  kind: RootKind;
  name: string;
  field: GraphQLField<unknown, unknown>;
}

export function rootFields(): RootField[] {
  const roots: [RootKind, GraphQLObjectType | null | undefined][] = [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
    ['subscription', schema.getSubscriptionType()],
  ];
  return roots.flatMap(([kind, type]) =>
    type ? Object.values(type.getFields()).map((field) => ({ kind, name: field.name, field })) : [],
  );
}

/** Existing rows that generated arguments point at, so that a wrongly allowed call would change them. */
export interface Targets {
  taskId: string;
  jobId: string;
  thread: string;
  /** A token name `revokeApiToken` may revoke. */
  tokenName: string;
}

/** A value of `type` with only the required parts, pointing at `targets` where a field names a task, job or thread. */
export function requiredValue(type: GraphQLInputType, name: string, targets: Targets): unknown {
  if (isNonNullType(type)) return requiredValue(type.ofType, name, targets);
  if (isListType(type)) return [requiredValue(type.ofType, name, targets)];
  if (isInputObjectType(type)) {
    if (type.name === 'TaskTarget') return { ids: [targets.taskId] };
    const value: Record<string, unknown> = {};
    for (const f of Object.values(type.getFields())) {
      if (isNonNullType(f.type) && f.defaultValue === undefined) value[f.name] = requiredValue(f.type, f.name, targets);
    }
    return value;
  }
  if (isEnumType(type)) return type.getValues()[0]!.value;
  switch (type.name) {
    case 'ID':
      return /job/i.test(name) ? targets.jobId : targets.taskId;
    case 'String':
      if (/thread/i.test(name)) return targets.thread;
      if (name === 'worker') return 'matrix-worker';
      return name === 'name' ? targets.tokenName : `matrix-${name}`;
    case 'Int':
      return 1;
    case 'Float':
      return 0.5;
    case 'Boolean':
      return false;
    case 'DateTime':
      return new Date().toISOString();
    case 'JSON':
      return {};
    default:
      throw new Error(`no generator for scalar ${type.name}`);
  }
}

/** `kind op($a: T!) { field(a: $a) { __typename } }` with its required arguments as variables. */
export function operationFor(root: RootField, targets: Targets): { query: string; variables: Record<string, unknown> } {
  const required = root.field.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined);
  const declarations = required.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
  const call = required.map((a) => `${a.name}: $${a.name}`).join(', ');
  const named = getNamedType(root.field.type);
  const selection = isObjectType(named) || isAbstractType(named) ? ' { __typename }' : '';
  const variables = Object.fromEntries(required.map((a) => [a.name, requiredValue(a.type, a.name, targets)]));
  const query = `${root.kind} Matrix_${root.name}${declarations ? `(${declarations})` : ''} { ${root.name}${call ? `(${call})` : ''}${selection} }`;
  return { query, variables };
}

export { isScalarType };

/**
 * A fingerprint of everything a mutation could change: row counts of every table and a digest of the
 * mutable columns of tasks, jobs, threads and tokens. Equal fingerprints = nothing changed.
 */
export async function stateFingerprint(db: Executor): Promise<string> {
  const rows = await queryRows<{ fp: string }>(
    db,
    sql`SELECT concat_ws('|',
      (SELECT count(*) FROM tasks), (SELECT count(*) FROM jobs), (SELECT count(*) FROM task_events),
      (SELECT count(*) FROM job_events), (SELECT count(*) FROM threads), (SELECT count(*) FROM api_tokens),
      (SELECT count(*) FROM idempotency_keys), (SELECT count(*) FROM workers),
      (SELECT md5(coalesce(string_agg(concat_ws(',', id, status, attempts, priority, progress, resident_on, destroy_pending), ';' ORDER BY id), '')) FROM tasks),
      (SELECT md5(coalesce(string_agg(concat_ws(',', id, status, suspended), ';' ORDER BY id), '')) FROM jobs),
      (SELECT md5(coalesce(string_agg(concat_ws(',', name, paused), ';' ORDER BY name), '')) FROM threads),
      (SELECT md5(coalesce(string_agg(concat_ws(',', name, role, revoked_at, secret_hash), ';' ORDER BY name), '')) FROM api_tokens)
    ) AS fp`,
  );
  return rows[0]!.fp;
}
