import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLOutputType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../src/domain/roles.ts';
import { loadConfig } from '../src/config.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { wsClient, wsSubscribe } from './support/subscriptions.ts';
import { rootFields, stateFingerprint } from './support/schemaOperations.ts';

/**
 * Fuzzing the running server with operations generated from the schema: random root fields,
 * selections, arguments and values (valid, boundary, wrong-typed, hostile), random credentials, and
 * now and then a broken document or body. Seeded, and each phase sends a fixed number of operations
 * (not as many as fit in a time budget, which made what ran, and whether a floor was met, depend on
 * how busy the machine was), so a failure replays with its seed.
 * Every answer must be below 500 and free of INTERNAL_SERVER_ERROR; every rejected request must
 * leave the database exactly as it was.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20261123);
/** Phase 1: requests that must all be refused (bad credentials, or a VIEWER mutating), 4 in flight. */
const REFUSED_OPERATIONS = 1_200;
/** Phase 2: any credential, one at a time, the database compared around every rejected request. */
const MIXED_OPERATIONS = 500;
/** Phase 3: random operations (subscriptions included) over one WebSocket connection. */
const WEBSOCKET_OPERATIONS = 300;
/** Per phase: about 10 s on a two-core machine running the suite, several times that when it is overloaded. */
const PHASE_TIMEOUT_MS = 180_000;

/** mulberry32: a tiny seeded PRNG, so that every run with a seed sends the same requests. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
  };
}
type Rng = ReturnType<typeof prng>;

interface Pools {
  taskIds: string[];
  jobIds: string[];
  threads: string[];
  refIds: string[];
  cursors: string[];
}

const NASTY_STRINGS = [
  '',
  ' ',
  'x'.repeat(201),
  'x'.repeat(5_000),
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\u202e\u200b\ufeff',
  '🧵🚀漢字',
  "'; DROP TABLE tasks; --",
  '{"$gt": ""}',
  '../../etc/passwd',
  '%s%n%x',
  '\\',
  '\n\r\t',
  'null',
  'undefined',
  '00000000-0000-0000-0000-000000000000',
  'ZZZZ',
];
const INTS = [0, 1, -1, 2, 50, 100, 101, 499, 500, 501, 999, 1_000, 5_000, 5_001, 30_000, 600_000, 600_001, 2 ** 31 - 1, -(2 ** 31), 10_000, 10_001];

function scalarValue(rng: Rng, name: string, argName: string, pools: Pools): unknown {
  // Long waits are legitimate but would stall the fuzzer: keep waitMs short.
  if (/waitMs/i.test(argName)) return rng.int(0, 20);
  // A delayed conclusion wakes the sweeper later, changing the database between requests; the
  // delayMs limits themselves are covered by the hostile-input suite.
  if (/delayMs/i.test(argName)) return 0;
  if (rng.chance(0.06)) return rng.pick([null, 'str', 3.5, true, [], {}, -1]);
  switch (name) {
    case 'ID':
      if (rng.chance(0.15)) return rng.pick(NASTY_STRINGS);
      return /job/i.test(argName) ? rng.pick(pools.jobIds) : rng.pick(pools.taskIds);
    case 'String':
      if (/after|before|cursor/i.test(argName) && pools.cursors.length && rng.chance(0.6)) return rng.pick(pools.cursors);
      if (/thread/i.test(argName) && rng.chance(0.7)) return rng.pick(pools.threads);
      if (/refId/i.test(argName) && rng.chance(0.7)) return rng.pick(pools.refIds);
      return rng.chance(0.6) ? `fz-${rng.int(0, 30)}` : rng.pick(NASTY_STRINGS);
    case 'Int':
      return rng.chance(0.7) ? rng.pick(INTS) : rng.int(-10, 200);
    case 'Float':
      return rng.pick([0, 0.5, 1, 1.5, -0.1, 1e308, Number.MIN_VALUE]);
    case 'Boolean':
      return rng.chance(0.5);
    case 'DateTime':
      return rng.pick([new Date().toISOString(), '2020-01-01T00:00:00Z', '9999-12-31T23:59:59Z', 'not a date', '0000-00-00']);
    case 'JSON':
      return rng.pick([{}, { a: 1 }, [], 'text', 42, null, { nested: { deep: [1, 2, { x: 'y' }] } }, { big: 'x'.repeat(70_000) }]);
    default:
      return null;
  }
}

function inputValue(rng: Rng, type: GraphQLInputType, argName: string, pools: Pools, depth = 0): unknown {
  if (isNonNullType(type)) return inputValue(rng, type.ofType, argName, pools, depth);
  if (isListType(type)) {
    if (rng.chance(0.02)) return Array.from({ length: 10_001 }, () => inputValue(rng, type.ofType, argName, pools, depth + 1));
    return Array.from({ length: rng.int(0, 4) }, () => inputValue(rng, type.ofType, argName, pools, depth + 1));
  }
  if (isInputObjectType(type)) {
    if (depth > 4) return {};
    const value: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields())) {
      const required = isNonNullType(field.type) && field.defaultValue === undefined;
      if (required ? rng.chance(0.97) : rng.chance(0.35)) value[field.name] = inputValue(rng, field.type, field.name, pools, depth + 1);
    }
    return value;
  }
  if (isEnumType(type)) return rng.chance(0.95) ? rng.pick(type.getValues()).value : 'NOT_A_VALUE';
  return scalarValue(rng, type.name, argName, pools);
}

/** A random selection of an output type, at most `depth` levels deep. */
function selection(rng: Rng, type: GraphQLOutputType, depth: number, vars: Vars, pools: Pools): string {
  const named = getNamedType(type) as GraphQLNamedType;
  if (isLeafType(named)) return '';
  if (isUnionType(named) || depth <= 0) return '{ __typename }';
  const objectType = isInterfaceType(named) ? named : isObjectType(named) ? named : null;
  if (!objectType) return '{ __typename }';
  const fields = Object.values(objectType.getFields());
  const chosen = fields.filter(() => rng.chance(0.35));
  if (chosen.length === 0) chosen.push(rng.pick(fields));
  const parts = chosen.map((field) => `${field.name}${args(rng, field, vars, pools)} ${selection(rng, field.type, depth - 1, vars, pools)}`);
  if (rng.chance(0.03)) parts.push('noSuchField');
  if (isInterfaceType(named) && rng.chance(0.5)) parts.push('... on Task { id status }');
  return `{ ${parts.join(' ')} }`;
}

interface Vars {
  declarations: string[];
  values: Record<string, unknown>;
}

function args(rng: Rng, field: GraphQLField<unknown, unknown>, vars: Vars, pools: Pools): string {
  const parts: string[] = [];
  for (const arg of field.args) {
    const required = isNonNullType(arg.type) && arg.defaultValue === undefined;
    if (!required && !rng.chance(0.4)) continue;
    if (required && rng.chance(0.01)) continue; // a missing required argument
    const name = `v${vars.declarations.length}`;
    vars.declarations.push(`$${name}: ${arg.type.toString()}`);
    let value = inputValue(rng, arg.type, arg.name, pools);
    if (rng.chance(0.02)) value = rng.pick(['oops', 7, [1], { bogus: true }]); // wrong type for the whole argument
    if (!(required && value === undefined)) vars.values[name] = value;
    parts.push(`${arg.name}: $${name}`);
  }
  return parts.length ? `(${parts.join(', ')})` : '';
}

type Credential = { token: string | null; label: string; mayChange: boolean };

function generate(rng: Rng, pools: Pools): { body: string; kind: string; roots: number } {
  if (rng.chance(0.03)) {
    return {
      kind: 'garbage body',
      roots: 0,
      body: rng.pick(['{', '[]', 'null', '{"query": 1}', '{"query": "{"}', '{"query": "{ viewer { role } }", "variables": [1]}', '\u0000\u0001', '{"query":"' + '{a'.repeat(500) + '"}']),
    };
  }
  const roots = rootFields().filter((r) => r.kind !== 'subscription' || rng.chance(0.1));
  const count = rng.chance(0.1) ? rng.int(2, 3) : 1;
  const vars: Vars = { declarations: [], values: {} };
  const kind = rng.chance(0.5) ? 'mutation' : 'query';
  const candidates = roots.filter((r) => r.kind === kind);
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const root = rng.pick(candidates);
    const alias = count > 1 ? `r${i}: ` : '';
    parts.push(`${alias}${root.name}${args(rng, root.field, vars, pools)} ${selection(rng, root.field.type, rng.int(1, 4), vars, pools)}`);
  }
  const declarations = vars.declarations.length ? `(${vars.declarations.join(', ')})` : '';
  let query = `${kind} Fuzz${declarations} { ${parts.join(' ')} }`;
  if (rng.chance(0.03)) query = query.slice(0, rng.int(1, query.length - 1)); // truncated document
  return { kind, roots: count, body: JSON.stringify({ query, variables: vars.values }) };
}

let server: TestServer;
const tokens = {} as Record<Role, string>;
const pools: Pools = { taskIds: [], jobIds: [], threads: ['fz-lane-1', 'fz-lane-2'], refIds: ['fz-ref-1', 'fz-ref-2'], cursors: [] };

beforeAll(async () => {
  // No sweeper ticks during the run: every change in the database comes from a request.
  server = await startTestServer({ config: { sweepIntervalMs: 3_600_000 } });
  tokens.ADMIN = (await server.gql<{ createApiToken: { token: string } }, unknown>('mutation { createApiToken(input: { name: "fz-admin", role: ADMIN }) { token } }')).createApiToken.token;
  for (const role of ['VIEWER', 'WORKER', 'OPERATOR'] as const) {
    tokens[role] = (
      await server.gql<{ createApiToken: { token: string } }, unknown>(`mutation { createApiToken(input: { name: "fz-${role}", role: ${role} }) { token } }`, {}, { token: tokens.ADMIN })
    ).createApiToken.token;
  }
  for (let j = 0; j < 3; j++) {
    const data = await server.gql<{ submitJob: { job: { id: string }; tasks: { id: string }[] } }, unknown>(
      'mutation($input: SubmitJobInput!) { submitJob(input: $input) { job { id } tasks { id } } }',
      { input: { name: `fz-job-${j}`, tasks: Array.from({ length: 5 }, (_, i) => ({ name: `fz-${i}`, thread: pools.threads[i % 2], refId: pools.refIds[i % 2] })) } },
      { token: tokens.ADMIN },
    );
    pools.jobIds.push(data.submitJob.job.id);
    pools.taskIds.push(...data.submitJob.tasks.map((t) => t.id));
  }
  const page = await server.gql<{ tasks: { edges: { cursor: string }[] }; taskEvents: { edges: { cursor: string }[] } }, unknown>(
    '{ tasks(first: 3) { edges { cursor } } taskEvents(first: 3) { edges { cursor } } }',
    {},
    { token: tokens.ADMIN },
  );
  pools.cursors.push(...page.tasks.edges.map((e) => e.cursor), ...page.taskEvents.edges.map((e) => e.cursor));
});
afterAll(async () => {
  await server?.stop();
});

interface Answer {
  status: number;
  text: string;
  json: { data?: Record<string, unknown> | null; errors?: { path?: unknown[]; extensions?: { code?: string } }[] };
  context: string;
}

async function send(body: string, credential: Credential, n: number): Promise<Answer> {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(credential.token ? { authorization: `Bearer ${credential.token}` } : {}),
    },
    body,
  });
  const text = await response.text();
  const context = `#${n} (${credential.label}) ${body.slice(0, 600)}\n→ ${response.status} ${text.slice(0, 600)}`;
  let json: Answer['json'] = {};
  try {
    json = JSON.parse(text) as Answer['json'];
  } catch {
    json = {};
  }
  return { status: response.status, text, json, context };
}

/** No 5xx, and no masked unexpected error: everything the fuzzer sends must be handled on purpose. */
function expectHandled(answer: Answer): void {
  expect(answer.status, answer.context).toBeLessThan(500);
  if (Object.keys(answer.json).length === 0) expect(answer.status, answer.context).toBeGreaterThanOrEqual(400);
  expect(answer.json.errors?.some((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR') ?? false, answer.context).toBe(false);
}

describe('fuzzing the running server', () => {
  it(`refuses ${REFUSED_OPERATIONS} random operations with bad credentials or a VIEWER's mutations, changing nothing (seed ${SEED})`, async () => {
    const rng = prng(SEED);
    const credentials: Credential[] = [
      { token: null, label: 'no token', mayChange: false },
      { token: 'tl_fuzzed-wrong-token', label: 'bad token', mayChange: false },
      { token: 'Bearer', label: 'malformed', mayChange: false },
      { token: tokens.VIEWER, label: 'VIEWER', mayChange: false },
    ];
    const before = await stateFingerprint(server.db.database.db);
    const started = Date.now();
    let sent = 0;
    const worker = async () => {
      while (sent < REFUSED_OPERATIONS) {
        const n = ++sent;
        const credential = rng.pick(credentials);
        let { body } = generate(rng, pools);
        // A VIEWER may read: give it only mutations, which it may never run.
        if (credential.label === 'VIEWER') body = body.replace('"query Fuzz', '"mutation Fuzz');
        const answer = await send(body, credential, n);
        expectHandled(answer);
        const values = answer.json.data ? Object.values(answer.json.data) : [];
        expect(values.every((v) => v === null), answer.context).toBe(true);
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    console.log(`fuzz phase 1 (seed ${SEED}): ${sent} refused requests in ${Date.now() - started} ms`);
    expect(await stateFingerprint(server.db.database.db)).toBe(before);
  }, PHASE_TIMEOUT_MS);

  it(`answers ${MIXED_OPERATIONS} random operations with any credential without a 5xx or a change from a rejected request (seed ${SEED + 1})`, async () => {
    const rng = prng(SEED + 1);
    const credentials: Credential[] = [
      { token: tokens.ADMIN, label: 'ADMIN', mayChange: true },
      { token: tokens.ADMIN, label: 'ADMIN', mayChange: true },
      { token: tokens.ADMIN, label: 'ADMIN', mayChange: true },
      { token: tokens.OPERATOR, label: 'OPERATOR', mayChange: true },
      { token: tokens.WORKER, label: 'WORKER', mayChange: true },
      { token: tokens.VIEWER, label: 'VIEWER', mayChange: true },
      { token: null, label: 'no token', mayChange: false },
    ];
    const started = Date.now();
    const stats = { sent: 0, rejected: 0, partial: 0, ok: 0 };
    let fingerprint = await stateFingerprint(server.db.database.db);
    while (stats.sent < MIXED_OPERATIONS) {
      const { body, roots } = generate(rng, pools);
      const credential = rng.pick(credentials);
      const answer = await send(body, credential, ++stats.sent);
      expectHandled(answer);
      const errors = answer.json.errors?.length ?? 0;
      const values = answer.json.data ? Object.values(answer.json.data) : [];
      // Rejected: bad credentials, a whole-request error (no path), the one root field failing, or
      // every payload saying `applied: false`. (With several root fields, the mutations before a
      // failing one have run — GraphQL executes them in order — so data: null proves nothing there.)
      const rejected =
        !credential.mayChange ||
        (errors > 0 && answer.json.errors!.every((e) => !e.path)) ||
        // (An error deeper in the payload's selection, e.g. a bad `first` on `tasks.events`, comes
        // after the mutation ran; only an error on the root field itself means it was refused.)
        (roots === 1 && answer.json.errors?.some((e) => e.path?.length === 1)) ||
        (values.length > 0 && values.every((v) => v !== null && typeof v === 'object' && (v as { applied?: unknown }).applied === false));
      const now = await stateFingerprint(server.db.database.db);
      if (rejected) {
        stats.rejected++;
        expect(now, `state changed by a rejected request: ${answer.context}`).toBe(fingerprint);
      } else if (errors > 0) stats.partial++;
      else stats.ok++;
      fingerprint = now;
    }
    console.log(`fuzz phase 2 (seed ${SEED + 1}): ${JSON.stringify(stats)} in ${Date.now() - started} ms`);
    expect(stats.ok).toBeGreaterThan(0);
    expect(stats.rejected).toBeGreaterThan(0);
    // Still serving, and every credential still resolves as before.
    expect((await server.request('{ viewer { role } }', {}, { token: tokens.VIEWER })).data).toEqual({ viewer: { role: 'VIEWER' } });
  }, PHASE_TIMEOUT_MS);

  it(`answers ${WEBSOCKET_OPERATIONS} random operations over one WebSocket connection without an internal error or a dropped socket (seed ${SEED + 2})`, async () => {
    const rng = prng(SEED + 2);
    const client = wsClient(server.wsUrl, { authorization: `Bearer ${tokens.ADMIN}` });
    const started = Date.now();
    let sent = 0;
    try {
      while (sent < WEBSOCKET_OPERATIONS) {
        const generated = generate(rng, pools);
        if (generated.roots === 0) continue; // garbage bodies are an HTTP matter
        // A message over the body limit closes the socket (1009, test/limits.test.ts): the body
        // limit is phase 1 and 2's matter, this phase wants the socket to survive everything else.
        if (Buffer.byteLength(generated.body) > loadConfig({}).maxBodyBytes) continue;
        const { query, variables } = JSON.parse(generated.body) as { query: string; variables: Record<string, unknown> };
        const subscription = rng.chance(0.1);
        const document = subscription ? query.replace(/^(query|mutation) /, 'subscription ') : query;
        const stream = wsSubscribe(client, document, variables);
        sent++;
        // Operations answer and complete; subscriptions stay open (or are refused) — close them quickly.
        const first = await Promise.race([stream.next(10_000).catch((error: Error) => ({ failure: error.message })), new Promise((r) => setTimeout(() => r(null), subscription ? 50 : 10_000))]);
        await stream.close();
        const context = `#${sent} ${document.slice(0, 400)} → ${JSON.stringify(first).slice(0, 400)}`;
        expect(stream.failure, context).toBeNull();
        const errors = (first as { errors?: { extensions?: { code?: string } }[] } | null)?.errors ?? [];
        expect(errors.some((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR'), context).toBe(false);
      }
      console.log(`fuzz phase 3 (seed ${SEED + 2}): ${sent} WebSocket operations in ${Date.now() - started} ms`);
      const alive = wsSubscribe(client, '{ viewer { role } }');
      expect((await alive.next(5_000)).data).toEqual({ viewer: { role: 'ADMIN' } });
    } finally {
      await client.dispose();
    }
  }, PHASE_TIMEOUT_MS);
});
