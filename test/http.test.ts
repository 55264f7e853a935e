import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptedRegularMediaType, plainRequest } from '../src/http.ts';
import { startTestServer, type TestServer } from './support/server.ts';

/**
 * src/http.ts serves the common request (a POST of JSON to /graphql, no Origin, a JSON Accept)
 * through yoga's operation step and result processor without its Fetch layer. Whatever the body and
 * Accept header, the answer must be the one yoga gives the same request by its full way, which a
 * query string (`/graphql?via=yoga`) makes it take.
 */

const ADMIN = 'http-parity-admin-token-0123456789';

let server: TestServer;
let base: string;

beforeAll(async () => {
  server = await startTestServer({ config: { adminToken: ADMIN } });
  base = server.url.replace(/\/graphql$/, '');
  await server.gql(`mutation { runTasks(input: { tasks: [{ name: "one" }, { name: "two" }] }) { applied } }`, undefined, { token: ADMIN });
});

afterAll(async () => {
  await server?.stop();
});

async function post(path: string, body: string, headers: Record<string, string>) {
  const response = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const contentType = response.headers.get('content-type');
  // A subscription answered as a stream (text/event-stream, multipart/mixed) does not end by itself.
  const streamed = contentType !== null && !contentType.includes('json');
  if (streamed) await response.body?.cancel();
  return {
    status: response.status,
    contentType,
    authenticate: response.headers.get('www-authenticate'),
    allow: response.headers.get('allow'),
    accept: response.headers.get('accept'),
    body: streamed ? '(a stream)' : await response.text(),
  };
}

const query = (text: string, extra: Record<string, unknown> = {}) => JSON.stringify({ query: text, ...extra });

const BODIES: Record<string, string> = {
  'a query': query('{ viewer { role } tasks(first: 5) { totalCount nodes { id name status } } }'),
  'variables and an operation name': query('query Q($f: Int) { tasks(first: $f) { nodes { id } } }', { variables: { f: 1 }, operationName: 'Q' }),
  'null optional parameters': query('{ viewer { role } }', { variables: null, operationName: null, extensions: null, other: null }),
  'a mutation with per-task errors': query('mutation { cancelTasks(input: { target: { ids: ["nope"] } }) { applied ids errors { index code message } } }'),
  'a validation error': query('{ nope }'),
  'a syntax error': query('{'),
  'a variable of the wrong type': query('query Q($f: Int) { tasks(first: $f) { nodes { id } } }', { variables: { f: 'x' } }),
  'an unknown operation name': query('query A { viewer { role } }', { operationName: 'B' }),
  'two operations and no name': query('query A { viewer { role } } query B { viewer { role } }'),
  'a subscription': query('subscription { taskEvents { kind } }'),
  'malformed JSON': '{"query":',
  'a batch': JSON.stringify([{ query: '{ viewer { role } }' }]),
  'null': 'null',
  'a string': '"{ viewer { role } }"',
  'no query': '{}',
  'a query that is not a string': JSON.stringify({ query: 1 }),
  'an unknown parameter': query('{ viewer { role } }', { other: 1 }),
  'variables as a list': query('{ viewer { role } }', { variables: [1] }),
  'variables as a string': query('{ viewer { role } }', { variables: '{}' }),
  'extensions as a list': query('{ viewer { role } }', { extensions: [] }),
  'an operation name that is not a string': query('{ viewer { role } }', { operationName: 1 }),
};

const ACCEPTS: (string | undefined)[] = [
  undefined,
  '*/*',
  'application/json',
  'application/graphql-response+json',
  'application/graphql-response+json, application/json',
  'application/json, application/graphql-response+json',
  'application/graphql-response+json;charset=utf-8, application/json;charset=utf-8;q=0.9',
  'application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed',
  'application/*',
  'application/json; charset=iso-8859-1',
  'text/html',
];

describe('the common request served without the Fetch layer', () => {
  it('is recognised by method, path, Origin, Content-Type and Accept', () => {
    const request = (overrides: { method?: string; url?: string; headers?: Record<string, string> } = {}) => ({
      method: overrides.method ?? 'POST',
      url: overrides.url ?? '/graphql',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...overrides.headers },
    });
    expect(plainRequest(request(), '/graphql')).toBe('application/graphql-response+json');
    expect(plainRequest(request({ headers: { 'content-type': 'application/json; charset=utf-8' } }), '/graphql')).toBe('application/graphql-response+json');
    expect(plainRequest(request({ headers: { accept: 'application/json, application/graphql-response+json' } }), '/graphql')).toBe('application/json');
    expect(plainRequest(request({ headers: { accept: '*/*' } }), '/graphql')).toBe('application/json');
    expect(plainRequest(request({ method: 'GET' }), '/graphql')).toBeNull();
    expect(plainRequest(request({ url: '/graphql?x=1' }), '/graphql')).toBeNull();
    expect(plainRequest(request({ url: '/other' }), '/graphql')).toBeNull();
    expect(plainRequest(request({ headers: { origin: 'http://127.0.0.1:3000' } }), '/graphql')).toBeNull();
    expect(plainRequest(request({ headers: { 'content-type': 'application/graphql+json' } }), '/graphql')).toBeNull();
    expect(plainRequest(request({ headers: { 'content-type': 'text/plain' } }), '/graphql')).toBeNull();
    expect(plainRequest(request({ headers: { accept: 'text/event-stream' } }), '/graphql')).toBeNull();
  });

  it('picks the media type yoga picks for every Accept header', async () => {
    for (const accept of ACCEPTS) {
      const full = await post('/graphql?via=yoga', BODIES['a query']!, { authorization: `Bearer ${ADMIN}`, ...(accept ? { accept } : {}) });
      const picked = acceptedRegularMediaType(accept);
      if (full.status === 200) expect(full.contentType, String(accept)).toBe(`${picked}; charset=utf-8`);
      else expect(picked, String(accept)).toBeNull();
    }
  });

  it('answers every body and Accept header exactly as yoga does by its full way', async () => {
    const admin = { authorization: `Bearer ${ADMIN}` };
    const refused: Record<string, string>[] = [{}, { authorization: 'Bearer not-a-token-at-all' }];
    for (const [name, body] of Object.entries(BODIES)) {
      for (const accept of ACCEPTS) {
        // Without a (valid) token, with the Accept headers that decide the status of an error.
        const credentials = accept === undefined || accept === 'application/graphql-response+json' ? [admin, ...refused] : [admin];
        for (const credential of credentials) {
          const headers = { ...credential, ...(accept ? { accept } : {}) };
          const [plain, full] = [await post('/graphql', body, headers), await post('/graphql?via=yoga', body, headers)];
          expect(plain, `${name}, Accept ${accept}, ${JSON.stringify(credential)}`).toEqual(full);
        }
      }
    }
    // The cases above are not all refusals: the common request gets its data.
    const ok = await post('/graphql', BODIES['a query']!, { authorization: `Bearer ${ADMIN}` });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body).data.tasks.totalCount).toBe(2);
  }, 120_000);
});
