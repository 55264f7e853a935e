import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import fresh from 'fresh';
import { shouldRenderGraphiQL, type GraphiQLOptions, type Plugin } from 'graphql-yoga';
import Negotiator from 'negotiator';

/** The operation GraphiQL opens with: submit a job of three tasks, then list its tasks. */
export const GRAPHIQL_EXAMPLE = `# Welcome to Tasklane. Run "SubmitJob", then "ListTasks" (paste the job id into the variables).
mutation SubmitJob {
  submitJob(input: {
    name: "render-frames"
    tasks: [
      { name: "render", conf: { frame: 1 } }
      { name: "render", conf: { frame: 2 } }
      { name: "render", conf: { frame: 3 } }
    ]
  }) {
    applied
    errors { index code message }
    job { id name status taskCounts { total queued } }
  }
}

query ListTasks($jobId: ID) {
  tasks(filter: { jobId: $jobId }, first: 50) {
    totalCount
    nodes { id name index status conf allowedOperations job { name } }
    pageInfo { hasNextPage endCursor }
  }
}
`;

/**
 * GraphiQL served from the installed @graphql-yoga/render-graphiql, whose page inlines GraphiQL's
 * script, CSS, favicon and Monaco workers: it loads nothing from a CDN (yoga's default page fetches
 * them from unpkg.com and stays on "Loading…" offline or behind a firewall). Give yoga `options` as
 * `graphiql`, `render` as `renderGraphiQL`, and `plugin` among its plugins.
 */
export const graphiqlPage = selfHostedGraphiQL({ title: 'Tasklane', defaultQuery: GRAPHIQL_EXAMPLE });

interface RenderedPage {
  identity: Uint8Array<ArrayBuffer>;
  gzip: Uint8Array<ArrayBuffer>;
  etag: string;
  gzipEtag: string;
}

function selfHostedGraphiQL(options: GraphiQLOptions) {
  // The package is 9 MB of JavaScript (about 150 ms to import) and the page 9 MB: both are made on
  // the first GraphiQL request, not at start (every test file starts servers), and only once.
  let pending: Promise<RenderedPage> | undefined;
  const rendered = () => (pending ??= renderPage(options));
  const plugin: Plugin = {
    // Measured in Chromium, on loopback a first load takes about 1.8 s, compressed or not: parsing
    // and compiling the 9 MB page is what takes the time. Over a network the 9 MB are not free
    // (100 Mbit/s: 3.5 s plain, 2.6 s gzipped to 2.4 MB), and a repeated load answered 304 moves
    // 300 bytes instead of 9 MB (a Chromium profile caches the page). So the page goes out gzipped
    // when accepted (compressed once, not per request), with an ETag and `no-cache`, so that a new
    // version (an upgraded package) is seen at once. yoga's render hook sets only the body, so the
    // response is replaced here.
    onResponse({ request, response, setResponse, fetchAPI }) {
      // The page is the only HTML yoga serves (no landing page), to the requests it renders it for.
      if (!shouldRenderGraphiQL(request) || !response.headers.get('content-type')?.startsWith('text/html')) return;
      return rendered().then((page) => {
        const gzipped = acceptsGzip(request.headers.get('accept-encoding'));
        const etag = gzipped ? page.gzipEtag : page.etag;
        const headers = new fetchAPI.Headers(response.headers);
        headers.delete('content-length');
        headers.set('content-type', 'text/html; charset=utf-8');
        headers.set('cache-control', 'no-cache');
        headers.set('etag', etag);
        headers.set('vary', 'Accept-Encoding');
        // `fresh` compares If-None-Match as RFC 9110 says, and sends the page again on a forced reload.
        const conditions = {
          'if-none-match': request.headers.get('if-none-match') ?? undefined,
          'cache-control': request.headers.get('cache-control') ?? undefined,
        };
        if (fresh(conditions, { etag })) {
          setResponse(new fetchAPI.Response(null, { status: 304, headers }));
          return;
        }
        if (gzipped) headers.set('content-encoding', 'gzip');
        setResponse(new fetchAPI.Response(gzipped ? page.gzip : page.identity, { status: 200, headers }));
      });
    },
  };
  return { options, render: () => rendered().then((page) => page.identity), plugin };
}

async function renderPage(options: GraphiQLOptions): Promise<RenderedPage> {
  const { renderGraphiQL } = await import('@graphql-yoga/render-graphiql');
  const identity = new TextEncoder().encode(renderGraphiQL(options));
  const hash = createHash('sha256').update(identity).digest('base64url').slice(0, 22);
  // Copied out of zlib's Buffer into a plain Uint8Array, the body type Fetch responses take.
  const gzip = new Uint8Array(await gzipAsync(identity));
  return { identity, gzip, etag: `"${hash}"`, gzipEtag: `"${hash}-gzip"` };
}

const gzipAsync = promisify(gzip);

/** Whether the client prefers the gzipped page (Accept-Encoding, negotiated as express does). */
export function acceptsGzip(acceptEncoding: string | null): boolean {
  const headers = acceptEncoding === null ? {} : { 'accept-encoding': acceptEncoding };
  return new Negotiator({ headers }).encoding(['gzip', 'identity']) === 'gzip';
}
