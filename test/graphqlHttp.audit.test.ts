import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.ts';

/**
 * The GraphQL-over-HTTP audit of graphql-http against the running server (DESIGN.md "Clients": the
 * audit passes). Every audit must be ok: a warning is a SHOULD the server does not meet, and fails
 * here as an error does. The client sends a token, as clients of a server with tokens do.
 */

const ADMIN = 'graphql-http-audit-admin-token-0123456789';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ config: { adminToken: ADMIN } });
});

afterAll(async () => {
  await server?.stop();
});

const audits = serverAudits({
  url: () => server.url,
  fetchFn: (input: RequestInfo | URL, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    headers.set('authorization', `Bearer ${ADMIN}`);
    return fetch(input, { ...init, headers });
  },
});

describe('graphql-http server audits', () => {
  it('are all there', () => {
    // graphql-http 1.23 has 70-odd audits; a list that came back empty would pass every test below.
    expect(audits.length).toBeGreaterThan(50);
  });

  it.each(audits.map((audit) => [`${audit.id} ${audit.name}`, audit] as const))('%s', async (_name, audit) => {
    const result = await audit.fn();
    if ('response' in result) await result.response.body?.cancel();
    expect(result.status, result.status === 'ok' ? undefined : result.reason).toBe('ok');
  });
});
