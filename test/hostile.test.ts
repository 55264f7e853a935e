import { request as httpRequest } from 'node:http';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../src/domain/limits.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { stateFingerprint } from './support/schemaOperations.ts';

/**
 * Hostile input: every request here is wrong on purpose. Each must get a clear error (never a 5xx,
 * never INTERNAL_SERVER_ERROR, never a stack trace or SQL), change nothing, and leave the server
 * serving.
 */

let server: TestServer;
let taskId: string;
let jobId: string;

interface Answer {
  status: number;
  text: string;
  json: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] } | null;
}

function raw(body: string | Buffer, headers: Record<string, string> = {}, method = 'POST', path = '/graphql'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const url = new URL(server.url);
    const req = httpRequest(
      { host: url.hostname, port: url.port, path, method, headers: { 'content-type': 'application/json', accept: 'application/json', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Answer['json'] = null;
          try {
            json = JSON.parse(text) as Answer['json'];
          } catch {
            json = null;
          }
          resolve({ status: res.statusCode ?? 0, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(method === 'GET' ? undefined : body);
  });
}

const post = (query: string, variables?: unknown) => raw(JSON.stringify({ query, variables }));

/** A clear refusal: 4xx or a GraphQL error with a code other than INTERNAL_SERVER_ERROR, no internals. */
function expectClearError(answer: Answer, what: string): void {
  expect(answer.status, `${what}: ${answer.text.slice(0, 300)}`).toBeLessThan(500);
  expect(answer.json?.errors?.length, `${what}: ${answer.text.slice(0, 300)}`).toBeGreaterThan(0);
  for (const error of answer.json!.errors!) {
    expect(error.extensions?.code, `${what}: ${error.message}`).not.toBe('INTERNAL_SERVER_ERROR');
    expect(error.message.length, what).toBeGreaterThan(0);
  }
  expectNoInternals(answer.text, what);
}

function expectNoInternals(text: string, what: string): void {
  expect(text, what).not.toMatch(/\bat .+\.(ts|js):\d+|node_modules|stack/i);
  expect(text, what).not.toMatch(/\b(SELECT|INSERT INTO|UPDATE .+ SET|DELETE FROM)\b/);
}

beforeAll(async () => {
  server = await startTestServer();
  const data = await server.gql<{ submitJob: { job: { id: string }; tasks: { id: string }[] } }, unknown>(
    `mutation($input: SubmitJobInput!) { submitJob(input: $input) { job { id } tasks { id } } }`,
    { input: { name: 'hostile', tasks: [{ name: 'a', refId: 'ref-a' }, { name: 'b' }] } },
  );
  taskId = data.submitJob.tasks[0]!.id;
  jobId = data.submitJob.job.id;
});
afterAll(async () => {
  await server?.stop();
});

let before: string;
async function snapshot() {
  before = await stateFingerprint(server.db.database.db);
}
async function expectUnchangedAndServing() {
  expect(await stateFingerprint(server.db.database.db)).toBe(before);
  const alive = await post('{ viewer { role } }');
  expect(alive.json?.data).toEqual({ viewer: { role: 'ADMIN' } });
}

describe('malformed requests', () => {
  const bodies: [string, string | Buffer, Record<string, string>?][] = [
    ['empty body', ''],
    ['truncated JSON', '{"query": "{ viewer { role } }"'],
    ['not an object', '[1, 2, 3]'],
    ['JSON null', 'null'],
    ['a bare string', '"{ viewer { role } }"'],
    ['query is a number', '{"query": 42}'],
    ['query missing', '{"variables": {}}'],
    ['variables is a string', '{"query": "{ viewer { role } }", "variables": "oops"}'],
    ['extensions is a number', '{"query": "{ viewer { role } }", "extensions": 5}'],
    ['operationName is an object', '{"query": "{ viewer { role } }", "operationName": {}}'],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x71, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])],
    ['a GraphQL syntax error', '{"query": "mutation { runTasks(input: { tasks: [{ name: \\"x\\" }] }) { ids "}'],
    ['an empty document', '{"query": ""}'],
    ['two operations, no operationName', '{"query": "query A { viewer { role } } mutation B { runTasks(input: { tasks: [{ name: \\"x\\" }] }) { ids } }"}'],
    ['unknown operationName', '{"query": "query A { viewer { role } }", "operationName": "B"}'],
    ['deeply nested JSON variables', `{"query": "query($v: JSON) { __typename }", "variables": {"v": ${'['.repeat(100_000)}${']'.repeat(100_000)}}}`],
  ];
  it.each(bodies)('%s: a clear error, nothing changed', async (what, body, headers) => {
    await snapshot();
    expectClearError(await raw(body, headers), what);
    await expectUnchangedAndServing();
  });

  it('answers 415 to a body of an unsupported media type', async () => {
    await snapshot();
    const answer = await raw('{"query": "mutation { runTasks(input: { tasks: [{ name: \\"x\\" }] }) { ids } }"}', { 'content-type': 'text/plain' });
    expect(answer.status).toBe(415);
    await expectUnchangedAndServing();
  });

  it('refuses a mutation sent by GET', async () => {
    await snapshot();
    const query = encodeURIComponent('mutation { runTasks(input: { tasks: [{ name: "via-get" }] }) { ids } }');
    const answer = await raw('', {}, 'GET', `/graphql?query=${query}`);
    expectClearError(answer, 'GET mutation');
    expect(answer.status).toBe(405);
    await expectUnchangedAndServing();
  });
});

describe('wrong variable types', () => {
  const cases: [string, string, unknown][] = [
    ['input as a string', 'mutation($input: RunTasksInput!) { runTasks(input: $input) { ids } }', { input: 'tasks' }],
    ['tasks as a number', 'mutation($input: RunTasksInput!) { runTasks(input: $input) { ids } }', { input: { tasks: 7 } }],
    ['name as a number', 'mutation($input: RunTasksInput!) { runTasks(input: $input) { ids } }', { input: { tasks: [{ name: 5 }] } }],
    ['priority as a string', 'mutation($input: RunTasksInput!) { runTasks(input: $input) { ids } }', { input: { tasks: [{ name: 'x', priority: 'high' }] } }],
    ['priority as a float', 'mutation($input: RunTasksInput!) { runTasks(input: $input) { ids } }', { input: { tasks: [{ name: 'x', priority: 1.5 }] } }],
    ['priority beyond 32 bits', 'mutation($input: RunTasksInput!) { runTasks(input: $input) { ids } }', { input: { tasks: [{ name: 'x', priority: 2 ** 40 }] } }],
    ['null for a required name', 'mutation($input: RunTasksInput!) { runTasks(input: $input) { ids } }', { input: { tasks: [{ name: null }] } }],
    ['missing required variable', 'mutation($input: RunTasksInput!) { runTasks(input: $input) { ids } }', {}],
    ['unknown input field', 'mutation($input: RunTasksInput!) { runTasks(input: $input) { ids } }', { input: { tasks: [{ name: 'x', evil: true }] } }],
    ['ignore as a string', 'mutation($input: TaskCommandInput!) { cancelTasks(input: $input) { applied } }', { input: { target: { ids: [] }, ignore: 'yes' } }],
    ['first as a string', 'query($first: Int) { tasks(first: $first) { totalCount } }', { first: 'ten' }],
    ['DateTime garbage', 'query($f: TaskFilter) { tasks(filter: $f) { totalCount } }', { f: { createdAfter: 'yesterday-ish' } }],
    ['invalid enum value', 'query($f: TaskFilter) { tasks(filter: $f) { totalCount } }', { f: { status: ['EXPLODED'] } }],
    ['invalid enum inline', 'query { tasks(filter: { status: [EXPLODED] }) { totalCount } }', undefined],
    ['invalid role', 'mutation { createApiToken(input: { name: "x", role: GOD }) { token } }', undefined],
    ['invalid outcome', 'mutation($id: ID!) { concludeTask(input: { id: $id, outcome: MAYBE }) { applied } }', { id: 'x' }],
  ];
  it.each(cases)('%s: a clear error, nothing changed', async (what, query, variables) => {
    await snapshot();
    expectClearError(await post(query, variables), what);
    await expectUnchangedAndServing();
  });
});

describe('limits of DESIGN.md', () => {
  const run = 'mutation($input: RunTasksInput!) { runTasks(input: $input) { applied ids errors { index code message } } }';
  const cancel = 'mutation($input: TaskCommandInput!) { cancelTasks(input: $input) { applied ids errors { code } } }';
  const conclude = 'mutation($input: ConcludeTaskInput!) { concludeTask(input: $input) { applied errors { code message } } }';
  const cases: [string, string, unknown, RegExp][] = [
    ['10,001 definitions', run, { input: { tasks: Array.from({ length: LIMITS.maxBatch + 1 }, () => ({ name: 'x' })) } }, /10000|10,000/],
    ['10,001 target ids', cancel, { input: { target: { ids: Array.from({ length: LIMITS.maxBatch + 1 }, () => 'TASK') } } }, /10000|10,000/],
    ['first over 500', 'query { tasks(first: 501) { totalCount } }', undefined, /500/],
    ['negative first', 'query { tasks(first: -1) { totalCount } }', undefined, /first/],
    ['conf over 64 KiB', run, { input: { tasks: [{ name: 'x', conf: { blob: 'x'.repeat(LIMITS.maxConfBytes) } }] } }, /conf/],
    ['conf not an object', run, { input: { tasks: [{ name: 'x', conf: [1, 2] }] } }, /conf/],
    ['name over 200 characters', run, { input: { tasks: [{ name: 'n'.repeat(LIMITS.maxNameLength + 1) }] } }, /200/],
    ['thread name over 200 characters', run, { input: { tasks: [{ name: 'x', thread: 't'.repeat(201) }] } }, /200/],
    ['refId over 200 characters', run, { input: { tasks: [{ name: 'x', refId: 'r'.repeat(201) }] } }, /200/],
    ['priority 101', run, { input: { tasks: [{ name: 'x', priority: 101 }] } }, /priority/],
    ['priority -1', run, { input: { tasks: [{ name: 'x', priority: -1 }] } }, /priority/],
    ['result over 1 MiB', conclude, { input: { id: 'TASK', outcome: 'SUCCEEDED', result: { blob: 'x'.repeat(LIMITS.maxResultBytes) } } }, /result/],
    ['delayMs 5001', conclude, { input: { id: 'TASK', outcome: 'SUCCEEDED', delayMs: 5_001 } }, /delayMs/],
    ['delayMs -1', conclude, { input: { id: 'TASK', outcome: 'SUCCEEDED', delayMs: -1 } }, /delayMs/],
    ['leaseMs 999', 'mutation { claimTasks(input: { worker: "w", leaseMs: 999 }) { tasks { id } } }', undefined, /leaseMs/],
    ['leaseMs 600,001', 'mutation { claimTasks(input: { worker: "w", leaseMs: 600001 }) { tasks { id } } }', undefined, /leaseMs/],
  ];
  it.each(cases)('%s: refused with a clear message, nothing changed', async (what, query, variables, message) => {
    await snapshot();
    const vars = JSON.parse(JSON.stringify(variables ?? {}).replaceAll('"TASK"', JSON.stringify(taskId)));
    const answer = await post(query, vars);
    expect(answer.status, what).toBeLessThan(500);
    expectNoInternals(answer.text, what);
    // Either a whole-request error or per-item errors with nothing applied.
    const payload = Object.values(answer.json?.data ?? {})[0] as { applied?: boolean; errors?: { message: string }[] } | null | undefined;
    const messages = [...(answer.json?.errors ?? []), ...(payload?.errors ?? [])].map((e) => e.message).join(' | ');
    expect(messages, `${what}: ${answer.text.slice(0, 300)}`).toMatch(message);
    if (payload && 'applied' in payload) expect(payload.applied).toBe(false);
    for (const error of answer.json?.errors ?? []) expect(error.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
    await expectUnchangedAndServing();
  });
});

describe('invalid ids', () => {
  const bad = ['', 'nope', '12345', 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz', `${'0'.repeat(36)}`, "'; DROP TABLE tasks; --", 'x'.repeat(10_000)];
  it.each(bad.map((id) => [id.slice(0, 40), id]))('%s: lookups answer null, commands NOT_FOUND', async (_label, id) => {
    await snapshot();
    const lookups = await post('query($id: ID!) { task(id: $id) { id } job(id: $id) { id } node(id: $id) { id } }', { id });
    expect(lookups.status).toBeLessThan(500);
    expect(lookups.json?.data).toEqual({ task: null, job: null, node: null });
    const cancel = await post('mutation($ids: [ID!]!) { cancelTasks(input: { target: { ids: $ids } }) { applied errors { code index } } }', { ids: [id] });
    expect(cancel.json?.data).toEqual({ cancelTasks: { applied: false, errors: [{ code: 'NOT_FOUND', index: 0 }] } });
    const jobs = await post('mutation($ids: [ID!]!) { suspendJobs(input: { ids: $ids }) { applied errors { code } } }', { ids: [id] });
    expect(jobs.status).toBeLessThan(500);
    expect(JSON.stringify(jobs.json)).toContain('NOT_FOUND');
    const conclude = await post('mutation($id: ID!) { concludeTask(input: { id: $id, outcome: FAILED }) { applied errors { code } } }', { id });
    expect(conclude.status).toBeLessThan(500);
    expect(conclude.json?.errors?.some((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR') ?? false).toBe(false);
    const appended = await post('mutation($id: ID!) { runTasks(input: { jobId: $id, tasks: [{ name: "x" }] }) { applied } }', { id });
    expect(appended.status).toBeLessThan(500);
    expect(appended.json?.errors?.some((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR') ?? false).toBe(false);
    const cursor = await post('query($after: String) { tasks(after: $after) { totalCount } taskEvents(after: $after) { pageInfo { endCursor } } }', { after: id || 'x' });
    expect(cursor.status).toBeLessThan(500);
    expect(cursor.json?.errors?.some((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR') ?? false).toBe(false);
    await expectUnchangedAndServing();
  });
});

describe('unicode and control characters', () => {
  const names = [
    'zero\u0000byte',
    'bell\u0007and\u001bescape',
    'line\nbreak\rreturn\ttab',
    'lone \ud800 surrogate',
    'rtl \u202e override',
    'emoji 🧵🚀 and 漢字',
    'zero\u200bwidth',
    '\ufeffbom',
  ];
  it.each(names.map((n) => [JSON.stringify(n), n]))('%s as a task, thread and job name: stored faithfully or refused clearly', async (_label, name) => {
    for (const input of [
      { op: 'runTasks', query: 'mutation($input: RunTasksInput!) { runTasks(input: $input) { applied ids errors { code message } tasks { name thread { name } } } }', input: { tasks: [{ name, thread: name }] } },
      { op: 'submitJob', query: 'mutation($input: SubmitJobInput!) { submitJob(input: $input) { applied job { name } errors { code message } } }', input: { name, tasks: [{ name }] } },
    ]) {
      await snapshot();
      const answer = await post(input.query, { input: input.input });
      expect(answer.status, answer.text.slice(0, 300)).toBeLessThan(500);
      expectNoInternals(answer.text, name);
      const errors = answer.json?.errors ?? [];
      expect(errors.some((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR'), answer.text.slice(0, 300)).toBe(false);
      const payload = answer.json?.data?.[input.op] as { applied: boolean; errors: unknown[] } | undefined;
      if (errors.length > 0 || !payload?.applied) {
        // Refused: nothing stored.
        expect(await stateFingerprint(server.db.database.db)).toBe(before);
      } else {
        // Stored: it reads back exactly (a lone surrogate becomes U+FFFD in UTF-8, as JSON allows).
        // (Names are trimmed of surrounding whitespace, and a BOM counts as whitespace in JavaScript.)
        const text = JSON.stringify(payload);
        expect(text).toContain(JSON.stringify(name.trim()).slice(1, -1));
      }
    }
    const alive = await post('{ viewer { role } }');
    expect(alive.json?.data).toEqual({ viewer: { role: 'ADMIN' } });
  });

  it('refuses NUL characters inside conf and result JSON clearly (Postgres jsonb cannot store them)', async () => {
    await snapshot();
    const run = await post('mutation($input: RunTasksInput!) { runTasks(input: $input) { applied errors { code message } } }', {
      input: { tasks: [{ name: 'x', conf: { text: 'a\u0000b' } }] },
    });
    expect(run.status).toBeLessThan(500);
    expect(run.json?.errors?.some((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR') ?? false, run.text).toBe(false);
    const conclude = await post('mutation($input: ConcludeTaskInput!) { concludeTask(input: $input) { applied errors { code message } } }', {
      input: { id: taskId, outcome: 'SUCCEEDED', result: { text: 'a\u0000b' } },
    });
    expect(conclude.status).toBeLessThan(500);
    expect(conclude.json?.errors?.some((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR') ?? false, conclude.text).toBe(false);
    await expectUnchangedAndServing();
  });
});

describe('deep, wide and alias-bombed queries', () => {
  it('refuses each clearly and keeps serving', async () => {
    await snapshot();
    let deep = 'id';
    for (let i = 0; i < 200; i++) deep = `parent { ${deep} }`;
    const wide = `{ tasks { nodes { ${Array.from({ length: 3_000 }, () => 'id').join(' ')} } } }`;
    const aliases = `{ ${Array.from({ length: 1_000 }, (_, i) => `a${i}: tasks(first: 500) { nodes { id } }`).join(' ')} }`;
    const fragments = `query { ...A } ${Array.from({ length: 60 }, (_, i) => `fragment ${i === 0 ? 'A' : `F${i}`} on Query { tasks { nodes { id } } ${i < 59 ? `...F${i + 1}` : ''} }`).join(' ')}`;
    for (const [what, query] of [
      ['deep', `{ tasks { nodes { ${deep} } } }`],
      ['wide', wide],
      ['aliases', aliases],
      ['fragment chain', fragments],
      ['fragment cycle', 'query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }'],
    ] as const) {
      expectClearError(await post(query), what);
    }
    await expectUnchangedAndServing();
  });
});

describe('cross-site requests while the server runs open (no token, loopback)', () => {
  const mutation = 'mutation { runTasks(input: { tasks: [{ name: "csrf" }] }) { ids } }';

  it('refuses a form POST from another site (CSRF), which CORS would not stop', async () => {
    await snapshot();
    const answer = await raw(`query=${encodeURIComponent(mutation)}`, {
      'content-type': 'application/x-www-form-urlencoded',
      origin: 'https://evil.example',
    });
    expect(answer.status).toBe(401);
    expect(answer.json?.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    await expectUnchangedAndServing();
  });

  it('refuses a request through a non-loopback host name (DNS rebinding)', async () => {
    await snapshot();
    const answer = await raw(JSON.stringify({ query: mutation }), { host: 'evil.example:4000', origin: 'http://evil.example:4000' });
    expect(answer.json?.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    await expectUnchangedAndServing();
  });

  it('refuses a cross-site WebSocket (4403) and serves a same-machine one', async () => {
    const { default: WebSocket } = await import('ws');
    const open = (origin: string) =>
      new Promise<number | 'acked'>((resolve) => {
        const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws', { origin });
        socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
        socket.on('message', (data) => {
          if (JSON.parse(String(data)).type === 'connection_ack') {
            resolve('acked');
            socket.close();
          }
        });
        socket.on('close', (code) => resolve(code));
      });
    expect(await open('https://evil.example')).toBe(4403);
    expect(await open(server.url.replace('/graphql', ''))).toBe('acked');
  });

  it('serves the same-machine GraphiQL origin', async () => {
    const answer = await raw(JSON.stringify({ query: '{ viewer { role } }' }), { origin: server.url.replace('/graphql', '') });
    expect(answer.json?.data).toEqual({ viewer: { role: 'ADMIN' } });
  });
});

describe('hostile WebSocket messages', () => {
  it('closes the offending socket with a 44xx code and keeps serving everyone else', async () => {
    const { default: WebSocket } = await import('ws');
    const attempt = (messages: string[]) =>
      new Promise<number>((resolve) => {
        const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
        socket.on('open', () => {
          for (const m of messages) socket.send(m);
        });
        socket.on('close', (code) => resolve(code));
      });
    await snapshot();
    const init = JSON.stringify({ type: 'connection_init' });
    const cases: [string, string[]][] = [
      ['not JSON', ['{{{']],
      ['unknown message type', [init, JSON.stringify({ type: 'explode' })]],
      ['subscribe before init', [JSON.stringify({ id: '1', type: 'subscribe', payload: { query: '{ viewer { role } }' } })]],
      ['subscribe without payload', [init, JSON.stringify({ id: '1', type: 'subscribe' })]],
      ['query is a number', [init, JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 42 } })]],
      ['duplicate ids', [init, ...[1, 2].map(() => JSON.stringify({ id: 'same', type: 'subscribe', payload: { query: 'subscription { taskEvents { cursor } }' } }))]],
      ['two inits', [init, init]],
    ];
    for (const [what, messages] of cases) {
      const code = await attempt(messages);
      expect(code, what).toBeGreaterThanOrEqual(4400);
      expect(code, what).toBeLessThan(4500);
    }
    await expectUnchangedAndServing();
  });
});

describe('errors never leak internals', () => {
  it('masks a database failure as INTERNAL_SERVER_ERROR without SQL or stack, and recovers', async () => {
    const db = server.db.database.db;
    await db.execute(sql`ALTER TABLE jobs RENAME TO jobs_hidden`);
    try {
      const answer = await post('{ jobs { totalCount nodes { id } } }');
      expect(answer.json?.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      expect(answer.json?.errors?.[0]?.message).toBe('Unexpected error.');
      expect(answer.json?.errors?.[0]?.message).toBe('Unexpected error.');
      expect(answer.text).not.toMatch(/jobs_hidden|relation|postgres|pglite|does not exist|42P01/i);
      expectNoInternals(answer.text, 'database failure');
    } finally {
      await db.execute(sql`ALTER TABLE jobs_hidden RENAME TO jobs`);
    }
    const again = await post('{ jobs { totalCount } }');
    expect(again.json?.errors).toBeUndefined();
  });

  it('masks errors the same way with NODE_ENV=development', async () => {
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = 'development';
    const dev = await startTestServer();
    try {
      await dev.db.database.db.execute(sql`ALTER TABLE jobs RENAME TO jobs_hidden`);
      const response = await fetch(dev.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ jobs { totalCount } }' }) });
      const text = await response.text();
      expect(text).toContain('INTERNAL_SERVER_ERROR');
      expect(text).not.toMatch(/originalError|stack|jobs_hidden|relation/);
    } finally {
      process.env.NODE_ENV = previous;
      await dev.stop();
    }
  });
});
