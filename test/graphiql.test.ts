import { get, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptsGzip, GRAPHIQL_EXAMPLE } from '../src/graphiql.ts';
import { startTestServer, type TestServer } from './support/server.ts';

/** A GET as a browser sends it, answered raw (not decompressed, as fetch would). */
function getPage(url: string, headers: Record<string, string>): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { headers: { accept: 'text/html,application/xhtml+xml', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

describe('the GraphiQL page', () => {
  let server: TestServer;
  let html: string;

  beforeAll(async () => {
    server = await startTestServer();
    const page = await getPage(server.url, {});
    expect(page.status).toBe(200);
    html = page.body.toString('utf8');
  }, 90_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('is the self-hosted page with the example operations', () => {
    expect(html).toContain('<title>Tasklane</title>');
    expect(html).toContain(JSON.stringify(GRAPHIQL_EXAMPLE));
    // GraphiQL itself is inlined: yoga's default page loads it from unpkg.com.
    expect(html).toContain('YogaGraphiQL.renderYogaGraphiQL');
    expect(html.length).toBeGreaterThan(1_000_000);
  });

  it('makes the browser load nothing from another machine: no script, stylesheet, icon or CSS url() but inline data', () => {
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1] ?? '');
    // The markup is what is left outside the inline scripts and styles (the script's own requests are
    // the browser test's to catch).
    const markup = html.replace(/<script>[\s\S]*?<\/script>/g, '').replace(/<style>[\s\S]*?<\/style>/g, '');
    expect(styles.join('').length).toBeGreaterThan(100_000);
    expect(markup).not.toMatch(/<script[^>]*\ssrc=/i);
    const references = [...markup.matchAll(/\s(?:src|href)\s*=\s*["']?([^"'\s>]+)/gi)].map((m) => m[1]);
    expect(references.length).toBeGreaterThan(0);
    for (const reference of references) expect(reference).toMatch(/^data:/);
    for (const css of styles) {
      expect(css).not.toMatch(/@import/i);
      for (const [, url] of css.matchAll(/url\(\s*["']?([^"')]*)/gi)) expect(url).toMatch(/^(data:|#)/);
    }
  });

  it('goes out gzipped when accepted, the same page once decompressed', async () => {
    const gzipped = await getPage(server.url, { 'accept-encoding': 'gzip, deflate, br' });
    expect(gzipped.status).toBe(200);
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(gzipped.headers.vary).toBe('Accept-Encoding');
    expect(Number(gzipped.headers['content-length'])).toBe(gzipped.body.length);
    expect(gzipped.body.length).toBeLessThan(html.length / 3);
    expect(gunzipSync(gzipped.body).toString('utf8')).toBe(html);

    const refused = await getPage(server.url, { 'accept-encoding': 'gzip;q=0, identity' });
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(refused.body.toString('utf8')).toBe(html);
  });

  it('is revalidated by its ETag: a repeated load answers 304 without the page', async () => {
    for (const encoding of ['gzip', 'identity']) {
      const first = await getPage(server.url, { 'accept-encoding': encoding });
      expect(first.headers['cache-control']).toBe('no-cache');
      const etag = first.headers.etag;
      expect(etag).toMatch(/^"[^"]+"$/);
      const again = await getPage(server.url, { 'accept-encoding': encoding, 'if-none-match': etag! });
      expect(again.status).toBe(304);
      expect(again.body.length).toBe(0);
      expect(again.headers.etag).toBe(etag);
    }
    // Each encoding is its own representation: one's tag does not revalidate the other.
    const plain = await getPage(server.url, { 'accept-encoding': 'identity' });
    const gzipped = await getPage(server.url, { 'accept-encoding': 'gzip' });
    expect(plain.headers.etag).not.toBe(gzipped.headers.etag);
    const crossed = await getPage(server.url, { 'accept-encoding': 'gzip', 'if-none-match': plain.headers.etag! });
    expect(crossed.status).toBe(200);
  });

  it('leaves GraphQL responses alone', async () => {
    const response = await fetch(`${server.url}?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/graphql-response+json', 'accept-encoding': 'gzip' },
    });
    expect(response.headers.get('content-encoding')).toBeNull();
    expect(response.headers.get('etag')).toBeNull();
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('acceptsGzip', () => {
  it.each([
    ['gzip', true],
    ['gzip, deflate, br', true],
    ['br;q=1.0, GZIP;q=0.5', true],
    ['gzip;q=0', false],
    ['gzip; q=0.0, br', false],
    ['deflate, br', false],
    ['*', true],
    ['identity;q=0.5, gzip;q=0.4', false],
    ['', false],
    [null, false],
  ])('%s → %s', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });
});
