import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { preset as clientPreset } from '@graphql-codegen/client-preset';
import { createClient as createSseClient } from 'graphql-sse';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { sql } from 'drizzle-orm';
import { queryRows } from '../src/db/database.ts';
import { encodeEventCursor } from '../src/domain/cursors.ts';
import { loadPersistedDocuments } from '../src/limits/persistedDocuments.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { Stream, wsClient, type Result } from './support/subscriptions.ts';

/**
 * Trusted documents: the server started with the manifest GraphQL Code Generator's client preset
 * writes (`persistedDocuments: true`) runs those documents by documentId on every transport, and
 * nothing else.
 */

// Plain strings, written to a .graphql file for codegen (not `graphql(…)` calls: the project's own
// codegen must not take them up).
const DOCUMENTS = `
query TrustedTask($id: ID!) { task(id: $id) { id name status } }
mutation TrustedRun($input: RunTasksInput!) { runTasks(input: $input) { applied ids } }
subscription TrustedEvents($taskIds: [ID!], $after: String) { taskEvents(filter: { taskIds: $taskIds }, after: $after) { kind taskId } }
`;


const RAW_QUERY = '{ viewer { role } }';
const UNKNOWN_ID = `sha256:${'0'.repeat(64)}`;

let dir: string;
let manifestFile: string;
/** documentId by operation name, as the generated documents carry it (`__meta__.hash`). */
const ids: Record<string, string> = {};
let server: TestServer;
/** The cursor of the log's first event (a task made in beforeAll): the tests' own events come after it. */
let FROM_START: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tasklane-trusted-'));
  writeFileSync(join(dir, 'operations.graphql'), DOCUMENTS);
  await generate(
    {
      cwd: dir,
      schema: join(process.cwd(), 'schema/schema.graphql'),
      documents: [join(dir, 'operations.graphql')],
      silent: true,
      generates: { [join(dir, 'gql/')]: { preset: clientPreset, presetConfig: { persistedDocuments: true } } },
    },
    true,
  );
  manifestFile = join(dir, 'gql/persisted-documents.json');
  const generated = readFileSync(join(dir, 'gql/graphql.ts'), 'utf8');
  for (const [, name, hash] of generated.matchAll(/export const (\w+)Document = \{"__meta__":\{"hash":"([^"]+)"\}/g)) ids[name!] = hash!;
  server = await startTestServer({ config: { persistedDocumentsFile: manifestFile } });
  await runTask('log-start');
  const [first] = await queryRows<{ txid: string; id: string }>(
    server.app.services.database.db,
    sql`SELECT txid::text, id::text FROM task_events ORDER BY txid, id LIMIT 1`,
  );
  FROM_START = encodeEventCursor({ txid: BigInt(first!.txid), id: BigInt(first!.id) });
});

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

type Body = Result & { status: number };

async function post(body: Record<string, unknown>, accept = 'application/graphql-response+json'): Promise<Body> {
  const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', accept }, body: JSON.stringify(body) });
  return { ...((await response.json()) as Result), status: response.status };
}

async function get(params: Record<string, unknown>, accept = 'application/graphql-response+json'): Promise<Body> {
  const search = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  const response = await fetch(`${server.url}?${search}`, { headers: { accept } });
  return { ...((await response.json()) as Result), status: response.status };
}

/**
 * graphql-sse's client: by default in distinct-connections mode on /graphql (each operation a POST
 * taking an event stream), or at /graphql/stream (src/transport/graphqlSse.ts) in either mode.
 */
function sseRun(payload: Record<string, unknown>, at: { stream: true; singleConnection: boolean } | null = null): Stream {
  const client = createSseClient(
    at ? { url: `${server.url}/stream`, singleConnection: at.singleConnection, retryAttempts: 0 } : { url: server.url, retryAttempts: 0 },
  );
  const stream = new Stream(() => client.dispose());
  client.subscribe(payload as never, {
    next: (value) => stream.push(value as Result),
    error: (error) => stream.end(error),
    complete: () => stream.end(),
  });
  return stream;
}

function wsRun(client: Client, payload: Record<string, unknown>): Stream {
  let unsubscribe = () => {};
  const stream = new Stream(() => unsubscribe());
  unsubscribe = client.subscribe(payload as never, {
    next: (value) => stream.push(value as Result),
    error: (error) => {
      if (Array.isArray(error)) stream.push({ errors: error } as Result);
      stream.end(Array.isArray(error) ? undefined : error);
    },
    complete: () => stream.end(),
  });
  return stream;
}

async function runTask(name: string): Promise<string> {
  const result = await post({ documentId: ids.TrustedRun, variables: { input: { tasks: [{ name }] } } });
  expect(result.errors).toBeUndefined();
  return (result.data as { runTasks: { ids: string[] } }).runTasks.ids[0]!;
}

describe('trusted documents: the manifest codegen wrote', () => {
  it('is what the generated documents point at: one entry per document, keyed by its __meta__.hash', () => {
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, string>;
    expect(Object.keys(ids).sort()).toEqual(['TrustedEvents', 'TrustedRun', 'TrustedTask']);
    expect(Object.keys(manifest).sort()).toEqual(Object.values(ids).sort());
    for (const [id, text] of Object.entries(manifest)) expect(id).toBe(`sha256:${createHash('sha256').update(text).digest('hex')}`);
  });
});

describe('trusted documents run by documentId', () => {
  it('POST: a mutation and a query', async () => {
    const id = await runTask('trusted-post');
    const result = await post({ documentId: ids.TrustedTask, variables: { id } });
    expect(result).toMatchObject({ status: 200, data: { task: { id, name: 'trusted-post', status: 'QUEUED' } } });
  });

  it('GET: a query (documentId in the query string)', async () => {
    const id = await runTask('trusted-get');
    const result = await get({ documentId: ids.TrustedTask!, variables: { id } });
    expect(result).toMatchObject({ status: 200, data: { task: { id, name: 'trusted-get' } } });
  });

  it("POST: Apollo's persistedQuery extension with the bare sha256 of a manifest document", async () => {
    const id = await runTask('trusted-extension');
    const sha256Hash = ids.TrustedTask!.replace(/^sha256:/, '');
    const result = await post({ extensions: { persistedQuery: { version: 1, sha256Hash } }, variables: { id } });
    expect(result).toMatchObject({ status: 200, data: { task: { id } } });
  });

  it('SSE (graphql-sse client, distinct connections on /graphql): a subscription and a query', async () => {
    const id = await runTask('trusted-sse');
    const events = sseRun({ query: '', documentId: ids.TrustedEvents, variables: { taskIds: [id], after: FROM_START } });
    const query = sseRun({ query: '', documentId: ids.TrustedTask, variables: { id } });
    try {
      expect(await events.take(1)).toEqual([{ taskEvents: { kind: 'CREATED', taskId: id } }]);
      expect(await query.take(1)).toEqual([{ task: { id, name: 'trusted-sse', status: 'QUEUED' } }]);
    } finally {
      await events.close();
      await query.close();
    }
  });

  it('GET with Accept: text/event-stream: a subscription', async () => {
    const id = await runTask('trusted-sse-get');
    const controller = new AbortController();
    const search = new URLSearchParams({ documentId: ids.TrustedEvents!, variables: JSON.stringify({ taskIds: [id], after: FROM_START }) });
    const response = await fetch(`${server.url}?${search}`, { headers: { accept: 'text/event-stream' }, signal: controller.signal });
    try {
      expect(response.headers.get('content-type')).toContain('text/event-stream');
      const decoder = new TextDecoder();
      let text = '';
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        text += decoder.decode(chunk, { stream: true });
        if (/^data: .*\n\n/m.test(text)) break;
      }
      const data = /^data: (.*)$/m.exec(text)![1]!;
      expect(JSON.parse(data)).toEqual({ data: { taskEvents: { kind: 'CREATED', taskId: id } } });
    } finally {
      controller.abort();
    }
  });

  it('graphql-sse at /graphql/stream, both modes: by the persistedQuery extension (its request parser keeps no documentId)', async () => {
    const id = await runTask('trusted-stream');
    const sha256Hash = ids.TrustedTask!.replace(/^sha256:/, '');
    for (const singleConnection of [false, true]) {
      const stream = sseRun({ query: '', extensions: { persistedQuery: { version: 1, sha256Hash } }, variables: { id } }, { stream: true, singleConnection });
      try {
        expect(await stream.take(1)).toEqual([{ task: { id, name: 'trusted-stream', status: 'QUEUED' } }]);
      } finally {
        await stream.close();
      }
    }
  });

  it('graphql-ws: a mutation, a query and a subscription (`query: ""` with the documentId)', async () => {
    const client = wsClient(server.wsUrl);
    try {
      const run = wsRun(client, { query: '', documentId: ids.TrustedRun, variables: { input: { tasks: [{ name: 'trusted-ws' }] } } });
      const [{ runTasks }] = (await run.take(1)) as [{ runTasks: { applied: boolean; ids: string[] } }];
      expect(runTasks.applied).toBe(true);
      const id = runTasks.ids[0]!;
      const query = wsRun(client, { query: '', documentId: ids.TrustedTask, variables: { id } });
      expect(await query.take(1)).toEqual([{ task: { id, name: 'trusted-ws', status: 'QUEUED' } }]);
      const events = wsRun(client, { query: '', documentId: ids.TrustedEvents, variables: { taskIds: [id], after: FROM_START } });
      try {
        expect(await events.take(1)).toEqual([{ taskEvents: { kind: 'CREATED', taskId: id } }]);
      } finally {
        await events.close();
      }
    } finally {
      await client.dispose();
    }
  });
});

describe('anything else is refused, with a clear error', () => {
  const refusedText = { code: 'PERSISTED_DOCUMENT_REQUIRED' };
  const unknownId = { code: 'PERSISTED_DOCUMENT_NOT_FOUND' };

  it('POST: a raw query (400; 200 under application/json) and an unknown documentId (404)', async () => {
    const raw = await post({ query: RAW_QUERY });
    expect(raw.status).toBe(400);
    expect(raw.data).toBeUndefined();
    expect(raw.errors).toEqual([expect.objectContaining({ message: expect.stringContaining('documentId'), extensions: refusedText })]);
    expect((await post({ query: RAW_QUERY }, 'application/json')).status).toBe(200);
    const unknown = await post({ documentId: UNKNOWN_ID });
    expect(unknown.status).toBe(404);
    expect(unknown.errors).toEqual([expect.objectContaining({ message: expect.stringContaining(UNKNOWN_ID), extensions: unknownId })]);
    // Neither text nor id.
    expect(await post({ variables: {} })).toMatchObject({ status: 400, errors: [{ extensions: refusedText }] });
  });

  it('GET: a raw query and an unknown documentId', async () => {
    expect(await get({ query: RAW_QUERY })).toMatchObject({ status: 400, errors: [{ extensions: refusedText }] });
    expect(await get({ documentId: UNKNOWN_ID })).toMatchObject({ status: 404, errors: [{ extensions: unknownId }] });
  });

  it('SSE: a raw query and an unknown documentId, with no HTTP status in the event', async () => {
    for (const [payload, extensions] of [
      [{ query: RAW_QUERY }, refusedText],
      [{ query: '', documentId: UNKNOWN_ID }, unknownId],
    ] as const) {
      const stream = sseRun(payload);
      const result = await stream.next();
      await stream.close();
      expect(result.errors).toEqual([expect.objectContaining({ extensions })]);
      expect(result.data).toBeUndefined();
    }
  });

  it('graphql-ws: a raw query and an unknown documentId, with no HTTP status in the payload', async () => {
    const client = wsClient(server.wsUrl);
    try {
      for (const [payload, extensions] of [
        [{ query: RAW_QUERY }, refusedText],
        [{ query: '', documentId: UNKNOWN_ID }, unknownId],
      ] as const) {
        const stream = wsRun(client, payload);
        const result = await stream.next();
        expect(result.errors).toEqual([expect.objectContaining({ extensions })]);
        expect(result.data).toBeUndefined();
      }
    } finally {
      await client.dispose();
    }
  });

  it('APQ is no way around the manifest: registering a text is refused, and its hash stays unknown', async () => {
    const sha256Hash = createHash('sha256').update(RAW_QUERY).digest('hex');
    const extensions = { persistedQuery: { version: 1, sha256Hash } };
    expect(await post({ query: RAW_QUERY, extensions })).toMatchObject({ status: 400, errors: [{ extensions: refusedText }] });
    expect(await post({ extensions })).toMatchObject({ status: 404, errors: [{ extensions: unknownId }] });
    expect(await get({ extensions })).toMatchObject({ status: 404, errors: [{ extensions: unknownId }] });
  });

  it('graphql-sse at /graphql/stream, both modes: a raw query and an unknown hash are refused', async () => {
    for (const singleConnection of [false, true]) {
      for (const [payload, extensions] of [
        [{ query: RAW_QUERY }, refusedText],
        [{ query: '', extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } }, unknownId],
      ] as const) {
        const stream = sseRun(payload, { stream: true, singleConnection });
        try {
          const result = await stream.next();
          expect(result.errors).toEqual([expect.objectContaining({ extensions })]);
          expect(result.data).toBeUndefined();
        } finally {
          await stream.close();
        }
      }
    }
  });

  it("a path that skipped the admission would still parse only the manifest's texts", () => {
    const manifest = loadPersistedDocuments(manifestFile);
    const enveloped = server.app.yoga.getEnveloped({ request: new Request(server.url) });
    expect(() => enveloped.parse(RAW_QUERY)).toThrow(/documentId/);
    expect(() => enveloped.parse(manifest.get(ids.TrustedTask!)!)).not.toThrow();
  });
});

describe('a manifest that cannot be used stops the start', () => {
  const badDir = mkdtempSync(join(tmpdir(), 'tasklane-bad-manifest-'));
  afterAll(() => rmSync(badDir, { recursive: true, force: true }));
  let count = 0;
  function manifest(content: string): string {
    const file = join(badDir, `manifest-${count++}.json`);
    writeFileSync(file, content);
    return file;
  }

  it.each([
    ['a missing file', join(badDir, 'missing.json'), /cannot be read \(ENOENT\)/],
    ['not JSON', manifest('{ nope'), /is not JSON/],
    ['not an object', manifest('["query { viewer { role } }"]'), /is not a JSON object/],
    ['an entry that is not text', manifest('{ "sha256:ab": 1 }'), /"sha256:ab" is not a document text/],
    ['a document that does not parse', manifest('{ "sha256:ab": "query {" }'), /"sha256:ab" does not parse/],
    ['no documents', manifest('{}'), /holds no documents/],
  ])('%s', async (_what, file, message) => {
    const config = loadConfig({ LOG_LEVEL: 'silent', TASKLANE_DATA_DIR: 'memory://', TASKLANE_PERSISTED_DOCUMENTS: file });
    await expect(buildApp({ config })).rejects.toThrow(message);
    await expect(buildApp({ config })).rejects.toThrow(/TASKLANE_PERSISTED_DOCUMENTS=.*persistedDocuments: true/);
  });
});
