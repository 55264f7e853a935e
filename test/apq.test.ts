import { createHash } from 'node:crypto';
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../src/domain/limits.ts';
import { OPERATION_LIMITS } from '../src/limits/operationLimits.ts';
import { startTestServer, type TestServer } from './support/server.ts';

/**
 * Apollo's automatic persisted queries, with Apollo Client 4's own link: a hash-only request for an
 * unknown hash answers PersistedQueryNotFound, the link retries with the text, and the server keeps it
 * (in a bounded store) for the next hash-only request.
 */

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.stop();
});

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface Sent {
  method: string;
  /** The document text travelled with the request. */
  withQuery: boolean;
  status: number;
}

/** An Apollo Client whose requests (method, whether they carried the text, the status) are recorded. */
function apolloClient(options: { useGETForHashedQueries?: boolean } = {}): { client: ApolloClient; sent: Sent[] } {
  const sent: Sent[] = [];
  const recordingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const url = new URL(String(input));
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as { query?: string }) : {};
    sent.push({ method: init?.method ?? 'GET', withQuery: url.searchParams.has('query') || body.query !== undefined, status: response.status });
    return response;
  };
  const link = ApolloLink.from([
    new PersistedQueryLink({ sha256, useGETForHashedQueries: options.useGETForHashedQueries ?? false }),
    new HttpLink({ uri: server.url, fetch: recordingFetch }),
  ]);
  return { client: new ApolloClient({ link, cache: new InMemoryCache() }), sent };
}

describe('APQ with Apollo Client 4', () => {
  it('POST: hash only → PersistedQueryNotFound → retried with the text; the next time hash only', async () => {
    const { client, sent } = apolloClient();
    try {
      const query = parse('query ApqViewer { viewer { role } }');
      expect((await client.query({ query, fetchPolicy: 'network-only' })).data).toEqual({ viewer: { role: 'ADMIN', __typename: 'Viewer' } });
      expect(sent).toEqual([
        { method: 'POST', withQuery: false, status: 404 },
        { method: 'POST', withQuery: true, status: 200 },
      ]);
      sent.length = 0;
      expect((await client.query({ query, fetchPolicy: 'network-only' })).data).toEqual({ viewer: { role: 'ADMIN', __typename: 'Viewer' } });
      expect(sent).toEqual([{ method: 'POST', withQuery: false, status: 200 }]);
    } finally {
      client.stop();
    }
  });

  it('useGETForHashedQueries: the hash-only requests are GETs', async () => {
    const { client, sent } = apolloClient({ useGETForHashedQueries: true });
    try {
      const query = parse('query ApqTasks { tasks(first: 1) { totalCount } }');
      expect((await client.query({ query, fetchPolicy: 'network-only' })).data).toMatchObject({ tasks: { totalCount: 0 } });
      expect(sent).toEqual([
        { method: 'GET', withQuery: false, status: 404 },
        { method: 'POST', withQuery: true, status: 200 },
      ]);
      sent.length = 0;
      expect((await client.query({ query, fetchPolicy: 'network-only' })).data).toMatchObject({ tasks: { totalCount: 0 } });
      expect(sent).toEqual([{ method: 'GET', withQuery: false, status: 200 }]);
    } finally {
      client.stop();
    }
  });
});

describe('APQ and the limits', () => {
  type Body = { status: number; data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };

  async function post(body: Record<string, unknown>): Promise<Body> {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify(body),
    });
    return { ...((await response.json()) as Omit<Body, 'status'>), status: response.status };
  }

  const persistedQuery = (query: string) => ({ persistedQuery: { version: 1, sha256Hash: sha256(query) } });

  it('a text too deep or too long is refused by the operation limits, registered or by its hash', async () => {
    let deep = 'id';
    for (let i = 0; i < 14; i++) deep = `parent { ${deep} }`;
    const tooDeep = `query ApqDeep { tasks(first: 1) { nodes { ${deep} } } }`;
    const tooManyTokens = `query ApqTokens { ${'__typename '.repeat(OPERATION_LIMITS.maxTokens)}}`;
    // The deep text is short enough to be kept: by its hash it meets the same limit. The long one is
    // not kept (over maxApqQueryLength): by its hash it is unknown.
    for (const [query, limit, byHashCode] of [
      [tooDeep, 'maxDepth', 'BAD_USER_INPUT'],
      [tooManyTokens, 'maxTokens', 'PERSISTED_QUERY_NOT_FOUND'],
    ] as const) {
      const registered = await post({ query, extensions: persistedQuery(query) });
      expect(registered.data).toBeUndefined();
      expect(registered.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', limit }) })]);
      const byHash = await post({ extensions: persistedQuery(query) });
      expect(byHash.data).toBeUndefined();
      expect(byHash.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: byHashCode }) })]);
      if (byHashCode === 'BAD_USER_INPUT') expect(byHash.errors![0]!.extensions!.limit).toBe(limit);
    }
  });

  it(`the store is bounded: a text over ${LIMITS.maxApqQueryLength} characters runs but is not kept`, async () => {
    const long = `query ApqLong { __typename }${' '.repeat(LIMITS.maxApqQueryLength)}`;
    expect(await post({ query: long, extensions: persistedQuery(long) })).toMatchObject({ status: 200, data: { __typename: 'Query' } });
    expect(await post({ extensions: persistedQuery(long) })).toMatchObject({
      status: 404,
      errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }],
    });
    const short = 'query ApqShort { __typename }';
    expect(await post({ query: short, extensions: persistedQuery(short) })).toMatchObject({ status: 200 });
    expect(await post({ extensions: persistedQuery(short) })).toMatchObject({ status: 200, data: { __typename: 'Query' } });
  });

  it('a text that does not match its hash is refused and not kept', async () => {
    const query = 'query ApqMismatch { __typename }';
    const wrong = { persistedQuery: { version: 1, sha256Hash: sha256('something else') } };
    expect(await post({ query, extensions: wrong })).toMatchObject({ status: 400, errors: [{ extensions: { code: 'PERSISTED_QUERY_MISMATCH' } }] });
    expect(await post({ extensions: wrong })).toMatchObject({ status: 404 });
  });
});
