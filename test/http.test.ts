import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.ts';

/**
 * What a client gets from POST /graphql for each request body and Accept header: the status, the
 * media type and the body, as yoga answers them (every request goes through yoga's handler).
 *
 * Every case is sent twice, because src/transport/http.ts hands yoga a body two ways: with a Content-Length
 * (yoga's Node adapter reads it) and chunked (read there, counting against the body limit, and given
 * to yoga as text). Both must answer alike.
 */

const ADMIN = 'http-answers-admin-token-0123456789';
const JSON_TYPE = 'application/json';
const GRAPHQL_RESPONSE = 'application/graphql-response+json';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ config: { adminToken: ADMIN } });
  await server.gql(`mutation { runTasks(input: { tasks: [{ name: "one" }, { name: "two" }] }) { applied } }`, undefined, { token: ADMIN });
});

afterAll(async () => {
  await server?.stop();
});

interface Answer {
  status: number;
  /** The media type without its parameters; null when there is no body. */
  mediaType: string | null;
  charset: string | null;
  authenticate: string | undefined;
  body: string;
}

/** POSTs `body` with node:http: with a Content-Length, or chunked (no length). */
function post(body: string, headers: Record<string, string>, chunked: boolean): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const url = new URL(server.url);
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(chunked ? {} : { 'content-length': String(Buffer.byteLength(body)) }), ...headers },
      },
      (res) => {
        const contentType = res.headers['content-type'] ?? null;
        const answer = {
          status: res.statusCode ?? 0,
          mediaType: contentType?.split(';')[0]!.trim() ?? null,
          charset: contentType?.match(/charset=([^;]+)/)?.[1] ?? null,
          authenticate: res.headers['www-authenticate'],
        };
        // A subscription answered as a stream does not end by itself.
        if (answer.mediaType === 'text/event-stream') {
          res.destroy();
          resolve({ ...answer, body: '(a stream)' });
          return;
        }
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ ...answer, body: text }));
      },
    );
    req.on('error', reject);
    if (chunked) {
      // Two chunks, so that the body really is read in parts.
      const half = Math.floor(body.length / 2);
      req.write(body.slice(0, half));
      req.end(body.slice(half));
    } else req.end(body);
  });
}

const query = (text: string, extra: Record<string, unknown> = {}) => JSON.stringify({ query: text, ...extra });

/**
 * How yoga answers a body:
 * - `data`: runs, 200 with `data` (no errors); without a token, 401 UNAUTHENTICATED (Bearer);
 * - `request`: refused before the document is looked at (the body or its parameters are malformed):
 *   400 under either media type, token or not;
 * - `document`: the document does not parse or validate: 400 under application/graphql-response+json,
 *   200 under application/json (GraphQL over HTTP), no `data`; token or not (checked before the
 *   caller is);
 * - `variables`: the variables do not coerce: answered as `document`, but checked after the caller
 *   (401 without a token);
 * - `subscription`: answered as a stream when the Accept header allows text/event-stream, else 406.
 */
type Kind = 'data' | 'request' | 'document' | 'variables' | 'subscription';

const BODIES: { name: string; body: string; kind: Kind; error?: { code?: string; message: RegExp } }[] = [
  { name: 'a query', body: query('{ viewer { role } tasks(first: 5) { totalCount nodes { id name status } } }'), kind: 'data' },
  {
    name: 'variables and an operation name',
    body: query('query Q($f: Int) { tasks(first: $f) { nodes { id } } }', { variables: { f: 1 }, operationName: 'Q' }),
    kind: 'data',
  },
  {
    name: 'null optional parameters',
    body: query('{ viewer { role } }', { variables: null, operationName: null, extensions: null, other: null }),
    kind: 'data',
  },
  {
    name: 'a mutation with per-task errors',
    body: query('mutation { cancelTasks(input: { target: { ids: ["nope"] } }) { applied ids errors { index code message } } }'),
    kind: 'data',
  },
  { name: 'a validation error', body: query('{ nope }'), kind: 'document', error: { code: 'GRAPHQL_VALIDATION_FAILED', message: /Cannot query field "nope"/ } },
  { name: 'a syntax error', body: query('{'), kind: 'document', error: { code: 'GRAPHQL_PARSE_FAILED', message: /^Syntax Error/ } },
  { name: 'no query', body: '{}', kind: 'document', error: { code: 'BAD_REQUEST', message: /Must provide query string/ } },
  {
    name: 'a variable of the wrong type',
    body: query('query Q($f: Int) { tasks(first: $f) { nodes { id } } }', { variables: { f: 'x' } }),
    kind: 'variables',
    error: { message: /Variable "\$f" got invalid value "x"/ },
  },
  {
    name: 'an unknown operation name',
    body: query('query A { viewer { role } }', { operationName: 'B' }),
    kind: 'request',
    error: { code: 'OPERATION_RESOLUTION_FAILURE', message: /Could not determine what operation to execute/ },
  },
  {
    name: 'two operations and no name',
    body: query('query A { viewer { role } } query B { viewer { role } }'),
    kind: 'request',
    error: { code: 'OPERATION_RESOLUTION_FAILURE', message: /Could not determine what operation to execute/ },
  },
  {
    name: 'an operation name that is not a string',
    body: query('{ viewer { role } }', { operationName: 1 }),
    kind: 'request',
    error: { code: 'OPERATION_RESOLUTION_FAILURE', message: /Could not determine what operation to execute/ },
  },
  { name: 'a subscription', body: query('subscription { taskEvents { kind } }'), kind: 'subscription' },
  { name: 'malformed JSON', body: '{"query":', kind: 'request', error: { code: 'BAD_REQUEST', message: /POST body sent invalid JSON/ } },
  { name: 'a batch', body: JSON.stringify([{ query: '{ viewer { role } }' }]), kind: 'request', error: { code: 'BAD_REQUEST', message: /Batching is not supported/ } },
  { name: 'null', body: 'null', kind: 'request', error: { code: 'BAD_REQUEST', message: /expected to be object but received null/ } },
  { name: 'a string', body: '"{ viewer { role } }"', kind: 'request', error: { code: 'BAD_REQUEST', message: /expected to be object but received string/ } },
  { name: 'a query that is not a string', body: JSON.stringify({ query: 1 }), kind: 'request', error: { code: 'BAD_REQUEST', message: /"query" param to be a string/ } },
  { name: 'an unknown parameter', body: query('{ viewer { role } }', { other: 1 }), kind: 'request', error: { code: 'BAD_REQUEST', message: /Unexpected parameter "other"/ } },
  { name: 'variables as a list', body: query('{ viewer { role } }', { variables: [1] }), kind: 'request', error: { code: 'BAD_REQUEST', message: /"variables" param to be empty or an object/ } },
  { name: 'variables as a string', body: query('{ viewer { role } }', { variables: '{}' }), kind: 'request', error: { code: 'BAD_REQUEST', message: /"variables" param to be empty or an object/ } },
  { name: 'extensions as a list', body: query('{ viewer { role } }', { extensions: [] }), kind: 'request', error: { code: 'BAD_REQUEST', message: /"extensions" param to be empty or an object/ } },
];

/**
 * Accept header → the media type yoga serves a single result as (null: 406 Not Acceptable), and
 * whether it allows a subscription's text/event-stream. yoga takes the first entry that names one of
 * its JSON types; a wildcard means application/json; a charset other than utf-8 matches nothing.
 */
const ACCEPTS: { accept: string | undefined; mediaType: string | null; stream: boolean }[] = [
  { accept: undefined, mediaType: JSON_TYPE, stream: true },
  { accept: '*/*', mediaType: JSON_TYPE, stream: true },
  { accept: 'application/json', mediaType: JSON_TYPE, stream: false },
  { accept: 'application/graphql-response+json', mediaType: GRAPHQL_RESPONSE, stream: false },
  { accept: 'application/graphql-response+json, application/json', mediaType: GRAPHQL_RESPONSE, stream: false },
  { accept: 'application/json, application/graphql-response+json', mediaType: JSON_TYPE, stream: false },
  { accept: 'application/graphql-response+json;charset=utf-8, application/json;charset=utf-8;q=0.9', mediaType: GRAPHQL_RESPONSE, stream: false },
  {
    accept: 'application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed',
    mediaType: GRAPHQL_RESPONSE,
    stream: true,
  },
  { accept: 'application/*', mediaType: JSON_TYPE, stream: false },
  { accept: 'application/json; charset=iso-8859-1', mediaType: null, stream: false },
  { accept: 'text/html', mediaType: null, stream: false },
];

/** The answer a client gets, by the rules above. */
function expected(kind: Kind, mediaType: string | null, stream: boolean, token: boolean): { status: number; mediaType: string | null; errorCode?: string } {
  if (mediaType === null) return { status: 406, mediaType: null };
  const unauthenticated = { status: 401, mediaType, errorCode: 'UNAUTHENTICATED' };
  switch (kind) {
    case 'data':
      return token ? { status: 200, mediaType } : unauthenticated;
    case 'request':
      return { status: 400, mediaType };
    case 'document':
      return { status: mediaType === GRAPHQL_RESPONSE ? 400 : 200, mediaType };
    case 'variables':
      return token ? { status: mediaType === GRAPHQL_RESPONSE ? 400 : 200, mediaType } : unauthenticated;
    case 'subscription':
      if (!token) return unauthenticated;
      return stream ? { status: 200, mediaType: 'text/event-stream' } : { status: 406, mediaType: null };
  }
}

describe('POST /graphql: what a client gets for each body and Accept header', () => {
  it('answers every body and Accept header, with a token and without, with a Content-Length or chunked', async () => {
    let checked = 0;
    for (const { name, body, kind, error } of BODIES) {
      for (const { accept, mediaType, stream } of ACCEPTS) {
        for (const token of [true, false]) {
          const headers = { ...(token ? { authorization: `Bearer ${ADMIN}` } : {}), ...(accept ? { accept } : {}) };
          const [sized, chunked] = [await post(body, headers, false), await post(body, headers, true)];
          const what = `${name}, Accept ${accept}, ${token ? 'a token' : 'no token'}`;
          expect(chunked, `${what}: chunked as with a Content-Length`).toEqual(sized);
          const want = expected(kind, mediaType, stream, token);
          expect({ status: sized.status, mediaType: sized.mediaType }, what).toEqual({ status: want.status, mediaType: want.mediaType });
          if (want.mediaType === null) expect(sized.body, what).toBe('');
          if (want.mediaType === null || want.mediaType === 'text/event-stream') continue;
          expect(sized.charset, what).toBe('utf-8');
          const result = JSON.parse(sized.body) as { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };
          if (want.errorCode === 'UNAUTHENTICATED') {
            expect(result, what).toEqual({ errors: [{ message: expect.stringMatching(/API token/), extensions: { code: 'UNAUTHENTICATED' } }] });
            expect(sized.authenticate, what).toBe('Bearer');
          } else if (kind === 'data') {
            expect(result.errors, what).toBeUndefined();
            expect(result.data, what).toBeTypeOf('object');
          } else {
            // Refused before anything ran: errors only, and no `data` entry at all.
            expect(Object.keys(result), what).toEqual(['errors']);
            expect(result.errors, what).toHaveLength(1);
            expect(result.errors![0]!.message, what).toMatch(error!.message);
            if (error!.code) expect(result.errors![0]!.extensions?.code, what).toBe(error!.code);
            // Internals yoga uses to pick the status never reach the client.
            expect(result.errors![0]!.extensions?.http, what).toBeUndefined();
          }
          checked++;
        }
      }
    }
    // The JSON cases are most of them: a table that lost its rows would not pass.
    expect(checked).toBeGreaterThan(BODIES.length * 10);
    const ok = JSON.parse((await post(BODIES[0]!.body, { authorization: `Bearer ${ADMIN}` }, false)).body) as { data: { tasks: { totalCount: number } } };
    expect(ok.data.tasks.totalCount).toBe(2);
  }, 120_000);
});
