import type { FieldNode, GraphQLResolveInfo } from 'graphql';
import { parseResolveInfo, type FieldsByTypeName, type ResolveTree } from 'graphql-parse-resolve-info';
import type { JobColumn, TaskColumn } from '../sql/taskReads.ts';

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
  index: ['jobIndex'],
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

/** The job columns each field of `Job` reads (its aggregates come from loaders keyed by the id). */
export const JOB_FIELD_COLUMNS: Readonly<Record<string, readonly JobColumn[]>> = {
  id: [],
  name: ['name'],
  description: ['description'],
  priority: ['priority'],
  status: ['suspended'],
  suspended: ['suspended'],
  progress: [],
  taskCounts: [],
  tasks: [],
  createdAt: ['createdAt'],
  finishedAt: ['finishedAt'],
  __typename: [],
};

/** Always selected: the key. */
const ALWAYS: readonly TaskColumn[] = ['id'];
/** Selected when the query asks for a cursor (an edge's, or the page's first or last). */
const CURSOR: readonly TaskColumn[] = ['id', 'seq'];
/** Always selected of a joined job: its key. */
const ALWAYS_JOB: readonly JobColumn[] = ['id'];

function fieldsOf(fieldsByTypeName: FieldsByTypeName, type: string): ResolveTree[] {
  return [type, 'Node'].flatMap((name) => Object.values(fieldsByTypeName[name] ?? {}));
}

function columnsOf<C extends string>(fields: readonly ResolveTree[], map: Readonly<Record<string, readonly C[]>>, always: readonly C[]): C[] | null {
  const columns = new Set<C>(always);
  for (const field of fields) {
    const needs = map[field.name];
    if (!needs) return null;
    for (const column of needs) columns.add(column);
  }
  return [...columns];
}

export interface TaskPageSelection {
  /** The task columns to select, or null for all of them. */
  columns: TaskColumn[] | null;
  /** When `job` is asked for: the job columns to join, so that the page's jobs come in the same query. */
  jobColumns: JobColumn[] | null;
}

/**
 * What a `TaskConnection` field's selection (its `nodes` and `edges { node }`) needs: the task
 * columns, and the job columns when it asks for each task's job. Anything it cannot read means every
 * task column and no join (the rows are then complete and the job comes from its loader).
 */
export function taskPageSelection(info: GraphQLResolveInfo): TaskPageSelection {
  // Without variables (@include/@skip may read them) the answer depends on the field node alone, and
  // the parsed document, so its nodes, is the same object for every request with the same text.
  const cacheable = Object.keys(info.variableValues).length === 0 && info.fieldNodes.length === 1;
  const cached = cacheable ? selectionCache.get(info.fieldNodes[0]!) : undefined;
  if (cached) return cached;
  const selection = readSelection(info);
  if (cacheable) selectionCache.set(info.fieldNodes[0]!, selection);
  return selection;
}

const selectionCache = new WeakMap<FieldNode, TaskPageSelection>();

function readSelection(info: GraphQLResolveInfo): TaskPageSelection {
  const all: TaskPageSelection = { columns: null, jobColumns: null };
  const tree = parseResolveInfo(info) as ResolveTree | null;
  if (!tree) return all;
  const connection = tree.fieldsByTypeName.TaskConnection ?? {};
  const selected: ResolveTree[] = [];
  let cursors = false;
  for (const field of Object.values(connection)) {
    if (field.name === 'nodes') selected.push(...fieldsOf(field.fieldsByTypeName, 'Task'));
    if (field.name === 'edges') {
      for (const edgeField of Object.values(field.fieldsByTypeName.TaskEdge ?? {})) {
        if (edgeField.name === 'node') selected.push(...fieldsOf(edgeField.fieldsByTypeName, 'Task'));
        if (edgeField.name === 'cursor') cursors = true;
      }
    }
    if (field.name === 'pageInfo') {
      for (const infoField of Object.values(field.fieldsByTypeName.PageInfo ?? {})) {
        if (infoField.name === 'startCursor' || infoField.name === 'endCursor') cursors = true;
      }
    }
  }
  // The cursor is the row's seq: a page that shows none does not read it (one column in six of the
  // usual page; hasNextPage comes from the extra row, not from seq).
  const columns = columnsOf(selected, TASK_FIELD_COLUMNS, cursors ? CURSOR : ALWAYS);
  if (!columns) return all;
  const jobFields = selected.filter((f) => f.name === 'job').flatMap((f) => fieldsOf(f.fieldsByTypeName, 'Job'));
  const jobColumns = jobFields.length > 0 ? columnsOf(jobFields, JOB_FIELD_COLUMNS, ALWAYS_JOB) : null;
  return { columns, jobColumns };
}
