import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { shouldRenderGraphiQL, type GraphiQLOptions, type Plugin } from 'graphql-yoga';

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
        if (matchesEtag(request.headers.get('if-none-match'), etag)) {
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

/** Whether an Accept-Encoding header accepts gzip (listed, and not with q=0). */
export function acceptsGzip(acceptEncoding: string | null): boolean {
  return (acceptEncoding ?? '').split(',').some((entry) => {
    const [coding = '', ...parameters] = entry.toLowerCase().split(';').map((part) => part.trim());
    return coding === 'gzip' && !parameters.some((parameter) => /^q=0(\.0*)?$/.test(parameter));
  });
}

/** Whether an If-None-Match header names `etag` (weakly, as RFC 9110 compares for GET) or is `*`. */
function matchesEtag(ifNoneMatch: string | null, etag: string): boolean {
  return (ifNoneMatch ?? '').split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === etag;
  });
}
