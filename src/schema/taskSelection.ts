import type { GraphQLResolveInfo } from 'graphql';
import { parseResolveInfo, type FieldsByTypeName, type ResolveTree } from 'graphql-parse-resolve-info';
import type { TaskColumn } from '../sql/taskReads.ts';

/**
 * The task columns each field of the `Task` type reads. A page of tasks selects only the columns of
 * the fields its query asks for: parsing all 36 columns of 100 rows (timestamps, JSON, arrays) costs
 * several times the rest of the request. test/taskSelection.test.ts fails when a Task field has no
 * entry here, so a new field cannot silently read a column that was not selected.
 */
export const TASK_FIELD_COLUMNS: Readonly<Record<string, readonly TaskColumn[]>> = {
  id: [],
  name: ['name'],
  description: ['description'],
  conf: ['conf'],
  status: ['status'],
  job: ['jobId'],
  index: [],
  parent: ['parentId'],
  subtasks: [],
  events: [],
  thread: ['thread'],
  priority: ['priority'],
  timeoutMs: ['timeoutMs'],
  maxAttempts: ['maxAttempts'],
  attempts: ['attempts'],
  refId: ['refId'],
  auto: ['auto'],
  archive: ['archive'],
  open: ['open'],
  progress: ['progress'],
  message: ['message'],
  result: ['result'],
  resultType: ['resultType'],
  errorInfo: ['errorInfo'],
  residentOn: ['residentOn'],
  leaseExpiresAt: ['leaseExpiresAt'],
  allowedOperations: ['status', 'jobId'],
  createdAt: ['createdAt'],
  startedAt: ['startedAt'],
  finishedAt: ['finishedAt'],
  __typename: [],
};

/** Always selected: the key, the cursor, and the column `Task.isTypeOf` recognises a task row by. */
const ALWAYS: readonly TaskColumn[] = ['id', 'seq', 'jobIndex'];

/** The selection sets a `Task` object can appear in: the type itself and the interfaces it implements. */
const TASK_TYPE_NAMES = ['Task', 'Node'];

function taskFields(fieldsByTypeName: FieldsByTypeName): ResolveTree[] {
  return TASK_TYPE_NAMES.flatMap((type) => Object.values(fieldsByTypeName[type] ?? {}));
}

/**
 * The columns a `TaskConnection` field's selection needs (its `nodes` and `edges { node }`), or null
 * for every column when the selection cannot be read (then the rows are complete, as before).
 */
export function taskConnectionColumns(info: GraphQLResolveInfo): TaskColumn[] | null {
  const tree = parseResolveInfo(info) as ResolveTree | null;
  if (!tree) return null;
  const connection = tree.fieldsByTypeName.TaskConnection ?? {};
  const selected: ResolveTree[] = [];
  for (const field of Object.values(connection)) {
    if (field.name === 'nodes') selected.push(...taskFields(field.fieldsByTypeName));
    if (field.name === 'edges') {
      for (const edgeField of Object.values(field.fieldsByTypeName.TaskEdge ?? {})) {
        if (edgeField.name === 'node') selected.push(...taskFields(edgeField.fieldsByTypeName));
      }
    }
  }
  const columns = new Set<TaskColumn>(ALWAYS);
  for (const field of selected) {
    const needs = TASK_FIELD_COLUMNS[field.name];
    if (!needs) return null;
    for (const column of needs) columns.add(column);
  }
  return [...columns];
}
