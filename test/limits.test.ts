import { connect, type Socket } from 'node:net';
import { Agent, request as httpRequest } from 'node:http';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATION_LIMITS } from '../src/limits/operationLimits.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { stateFingerprint } from './support/schemaOperations.ts';
import { sseSubscribe, wsClient, wsSubscribe, type Stream } from './support/subscriptions.ts';
import { waitFor } from './support/waitFor.ts';

/**
 * Limits on every transport (DESIGN.md "Access", "Limits"): operation shape (graphql-armor), request
 * body size, operations per WebSocket connection, connections, introspection. Each refusal names the
 * limit it hit.
 */

const MAX_BODY = 4 * 1024 * 1024;
const MAX_SUBSCRIPTIONS = 3;

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    config: { maxBodyBytes: MAX_BODY, maxSubscriptionsPerConnection: MAX_SUBSCRIPTIONS },
  });
});
afterAll(async () => {
  await server?.stop();
});

/** `{ tasks { nodes { parent { parent { … id } } } } }` with `levels` nested parents: depth levels + 3. */
function deepQuery(depth: number): string {
  let inner = 'id';
  for (let i = 0; i < depth - 3; i++) inner = `parent { ${inner} }`;
  return `{ tasks { nodes { ${inner} } } }`;
}

const shapes: { limit: string; query: string }[] = [
  { limit: 'maxDepth', query: deepQuery(OPERATION_LIMITS.maxDepth + 1) },
  {
    limit: 'maxAliases',
    query: `{ ${Array.from({ length: OPERATION_LIMITS.maxAliases + 1 }, (_, i) => `a${i}: viewer { role }`).join(' ')} }`,
  },
  {
    limit: 'maxDirectives',
    query: `{ viewer { role ${'@include(if: true) '.repeat(OPERATION_LIMITS.maxDirectives + 1)} } }`,
  },
  { limit: 'maxTokens', query: `{ tasks(filter: { ids: [${'"x", '.repeat(OPERATION_LIMITS.maxTokens)}] }) { totalCount } }` },
  { limit: 'maxCost', query: '{ tasks(first: 500) { nodes { id job { tasks(first: 500) { nodes { id name status } } } } } }' },
];

describe('operation shape limits (graphql-armor)', () => {
  it('allows what a client legitimately asks: depth, aliases and a full page at the limits', async () => {
    const atDepth = await server.request(deepQuery(OPERATION_LIMITS.maxDepth));
    expect(atDepth.errors).toBeUndefined();
    const aliases = await server.request(`{ ${Array.from({ length: OPERATION_LIMITS.maxAliases }, (_, i) => `a${i}: viewer { role }`).join(' ')} }`);
    expect(aliases.errors).toBeUndefined();
    const fullPage = await server.request(
      `{ tasks(first: 500) { totalCount pageInfo { hasNextPage endCursor } nodes { id name description conf status index priority timeoutMs maxAttempts attempts refId auto archive open progress result resultType errorInfo residentOn leaseExpiresAt allowedOperations createdAt startedAt finishedAt job { id name status progress taskCounts { total queued } } thread { name status } parent { id name } } } }`,
    );
    expect(fullPage.errors).toBeUndefined();
  });

  it.each(shapes.map((s) => [s.limit, s.query]))('refuses over %s over HTTP, naming the limit', async (limit, query) => {
    const result = await server.request(query);
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]!.message).toContain(`limit ${limit}`);
    expect(result.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', limit });
    expect(result).not.toHaveProperty('data');
    // GraphQL over HTTP: refused before execution, 400 under application/graphql-response+json…
    expect(result.status).toBe(400);
    // …and 200 under application/json, with the same body.
    const legacy = await postAccepting('application/json', { query });
    expect(legacy.status).toBe(200);
    expect(legacy.body).toEqual({ errors: result.errors });
  });

  it('answers every refusal before execution 400 under application/graphql-response+json, 200 under application/json, on HTTP only', async () => {
    const refusals: { what: string; query: string; variables?: Record<string, unknown>; code?: string }[] = [
      ...shapes.map((s) => ({ what: s.limit, query: s.query, code: 'BAD_USER_INPUT' })),
      { what: 'unstorable text in a variable', query: 'query Q($f: TaskFilter) { tasks(filter: $f) { totalCount } }', variables: { f: { name: 'a\u0000b' } }, code: 'BAD_USER_INPUT' },
      { what: 'unstorable text in the document', query: '{ tasks(filter: { name: "a\\u0000b" }) { totalCount } }', code: 'BAD_USER_INPUT' },
      { what: 'a variable that does not coerce', query: 'query Q($f: Int) { tasks(first: $f) { totalCount } }', variables: { f: 'x' } },
      { what: 'a validation error', query: '{ nope }', code: 'GRAPHQL_VALIDATION_FAILED' },
    ];
    const client = wsClient(server.wsUrl);
    try {
      for (const { what, query, variables, code } of refusals) {
        const spec = await postAccepting('application/graphql-response+json', { query, variables });
        expect(spec.status, what).toBe(400);
        expect(spec.body, what).not.toHaveProperty('data');
        const legacy = await postAccepting('application/json', { query, variables });
        expect(legacy.status, what).toBe(200);
        expect(legacy.body, what).toEqual(spec.body);
        // What decides the status stays on the server, on every transport.
        const [error] = spec.body.errors!;
        expect(error, what).not.toHaveProperty('extensions.http');
        const ws = await wsSubscribe(client, query, variables).next(5_000);
        expect(ws.errors?.[0]?.message, what).toBe(error!.message);
        expect(ws.errors?.[0]?.extensions, what).toEqual(error!.extensions);
        expect(error!.extensions?.code, `${what}: ${error!.message}`).toBe(code);
      }
    } finally {
      await client.dispose();
    }
  });

  it('applies the same limits to subscriptions over SSE and WebSocket', async () => {
    const deep = (depth: number) => {
      let inner = 'id';
      for (let i = 0; i < depth - 2; i++) inner = `parent { ${inner} }`;
      return `subscription { taskEvents { task { ${inner} } } }`;
    };
    const aliasBomb = `subscription { ${Array.from({ length: OPERATION_LIMITS.maxAliases + 1 }, (_, i) => `a${i}: taskEvents { cursor }`).join(' ')} }`;
    const client = wsClient(server.wsUrl);
    try {
      for (const [limit, query] of [
        ['maxDepth', deep(OPERATION_LIMITS.maxDepth + 1)],
        ['maxAliases', aliasBomb],
      ] as const) {
        for (const stream of [sseSubscribe(server.url, query), wsSubscribe(client, query)]) {
          const result = await stream.next(5_000);
          expect(result.errors?.[0]?.message, limit).toContain(`limit ${limit}`);
          // No `http` extension: that is yoga's, for the status of an HTTP response.
          expect(result.errors?.[0]?.extensions, limit).toEqual({ code: 'BAD_USER_INPUT', limit });
          await stream.close();
        }
      }
      // …and to queries sent over WebSocket.
      const ws = wsSubscribe(client, shapes[0]!.query);
      expect((await ws.next(5_000)).errors?.[0]?.message).toContain('limit maxDepth');
    } finally {
      await client.dispose();
    }
  });

  it('keeps introspection on by default (GraphiQL needs it)', async () => {
    const result = await server.request('{ __schema { queryType { name } } }');
    expect(result.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('turns introspection off with TASKLANE_INTROSPECTION=false, on every transport', async () => {
    const closed = await startTestServer({ config: { introspection: false } });
    const client = wsClient(closed.wsUrl);
    try {
      for (const query of ['{ __schema { types { name } } }', '{ __type(name: "Task") { name } }']) {
        const result = await closed.request(query);
        expect(result.errors?.[0]?.message).toMatch(/introspection/i);
        expect(result).not.toHaveProperty('data');
        // Refused before execution: 400 under application/graphql-response+json.
        expect(result.status).toBe(400);
        const ws = await wsSubscribe(client, query).next(5_000);
        expect(ws.errors?.[0]?.message).toMatch(/introspection/i);
        expect(ws.errors?.[0]?.extensions).not.toHaveProperty('http');
      }
      expect((await closed.request('{ __typename viewer { role } }')).data).toEqual({ __typename: 'Query', viewer: { role: 'ADMIN' } });
      // No "Did you mean …?" hints either: they would leak the schema.
      const typo = await closed.request('{ viewr { role } }');
      expect(typo.errors?.[0]?.message).not.toMatch(/did you mean/i);
    } finally {
      await client.dispose();
      await closed.stop();
    }
  });
});

/** POSTs an operation with this Accept header; the status and the parsed body. */
async function postAccepting(accept: string, operation: { query: string; variables?: Record<string, unknown> }) {
  const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', accept }, body: JSON.stringify(operation) });
  expect(response.headers.get('content-type')).toBe(`${accept}; charset=utf-8`);
  return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } };
}

function postRaw(body: Buffer | string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(server.url);
    const req = httpRequest(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += String(c)));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('request body size', () => {
  const oversized = JSON.stringify({ query: '{ viewer { role } }', variables: { pad: 'x'.repeat(MAX_BODY) } });

  it('refuses a body over the limit with 413, naming the limit (Content-Length)', async () => {
    const result = await postRaw(oversized);
    expect(result.status).toBe(413);
    const body = JSON.parse(result.body) as { errors: { message: string; extensions: Record<string, unknown> }[] };
    expect(body.errors[0]!.extensions).toEqual({ code: 'REQUEST_ENTITY_TOO_LARGE', limit: 'maxBodyBytes' });
    expect(body.errors[0]!.message).toContain(String(MAX_BODY));
  });

  it('lets a client still sending an oversized body read the 413 (no connection reset)', async () => {
    for (let i = 0; i < 5; i++) {
      const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: oversized });
      expect(response.status).toBe(413);
      expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('REQUEST_ENTITY_TOO_LARGE');
    }
    const after = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ viewer { role } }' }) });
    expect(after.status).toBe(200);
  });

  it('refuses a chunked body over the limit too, and serves a chunked body under it', async () => {
    const over = await postRaw(oversized, { 'transfer-encoding': 'chunked' });
    expect(over.status).toBe(413);
    const under = await postRaw(JSON.stringify({ query: '{ viewer { role } }' }), { 'transfer-encoding': 'chunked' });
    expect(under.status).toBe(200);
    expect(JSON.parse(under.body)).toEqual({ data: { viewer: { role: 'ADMIN' } } });
  });

  it('refuses an over-large WebSocket message by closing the socket (1009)', async () => {
    const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
    await new Promise((resolve) => socket.once('open', resolve));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(MAX_BODY + 1) } }));
    expect(await closed).toBe(1009);
  });

  it('still serves after all of that', async () => {
    expect((await server.request('{ viewer { role } }')).data).toEqual({ viewer: { role: 'ADMIN' } });
  });
});

describe('the default body limit', () => {
  it('allows a legitimate 10,000-definition runTasks (a few MB)', async () => {
    const big = await startTestServer();
    try {
      const tasks = Array.from({ length: 10_000 }, (_, i) => ({
        name: `render-frame-${i}`,
        conf: { scene: 'shot-042', frame: i, camera: 'main', samples: 256, output: `/renders/shot-042/frame-${String(i).padStart(5, '0')}.exr` },
        refId: `shot-042-frame-${i}`,
        priority: 60,
      }));
      const body = JSON.stringify({ query: 'mutation($input: RunTasksInput!) { runTasks(input: $input) { applied ids } }', variables: { input: { tasks } } });
      expect(body.length).toBeGreaterThan(1_500_000);
      const result = await big.request<{ runTasks: { applied: boolean; ids: string[] } }, unknown>(
        'mutation($input: RunTasksInput!) { runTasks(input: $input) { applied ids } }',
        { input: { tasks } },
      );
      expect(result.errors).toBeUndefined();
      expect(result.data!.runTasks.ids).toHaveLength(10_000);
    } finally {
      await big.stop();
    }
  }, 120_000);
});

describe('operations per WebSocket connection', () => {
  it(`refuses operation ${MAX_SUBSCRIPTIONS + 1} on one connection, naming the limit, and accepts again once one ends`, async () => {
    const client = wsClient(server.wsUrl);
    const streams: Stream[] = [];
    try {
      for (let i = 0; i < MAX_SUBSCRIPTIONS; i++) streams.push(wsSubscribe(client, 'subscription { taskEvents { cursor } }'));
      const extra = wsSubscribe(client, 'subscription { taskEvents { cursor } }');
      const refused = await extra.next(5_000);
      expect(refused.errors?.[0]?.extensions).toMatchObject({ limit: 'maxSubscriptionsPerConnection' });
      expect(refused.errors?.[0]?.message).toContain(String(MAX_SUBSCRIPTIONS));
      await streams.pop()!.close();
      // The server frees the slot when the client's Complete arrives; the client sees no sign of it.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const again = wsSubscribe(client, '{ viewer { role } }');
      expect((await again.next(5_000)).data).toEqual({ viewer: { role: 'ADMIN' } });
    } finally {
      for (const s of streams) await s.close();
      await client.dispose();
    }
  });
});

describe('connections', () => {
  /** One request on a fresh socket (no keep-alive pool): its status, or the error when the server drops the socket. */
  function healthOnNewSocket(port: number): Promise<number | string> {
    return new Promise((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/health', agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      req.end();
    });
  }

  it('accepts at most maxConnections sockets at once, then serves again when they close', async () => {
    const limited = await startTestServer({ config: { maxConnections: 5 } });
    const port = Number(new URL(limited.url).port);
    const sockets: Socket[] = [];
    try {
      for (let i = 0; i < 5; i++) {
        const socket = connect(port, '127.0.0.1');
        await new Promise((resolve) => socket.once('connect', resolve));
        sockets.push(socket);
      }
      // The server counts a socket when it accepts it, after the client's connect: nothing to await.
      await new Promise((resolve) => setTimeout(resolve, 100));
      // Node drops a socket over `maxConnections` as soon as it accepts it.
      expect(await healthOnNewSocket(port)).toBe('ECONNRESET');
      for (const s of sockets) s.destroy();
      await waitFor(() => healthOnNewSocket(port), (answer) => answer === 200, 5_000, 'the server to serve again');
      expect(await healthOnNewSocket(port)).toBe(200);
    } finally {
      for (const s of sockets) s.destroy();
      await limited.stop();
    }
  });
});

describe('keep-alive', () => {
  it('leaves an idle connection open past the 4-5 s after which fetch stops reusing it', async () => {
    const port = Number(new URL(server.url).port);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const health = () =>
      new Promise<{ status: number; reused: boolean; keepAlive: string | undefined }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path: '/health', agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket, keepAlive: res.headers['keep-alive'] as string | undefined }));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      const first = await health();
      expect(first).toEqual({ status: 200, reused: false, keepAlive: 'timeout=72' });
      await new Promise((resolve) => setTimeout(resolve, 5_500)); // idle past Node's 5 s default, by the clock
      expect(await health()).toEqual({ status: 200, reused: true, keepAlive: 'timeout=72' });
    } finally {
      agent.destroy();
    }
  });
});

describe('nothing changes on refusal', () => {
  it('runs no part of a mutation that breaks a shape limit or the body limit', async () => {
    const run = 'runTasks(input: { tasks: [{ name: "must-not-exist" }] })';
    let nested = 'id';
    for (let i = 0; i < OPERATION_LIMITS.maxDepth; i++) nested = `parent { ${nested} }`;
    const before = await stateFingerprint(server.db.database.db);
    const refused = [
      `mutation { ${run} { tasks { ${nested} } } }`,
      `mutation { ${Array.from({ length: OPERATION_LIMITS.maxAliases + 1 }, (_, i) => `a${i}: ${run} { ids }`).join(' ')} }`,
      `mutation { ${run} { tasks { job { tasks(first: 500) { nodes { subtasks(first: 500) { nodes { id } } } } } } } }`,
    ];
    for (const query of refused) {
      const result = await server.request(query);
      expect(result.errors?.[0]?.extensions?.code, query).toBe('BAD_USER_INPUT');
    }
    await postRaw(JSON.stringify({ query: `mutation { ${run} { ids } }`, variables: { pad: 'x'.repeat(MAX_BODY) } }));
    expect(await stateFingerprint(server.db.database.db)).toBe(before);
  });
});
