import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, NetworkError, type Client, type ExecutionResult } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATION_LIMITS } from '../src/limits/operationLimits.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { waitFor } from './support/waitFor.ts';

/**
 * GraphQL over SSE with graphql-sse's own client, in both modes of its protocol (README "Watching
 * tasks live"): distinct connections (a POST per operation) and single connection (a PUT reserves a
 * stream, a GET opens it, operations are POSTs, a DELETE stops one), at /graphql/stream. The caller is
 * the token in the Authorization header; limits and errors are those of HTTP.
 */

const ADMIN = 'graphql-sse-admin-token-0123456789';

let server: TestServer;
let base: string;

beforeAll(async () => {
  server = await startTestServer({ config: { adminToken: ADMIN } });
  base = server.url.replace(/\/graphql$/, '');
});

afterAll(async () => {
  await server?.stop();
});

/** What one operation delivered: its results, and how it ended. */
interface Outcome {
  results: ExecutionResult<Record<string, any>, unknown>[];
  completed: boolean;
  error: unknown;
}

/** Subscribes; resolves once the operation completes or fails, or once `enough` holds (then unsubscribes). */
function run(client: Client, query: string, enough: (results: ExecutionResult<Record<string, any>, unknown>[]) => boolean = () => false) {
  const outcome: Outcome = { results: [], completed: false, error: null };
  let unsubscribe: () => void = () => {};
  const ended = new Promise<Outcome>((resolve) => {
    unsubscribe = client.subscribe<Record<string, any>>(
      { query },
      {
        next(result) {
          outcome.results.push(result);
          if (enough(outcome.results)) {
            unsubscribe();
            resolve(outcome);
          }
        },
        error(error) {
          outcome.error = error;
          resolve(outcome);
        },
        complete() {
          outcome.completed = true;
          resolve(outcome);
        },
      },
    );
  });
  return { outcome, ended, unsubscribe: () => unsubscribe() };
}

function deepSubscription(depth: number): string {
  let inner = 'id';
  for (let i = 0; i < depth - 2; i++) inner = `parent { ${inner} }`;
  return `subscription { taskEvents { task { ${inner} } } }`;
}

describe.each([
  ['single connection mode', true, '/graphql/stream'],
  ['distinct connections mode', false, '/graphql/stream'],
  // yoga's own SSE, which speaks the distinct connections mode.
  ['distinct connections mode at /graphql', false, '/graphql'],
] as const)('graphql-sse client, %s', (mode, singleConnection, path) => {
  const clients: Client[] = [];
  const methods: string[] = [];
  /** The last refused request's answer (the client aborts its connection, and so that body, at once). */
  let refusal: { status: number; authenticate: string | null; contentType: string | null; body: string } | null = null;
  function client(token: string | null): Client {
    const created = createClient({
      url: `${base}${path}`,
      singleConnection,
      retryAttempts: 0,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      fetchFn: async (input: RequestInfo | URL, init?: RequestInit) => {
        methods.push(init?.method ?? 'GET');
        const response = await fetch(input, init);
        if (response.status < 400) return response;
        const body = await response.text();
        const contentType = response.headers.get('content-type');
        refusal = { status: response.status, authenticate: response.headers.get('www-authenticate'), contentType, body };
        return new Response(body, response);
      },
    });
    clients.push(created);
    return created;
  }

  afterAll(() => {
    for (const created of clients) created.dispose();
  });

  it('delivers the events a mutation causes to a subscription with a token, and ends it cleanly', async () => {
    const hub = server.app.services.events;
    const names = [`${mode} a`, `${mode} b`];
    const sse = client(ADMIN);
    const watch = run(sse, 'subscription { taskEvents(filter: { kinds: [CREATED] }) { kind task { name } } }', (results) => results.length >= 2);
    await waitFor(() => hub.listenerCount('task'), (n) => n === 1, 5_000, 'the subscription to go live');
    await server.gql(`mutation { runTasks(input: { tasks: [{ name: "${names[0]}" }, { name: "${names[1]}" }] }) { applied } }`, undefined, { token: ADMIN });
    const outcome = await watch.ended;
    expect(outcome.error).toBeNull();
    expect(outcome.results).toEqual(names.map((name) => ({ data: { taskEvents: { kind: 'CREATED', task: { name } } } })));
    // Unsubscribed (a DELETE of the operation in single connection mode): the server lets go of it.
    await waitFor(() => hub.listenerCount('task'), (n) => n === 0, 5_000, 'the subscription to end on the server');
    // A query: one result, then complete. (A fresh client: a lazy single-connection client closes
    // its connection once its last operation ends, and would race a new operation against that.)
    const viewer = await run(client(ADMIN), '{ viewer { role } }').ended;
    expect(viewer).toEqual({ results: [{ data: { viewer: { role: 'ADMIN' } } }], completed: true, error: null });
    // The mode is the protocol's: single connection reserves its stream with a PUT, distinct does not.
    expect(methods.includes('PUT')).toBe(singleConnection);
    expect(methods.includes('DELETE')).toBe(singleConnection);
  });

  it('answers an over-deep subscription with the limit error, then completes', async () => {
    const outcome = await run(client(ADMIN), deepSubscription(OPERATION_LIMITS.maxDepth + 1)).ended;
    expect(outcome.error).toBeNull();
    expect(outcome.completed).toBe(true);
    expect(outcome.results).toHaveLength(1);
    const [result] = outcome.results;
    expect(result).not.toHaveProperty('data');
    expect(result!.errors).toHaveLength(1);
    expect(result!.errors![0]!.message).toContain('limit maxDepth');
    // Exactly these: no `http` extension (yoga's, for HTTP statuses) on an event stream.
    expect(result!.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', limit: 'maxDepth' });
    // A plain validation error the same way.
    const invalid = await run(client(ADMIN), 'subscription { nope }').ended;
    expect(invalid.completed).toBe(true);
    expect(invalid.results).toEqual([{ errors: [expect.objectContaining({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })] }]);
  });

  it('refuses a client without a token (tokens exist) with 401 UNAUTHENTICATED', async () => {
    for (const token of [null, 'not-a-token-at-all-0123456789']) {
      const outcome = await run(client(token), 'subscription { taskEvents { kind } }').ended;
      expect(outcome.completed).toBe(false);
      expect(outcome.results).toEqual([]);
      expect(outcome.error).toBeInstanceOf(NetworkError);
      expect((outcome.error as NetworkError<Response>).response?.status).toBe(401);
      expect(refusal).toMatchObject({ status: 401, authenticate: 'Bearer' });
      // yoga's SSE at /graphql answers its 401 as an event stream whose one result is the error.
      const streamed = refusal!.contentType?.startsWith('text/event-stream');
      const body = JSON.parse(streamed ? /^event: next\ndata: (.*)$/m.exec(refusal!.body)![1]! : refusal!.body) as ExecutionResult;
      expect(body.errors).toEqual([expect.objectContaining({ extensions: { code: 'UNAUTHENTICATED' } })]);
      refusal = null;
    }
  });
});

describe('graphql-sse client at /graphql/stream, trusted documents only (TASKLANE_PERSISTED_DOCUMENTS)', () => {
  const TEXT = 'query Trusted { viewer { role } }';
  const hash = createHash('sha256').update(TEXT).digest('hex');
  let dir: string;
  let trusted: TestServer;
  const clients: Client[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tasklane-sse-trusted-'));
    const manifest = join(dir, 'persisted-documents.json');
    writeFileSync(manifest, JSON.stringify({ [`sha256:${hash}`]: TEXT }));
    trusted = await startTestServer({ config: { persistedDocumentsFile: manifest } });
  });

  afterAll(async () => {
    for (const created of clients) created.dispose();
    await trusted?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([true, false])('runs a manifest document by its hash and refuses document text (single connection: %s)', async (singleConnection) => {
    const sse = createClient({ url: `${trusted.url}/stream`, singleConnection, retryAttempts: 0 });
    clients.push(sse);
    const byHash = await new Promise<Outcome>((resolve) => {
      const outcome: Outcome = { results: [], completed: false, error: null };
      sse.subscribe(
        { query: '', extensions: { persistedQuery: { version: 1, sha256Hash: hash } } },
        { next: (r) => void outcome.results.push(r), error: (e) => resolve({ ...outcome, error: e }), complete: () => resolve({ ...outcome, completed: true }) },
      );
    });
    expect(byHash).toEqual({ results: [{ data: { viewer: { role: 'ADMIN' } } }], completed: true, error: null });
    const raw = await run(sse, TEXT).ended;
    expect(raw.completed).toBe(true);
    expect(raw.results).toEqual([{ errors: [expect.objectContaining({ extensions: { code: 'PERSISTED_DOCUMENT_REQUIRED' } })] }]);
  });
});
