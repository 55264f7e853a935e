import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  execute,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  parse,
  print,
  typeFromAST,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLInputType,
  type GraphQLResolveInfo,
  type OperationDefinitionNode,
} from 'graphql';
import { envelop } from 'graphql-yoga';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '../src/context.ts';
import { runsCompiled, useOperationExecutor } from '../src/executor.ts';
import * as generatedDocuments from '../src/gql/graphql.ts';
import { createLoaders } from '../src/loaders.ts';
import { schema } from '../src/schema/index.ts';
import { startTestServer, type TestServer } from './support/server.ts';

/**
 * The production executor (src/executor.ts: graphql-jit where it allows, graphql-js elsewhere) and
 * plain graphql-js `execute` give identical results (data, and errors with their messages, paths,
 * locations and extensions) for every operation the suite sends and a hand-written set of the
 * constructs where the two could part: variables inside JSON literals, nested lists and objects,
 * defaults, fragments, directives, aliases, enums, list coercion, null, missing and bad variables.
 *
 * Same data, with mutations too, by record and replay: every resolver of the schema is wrapped. The
 * production run records, per response path, the arguments and resolve info each resolver got and
 * what it returned (or threw); graphql-js then runs on the same schema with resolvers that check
 * they get the same arguments and info and return the recorded values. So no second database, and a
 * difference in coercion shows as the arguments that differ, even where the result would not.
 *
 * Subscriptions are not compared: the production executor leaves them to graphql-js's own
 * `subscribe` (`runsCompiled` is false for them; checked below, with the routing of a few shapes).
 */

// ---- Record and replay ---------------------------------------------------------------------------

interface Call {
  args: string;
  info: string;
  /** Whether the resolver answered with a promise (replayed the same way). */
  async: boolean;
  outcome?: { ok: true; value: unknown } | { ok: false; error: unknown };
}

let mode: 'pass' | 'record' | 'replay' = 'pass';
let calls = new Map<string, Call>();
let replayed = new Set<string>();
let problems: string[] = [];

function pathKey(path: GraphQLResolveInfo['path'] | undefined): string {
  const keys: (string | number)[] = [];
  for (let p = path; p; p = p.prev) keys.unshift(p.key);
  return keys.join('.');
}

/** A comparable form of a value: object keys sorted, a key holding undefined the same as no key. */
function canonical(value: unknown): unknown {
  if (value === undefined) return '<undefined>';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return { $date: value.toISOString() };
  if (Array.isArray(value)) return value.map(canonical);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const item = (value as Record<string, unknown>)[key];
    if (item !== undefined) out[key] = canonical(item);
  }
  return out;
}

/** What a resolver could learn from its info beyond its arguments. */
function infoDigest(info: GraphQLResolveInfo): string {
  return JSON.stringify(
    canonical({
      parentType: info.parentType.name,
      fieldName: info.fieldName,
      returnType: String(info.returnType),
      fieldNodes: info.fieldNodes.map((node) => print(node)),
      variableValues: info.variableValues,
      operation: info.operation.name?.value ?? info.operation.operation,
      fragments: Object.keys(info.fragments).sort(),
    }),
  );
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

// Wrapped before any server compiles a document (graphql-jit captures the resolvers it compiles).
// Fields without a resolver are left alone: jit reads those properties inline, graphql-js through
// its default resolver, both from the parent value that was recorded or replayed. Introspection
// types are graphql-js's own shared objects, and resolve the same in both runs anyway.
for (const type of Object.values(schema.getTypeMap())) {
  if (!isObjectType(type) || type.name.startsWith('__') || type === schema.getSubscriptionType()) continue;
  for (const field of Object.values(type.getFields())) {
    const original = field.resolve;
    if (!original) continue;
    field.resolve = (source, args, context, info) => {
      if (mode === 'pass') return original(source, args, context, info);
      const key = pathKey(info.path);
      if (mode === 'record') {
        if (calls.has(key)) problems.push(`production resolved ${key} twice`);
        const call: Call = { args: JSON.stringify(canonical(args)), info: infoDigest(info), async: false };
        calls.set(key, call);
        try {
          const result = original(source, args, context, info);
          if (!isPromiseLike(result)) {
            call.outcome = { ok: true, value: result };
            return result;
          }
          call.async = true;
          return Promise.resolve(result).then(
            (value) => ((call.outcome = { ok: true, value }), value),
            (error: unknown) => {
              call.outcome = { ok: false, error };
              throw error;
            },
          );
        } catch (error) {
          call.outcome = { ok: false, error };
          throw error;
        }
      }
      const call = calls.get(key);
      if (!call?.outcome) {
        problems.push(`graphql-js resolved ${key}, production did not`);
        throw new Error(`not recorded: ${key}`);
      }
      replayed.add(key);
      const replayArgs = JSON.stringify(canonical(args));
      if (replayArgs !== call.args) problems.push(`${key}: arguments differ\n    production: ${call.args}\n    graphql-js: ${replayArgs}`);
      const replayInfo = infoDigest(info);
      if (replayInfo !== call.info) problems.push(`${key}: resolve info differs\n    production: ${call.info}\n    graphql-js: ${replayInfo}`);
      const outcome = call.outcome;
      if (call.async) return outcome.ok ? Promise.resolve(outcome.value) : Promise.reject(outcome.error as Error);
      if (!outcome.ok) throw outcome.error;
      return outcome.value;
    };
  }
}

// ---- The documents --------------------------------------------------------------------------------

interface Case {
  label: string;
  document: DocumentNode;
  operationName: string | undefined;
  /** Variables the case itself gives; generated variants are added for every case. */
  variables?: Record<string, unknown>[];
}

/** The typed documents (codegen's output for every `graphql(...)` in src/, test/ and bench/). */
function generatedOperations(): DocumentNode[] {
  return Object.values(generatedDocuments).filter(
    (value): value is DocumentNode =>
      (value as DocumentNode | null)?.kind === Kind.DOCUMENT &&
      (value as DocumentNode).definitions.some((definition) => definition.kind === Kind.OPERATION_DEFINITION),
  );
}

/** Every string literal in the test files that is a valid operation document for the schema. */
function testFileOperations(): DocumentNode[] {
  const found: DocumentNode[] = [];
  const files = ['test', 'test/support'].flatMap((dir) =>
    readdirSync(dir)
      // This file's own documents are the hand-written set below.
      .filter((name) => name.endsWith('.ts') && name !== 'executor.differential.test.ts')
      .map((name) => join(dir, name)),
  );
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue; // Removed since the listing (a scratch file of a concurrent run).
    }
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
    const visitNode = (node: ts.Node): void => {
      if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
        const text = node.text.trim();
        if (/^(query|mutation|\{)/.test(text)) {
          try {
            const document = parse(text);
            if (validate(schema, document).length === 0) found.push(document);
          } catch {
            // Not GraphQL, or a deliberately broken document: graphql-js refuses it before any executor.
          }
        }
      }
      ts.forEachChild(node, visitNode);
    };
    visitNode(source);
  }
  return found;
}

/** The hand-written documents, with the variables that exercise them (generated variants come on top). */
function handWritten(seed: Seed): { source: string; variables?: Record<string, unknown>[] }[] {
  return [
    // Variables inside JSON literals: top level, nested in objects and lists, several levels.
    { source: 'mutation ($f: Int!) { runTasks(input: { tasks: [{ name: "x", conf: { frame: $f, a: 1 } }] }) { applied tasks { id conf } } }', variables: [{ f: 7 }] },
    {
      source: `mutation ($n: Int, $s: String!, $o: JSON, $b: Boolean) {
        runTasks(input: { tasks: [{ name: "nest", conf: { l: [$n, { s: $s, d: [[$o, $b], []] }], top: $o } }, { name: $s, priority: $n, conf: $o }] }) {
          applied errors { index code message } tasks { name priority conf }
        }
      }`,
      variables: [{ n: 3, s: 'three', o: { k: [1, null, { z: 'z' }] }, b: false }, { s: 'only-s' }, { n: null, s: 's', o: null, b: null }],
    },
    // A variable nested in an input object or list literal: missing, null, given.
    { source: 'mutation ($p: Int, $h: Boolean) { runTasks(input: { tasks: [{ name: "p", priority: $p, hold: $h }] }) { tasks { priority status } } }', variables: [{}, { p: null, h: null }, { p: 4, h: true }] },
    { source: 'query ($s: TaskStatus!, $id: ID!) { tasks(filter: { status: [$s, QUEUED], ids: [$id] }) { nodes { id status } } }', variables: [{ s: 'PENDING', id: seed.taskId }] },
    { source: 'query ($id: ID, $name: String) { tasks(filter: { jobId: $id, name: $name }, first: 3) { totalCount } }', variables: [{}, { id: null }, { id: seed.jobId, name: 'a' }] },
    // Variable defaults: nullable, non-null, objects and lists, a DateTime inside one.
    { source: 'query ($first: Int = 2, $after: String) { tasks(first: $first, after: $after) { totalCount pageInfo { hasNextPage } nodes { name status } } }', variables: [{}, { first: null }, { first: 1 }] },
    { source: 'query ($first: Int! = 3) { tasks(first: $first) { nodes { id } } }', variables: [{}, { first: 1 }] },
    { source: 'query ($filter: TaskFilter = { status: [QUEUED, PENDING] }, $first: Int = 5) { tasks(filter: $filter, first: $first) { nodes { name status } } }', variables: [{}, { filter: { status: 'QUEUED' } }] },
    { source: 'query ($filter: TaskFilter = { createdAfter: "2020-01-01T00:00:00Z" }) { tasks(filter: $filter) { totalCount } }', variables: [{}] },
    { source: 'query ($n: String = "t-diff") { thread(name: $n) { name paused } }', variables: [{}, { n: null }] },
    { source: 'mutation ($input: ClaimTasksInput = { worker: "w-diff", limit: 1 }) { claimTasks(input: $input) { tasks { id name } } }', variables: [{}, { input: { worker: 'w-other' } }] },
    // Fragments (named, inline, nested), @include/@skip with variables, the same field under two conditions.
    {
      source: `query Frag($withJob: Boolean!, $skipStatus: Boolean!, $first: Int) {
        tasks(first: $first) { nodes { ...TaskBits ... on Task @include(if: $withJob) { job { ...JobBits } } status @skip(if: $skipStatus) } }
      }
      fragment TaskBits on Task { id name ... @skip(if: $skipStatus) { status priority } conf }
      fragment JobBits on Job { id name status taskCounts { total queued } }`,
      variables: [{ withJob: true, skipStatus: false, first: 2 }, { withJob: false, skipStatus: true }, { withJob: true, skipStatus: true, first: 1 }],
    },
    {
      source: 'query ($a: Boolean!, $b: Boolean!) { tasks(first: 2) { nodes { ... @include(if: $a) { name } ... @include(if: $b) { name id } id @skip(if: $a) @include(if: $b) } } }',
      variables: [{ a: true, b: false }, { a: false, b: true }, { a: false, b: false }, { a: true, b: true }],
    },
    {
      source: 'query ($a: Boolean!) { one: tasks(first: 1) { nodes { ...N @include(if: $a) } } two: tasks(first: 1) { nodes { ...N id } } } fragment N on Task { name job { name } }',
      variables: [{ a: true }, { a: false }],
    },
    {
      source: 'query ($a: Boolean!) { one: tasks(first: 1) { nodes { id ...N @include(if: $a) } } two: tasks(first: 1) { nodes { id ...N } } } fragment N on Task { name job { name } }',
      variables: [{ a: true }, { a: false }],
    },
    // Several operations in one document, each run by name.
    { source: 'query First { tasks(first: 1) { totalCount } } query Second { viewer { role } } mutation Third { pauseThread(input: { name: "t-ops" }) { thread { paused } } }' },
    {
      source: 'query ($id: ID!) { node(id: $id) { __typename id ... on Task { name job { id } } ... on Job { name status } } }',
      variables: [{ id: seed.taskId }, { id: seed.jobId }, { id: 'no-such-id' }],
    },
    // Aliases, __typename, enums and list coercion of a single value (literal and variable).
    { source: 'query { first: tasks(first: 1) { nodes { a: id b: name c: status } } second: tasks(first: 2) { count: totalCount } __typename }' },
    { source: 'query { tasks(filter: { status: QUEUED }, first: 2) { nodes { status allowedOperations } } }' },
    { source: 'query ($id: ID!, $s: [TaskStatus!]) { job(id: $id) { tasks(status: $s, first: 3) { nodes { status } } } }', variables: [{ id: seed.jobId, s: 'QUEUED' }, { id: seed.jobId, s: ['QUEUED', 'PENDING'] }, { id: seed.jobId, s: null }] },
    // Errors from resolvers, with their paths.
    { source: 'query { task(id: "nonexistent") { id } node(id: "bad") { id } job(id: "") { name } }' },
    // Mutations in series, aliased, mixing literals and variables.
    {
      source: `mutation ($input: TaskCommandInput!, $thread: ThreadInput!) {
        a: pauseThread(input: { name: "t-diff" }) { thread { name paused } }
        b: resumeThread(input: $thread) { thread { paused status } }
        c: suspendTasks(input: $input) { applied errors { code message index } }
        d: resumeTasks(input: $input) { applied }
      }`,
      variables: [{ input: { target: { ids: [seed.taskId] } }, thread: { name: 't-diff' } }, { input: { target: { ids: [seed.taskId], thread: 't' } }, thread: { name: 't' } }],
    },
    // Bad variable values: wrong scalars, out of range, unknown enum values and fields, @oneOf broken.
    { source: 'query ($first: Int) { tasks(first: $first) { totalCount } }', variables: [{ first: 'ten' }, { first: 2 ** 31 }, { first: 1.5 }, { first: null }] },
    {
      source: 'query ($f: TaskFilter) { tasks(filter: $f) { totalCount } }',
      variables: [{ f: { status: ['NOPE'] } }, { f: { nope: 1 } }, { f: { createdAfter: 'yesterday' } }, { f: { status: 'QUEUED' } }, { f: [] }, { f: 'x' }],
    },
    { source: 'mutation ($input: TaskCommandInput!) { cancelTasks(input: $input) { applied } }', variables: [{ input: { target: {} } }, { input: { target: { ids: null } } }, { input: {} }] },
    { source: 'query ($id: ID!) { task(id: $id) { id } }', variables: [{ id: null }, {}, { id: 5 }, { id: { a: 1 } }] },
    // Introspection.
    { source: '{ __schema { queryType { name } } __type(name: "TaskTarget") { name isOneOf inputFields { name } } }' },
  ];
}

// ---- Variables from the variable definitions ------------------------------------------------------

interface Seed {
  taskId: string;
  jobId: string;
}

type Variant = 'full' | 'minimal' | 'nulls' | 'missing' | 'wrong';

function sampleValue(type: GraphQLInputType, name: string, variant: Variant, seed: Seed): unknown {
  if (isNonNullType(type)) return sampleValue(type.ofType, name, variant, seed);
  // A single value where a list is expected exercises list coercion.
  if (isListType(type)) {
    const item = sampleValue(type.ofType, name, variant, seed);
    return variant === 'full' ? [item, item] : item;
  }
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    const chosen = type.isOneOf
      ? [variant === 'full' ? fields[0]! : fields[fields.length - 1]!]
      : fields.filter((field) => variant === 'full' || (isNonNullType(field.type) && field.defaultValue === undefined));
    return Object.fromEntries(chosen.map((field) => [field.name, sampleValue(field.type, field.name, variant, seed)]));
  }
  if (isEnumType(type)) {
    const values = type.getValues();
    return (variant === 'full' ? values[0]! : values[values.length - 1]!).name;
  }
  switch (type.name) {
    case 'ID':
      return /job/i.test(name) ? seed.jobId : seed.taskId;
    case 'Int':
      return /wait/i.test(name) ? 0 : /ms$/i.test(name) ? 1000 : 1;
    case 'Float':
      return 0.5;
    case 'Boolean':
      return variant === 'full';
    case 'DateTime':
      return '2026-01-02T03:04:05.000Z';
    case 'JSON':
      return variant === 'full' ? { frame: 7, list: [1, 'two', null, { deep: [true] }] } : {};
    default:
      return `diff-${name}`;
  }
}

function wrongValue(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return wrongValue(type.ofType);
  if (isListType(type)) return [wrongValue(type.ofType)];
  if (isInputObjectType(type)) return { notAField: 1 };
  if (isEnumType(type)) return 'NOT_A_VALUE';
  switch (type.name) {
    case 'Int':
      return 'one';
    case 'Float':
      return 'x';
    case 'Boolean':
      return 'yes';
    case 'ID':
      return true;
    case 'String':
      return 5;
    case 'DateTime':
      return 'not a date';
    default:
      return { any: 'thing' };
  }
}

function generatedVariables(operation: OperationDefinitionNode, seed: Seed): Record<string, unknown>[] {
  const definitions = operation.variableDefinitions ?? [];
  if (definitions.length === 0) return [{}];
  const variants: Record<string, unknown>[] = [];
  for (const variant of ['full', 'minimal', 'nulls', 'missing', 'wrong'] as const) {
    const values: Record<string, unknown> = {};
    for (const definition of definitions) {
      const type = typeFromAST(schema, definition.type) as GraphQLInputType;
      const name = definition.variable.name.value;
      const required = isNonNullType(type) && !definition.defaultValue;
      if (variant === 'full') values[name] = sampleValue(type, name, variant, seed);
      else if (variant === 'wrong') values[name] = wrongValue(type);
      else if (variant === 'missing') {
        if (!required) values[name] = sampleValue(type, name, 'minimal', seed);
      } else if (required) values[name] = sampleValue(type, name, 'minimal', seed);
      else if (variant === 'nulls') values[name] = null;
    }
    variants.push(values);
  }
  return variants;
}

// ---- Running both ---------------------------------------------------------------------------------

let server: TestServer;
let seed: Seed;

const productionExecute = envelop({
  plugins: [
    // The engine yoga gives the app (graphql-js); the production plugin replaces it where it allows.
    { onExecute: ({ setExecuteFn }) => setExecuteFn(execute) },
    useOperationExecutor(
      // Compile failures are logged by the plugin; here they fail the comparison.
      { error: (detail: unknown) => problems.push(`graphql-jit could not compile: ${JSON.stringify(detail)}`) } as never,
    ),
  ],
})().execute as (args: ExecutionArgs) => Promise<ExecutionResult>;

function context(): Context {
  const { services } = server.app;
  const requestId = randomUUID();
  return {
    db: services.database.db,
    services,
    loaders: createLoaders(services.database.db),
    viewer: { role: 'ADMIN', tokenName: null, tokenId: null },
    requestId,
    log: services.log.child({ requestId }),
    // A literal long poll in a suite document ends soon (graphql-js replays whatever it answered).
    signal: AbortSignal.timeout(100),
  };
}

/**
 * A result as a client gets it: data in response order, errors as serialized (message, locations,
 * path, and extensions unless empty: jit leaves an error's extensions undefined, graphql-js `{}`).
 */
function comparable(result: ExecutionResult): string {
  return JSON.stringify({ data: result.data, errors: result.errors, extensions: result.extensions });
}

interface Outcome {
  problems: string[];
  compiled: boolean;
}

async function compare(document: DocumentNode, operationName: string | undefined, variableValues: Record<string, unknown>): Promise<Outcome> {
  calls = new Map();
  replayed = new Set();
  problems = [];
  mode = 'record';
  let production: ExecutionResult;
  let standard: ExecutionResult;
  try {
    production = await productionExecute({ schema, document, operationName, variableValues, contextValue: context() });
    mode = 'replay';
    standard = await execute({ schema, document, operationName, variableValues, contextValue: context() });
  } finally {
    mode = 'pass';
  }
  for (const key of calls.keys()) if (!replayed.has(key)) problems.push(`production resolved ${key}, graphql-js did not`);
  const [a, b] = [comparable(production), comparable(standard)];
  if (a !== b) problems.push(`results differ\n    production: ${a}\n    graphql-js: ${b}`);
  // graphql-jit's plugin hands its serializer along on the results it produced.
  return { problems, compiled: typeof (production as { stringify?: unknown }).stringify === 'function' };
}

function casesOf(label: string, document: DocumentNode, variables?: Record<string, unknown>[]): Case[] {
  return document.definitions
    .filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION && definition.operation !== 'subscription')
    .map((operation) => ({ label: `${label} ${operation.name?.value ?? ''}`.trim(), document, operationName: operation.name?.value, variables }));
}

beforeAll(async () => {
  server = await startTestServer();
  const { submitJob } = await server.gql<{ submitJob: { job: { id: string }; tasks: { id: string }[] } }, Record<string, never>>(
    'mutation { submitJob(input: { name: "diff", tasks: [{ name: "a", thread: "t-diff" }, { name: "b", conf: { k: 1 } }, { name: "c", hold: true }] }) { job { id } tasks { id } } }',
  );
  seed = { jobId: submitJob.job.id, taskId: submitJob.tasks[0]!.id };
});

afterAll(async () => {
  await server?.stop();
});

describe('production executor against graphql-js', () => {
  it('gives identical results for every document the suite sends and the hand-written set', async () => {
    const [typed, plain] = [generatedOperations(), testFileOperations()];
    // Codegen's typed documents and the test files' plain strings: far more than a handful each.
    expect(typed.length).toBeGreaterThanOrEqual(60);
    expect(plain.length).toBeGreaterThanOrEqual(100);
    const suiteDocuments = new Map<string, DocumentNode>();
    for (const document of [...typed, ...plain]) suiteDocuments.set(print(document), document);

    const cases: Case[] = [];
    for (const [text] of suiteDocuments) cases.push(...casesOf('suite', parse(text)));
    for (const { source, variables } of handWritten(seed)) {
      const document = parse(source);
      expect(validate(schema, document), source).toEqual([]);
      cases.push(...casesOf('hand-written', document, variables));
    }

    const failures: string[] = [];
    let runs = 0;
    let compiledRuns = 0;
    for (const testCase of cases) {
      const operation = testCase.document.definitions.find(
        (definition): definition is OperationDefinitionNode =>
          definition.kind === Kind.OPERATION_DEFINITION && definition.name?.value === testCase.operationName,
      )!;
      const variableSets = new Map([...(testCase.variables ?? []), ...generatedVariables(operation, seed)].map((set) => [JSON.stringify(set), set]));
      for (const variables of variableSets.values()) {
        const outcome = await compare(testCase.document, testCase.operationName, variables);
        runs++;
        if (outcome.compiled) compiledRuns++;
        if (outcome.problems.length > 0) {
          failures.push(`${testCase.label}: ${print(testCase.document).replace(/\s+/g, ' ')}\n  variables: ${JSON.stringify(variables)}\n  ${outcome.problems.join('\n  ')}`);
        }
      }
    }
    expect(failures.slice(0, 40).join('\n\n'), `${failures.length} runs differ`).toBe('');
    // Not vacuous: graphql-jit ran a good part of them (the rest went to graphql-js by design).
    expect(compiledRuns, `${cases.length} operations, ${runs} runs, ${compiledRuns} compiled`).toBeGreaterThan(runs / 4);
    // About 700 runs: 4-7 s on an idle machine, over 30 s with the machine loaded several times over.
  }, 180_000);

  it('leaves subscriptions to graphql-js and keeps the reads benchmark query compiled', () => {
    const route = (source: string, variableValues: Record<string, unknown> = {}) => runsCompiled({ schema, document: parse(source), variableValues });
    expect(route('subscription { taskEvents { kind } }')).toBe(false);
    expect(route('{ tasks(first: 100) { nodes { id name status job { id name } } } }')).toBe(true);
    expect(route('query ($first: Int) { tasks(first: $first) { nodes { ...F } } } fragment F on Task { id }', { first: 2 })).toBe(true);
    expect(route('query ($first: Int) { tasks(first: $first) { totalCount } }', { first: 'two' })).toBe(false);
    expect(route('mutation ($f: Int!) { runTasks(input: { tasks: [{ name: "x", conf: { frame: $f, a: 1 } }] }) { applied } }', { f: 7 })).toBe(false);
  });
});
