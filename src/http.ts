import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendNodeResponse } from '@whatwg-node/server';
import { processRegularResult, type YogaServerInstance } from 'graphql-yoga';
import getRawBody from 'raw-body';
import type { Context } from './context.ts';

type Yoga = YogaServerInstance<Record<string, unknown>, Context>;

/**
 * Serves yoga over node:http, with the request body limit applied here rather than by yoga.
 *
 * yoga's own `maxRequestBodySize` re-wraps every request with a body in a counting TransformStream
 * and a second Request: about half of the fixed cost of a small GraphQL request over HTTP (measured:
 * `{ __typename }` 278 → 129 µs of server CPU without it). A body with a Content-Length is checked by
 * that header (Node's parser never delivers more than it says) and goes to yoga's Node adapter as it
 * is. A chunked body has no length to check up front: it is read here, counting, and handed to yoga
 * as text.
 *
 * The common request (see `plainRequest`) takes a shorter way through the same yoga: read here, and
 * handed to yoga's own operation step and result processor without the Fetch request, body stream,
 * and request and response hooks that have nothing to do for it.
 */
export function createGraphqlListener(yoga: Yoga, maxBodyBytes: number): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const mediaType = plainRequest(req, yoga.graphqlEndpoint);
    if (mediaType !== null) {
      readBody(req, maxBodyBytes).then(
        (body) => servePlain(yoga, req, res, body, mediaType),
        (error: { type?: string; status?: number }) => refuseBody(res, error, maxBodyBytes),
      );
      return;
    }
    if (req.headers['transfer-encoding'] === undefined) {
      const length = req.headers['content-length'];
      if (length !== undefined && Number(length) > maxBodyBytes) refuseBody(res, { type: 'entity.too.large' }, maxBodyBytes);
      else void yoga(req, res);
      return;
    }
    readBody(req, maxBodyBytes).then(
      (body) => serveWithBody(yoga, req, res, body),
      (error: { type?: string; status?: number }) => refuseBody(res, error, maxBodyBytes),
    );
  };
}

/** The body as text, counting against the limit (a Content-Length over it is refused before reading). */
function readBody(req: IncomingMessage, maxBodyBytes: number): Promise<string> {
  const length = req.headers['transfer-encoding'] === undefined ? req.headers['content-length'] : undefined;
  return getRawBody(req, { limit: maxBodyBytes, encoding: 'utf8', ...(length !== undefined ? { length } : {}) });
}

/** What yoga's result processors serve a single (not streamed) result as, in yoga's own order. */
const REGULAR_MEDIA_TYPES = ['application/graphql-response+json', 'application/json'] as const;
type RegularMediaType = (typeof REGULAR_MEDIA_TYPES)[number];

/**
 * The media type of the response when `req` is the common request: a POST of JSON to the endpoint
 * itself (no query string), from a client that is not a browser page (no Origin: no CORS headers to
 * add), accepting a plain JSON response. Otherwise null, and yoga serves the request whole.
 *
 * For a single result yoga takes the first of the Accept header's entries that matches one of its
 * two JSON types, and of those the last it matches (a wildcard: application/json); q-values aside, as
 * yoga sets them aside. So does this. An Accept that matches neither (only `text/event-stream`, say)
 * is yoga's to answer, with a stream or a 406.
 */
export function plainRequest(req: Pick<IncomingMessage, 'method' | 'url' | 'headers'>, endpoint: string): RegularMediaType | null {
  if (req.method !== 'POST' || req.url !== endpoint || req.headers.origin !== undefined) return null;
  const contentType = req.headers['content-type']?.split(',')[0];
  if (contentType !== 'application/json' && !contentType?.startsWith('application/json;')) return null;
  return acceptedRegularMediaType(req.headers.accept);
}

export function acceptedRegularMediaType(accept: string | undefined): RegularMediaType | null {
  let chosen: RegularMediaType | null = null;
  // yoga's loop: the entries last to first, each match replacing the one before.
  for (const entry of (accept || '*/*').replace(/\s/g, '').toLowerCase().split(',').reverse()) {
    const [mediaType = '', ...parameters] = entry.split(';');
    const charset = parameters.find((p) => p.includes('charset=')) ?? 'charset=utf-8';
    if (charset !== 'charset=utf-8') continue;
    const [type, subtype] = mediaType.split('/');
    for (const candidate of REGULAR_MEDIA_TYPES) {
      const [candidateType, candidateSubtype] = candidate.split('/');
      if ((type === '*' || type === candidateType) && (subtype === '*' || subtype === candidateSubtype)) chosen = candidate;
    }
  }
  return chosen;
}

/** The parameters a GraphQL-over-HTTP body may carry; anything else is yoga's to refuse. */
const PARAMETERS = new Set(['query', 'variables', 'operationName', 'extensions']);

/** A JSON object, or null/absent. */
function isOptionalObject(value: unknown): boolean {
  return value == null || (typeof value === 'object' && !Array.isArray(value));
}

/**
 * The body's parameters when they are well-formed, for an operation that is not a subscription; null
 * otherwise (malformed JSON, a batch, a missing or odd parameter: yoga answers those with its own
 * errors; a subscription: yoga streams it). `subscription` anywhere in the text is enough to leave it
 * to yoga, which then parses it: a query that only mentions the word takes the longer way, no harm.
 */
function plainParameters(body: string): Record<string, unknown> | null {
  let params: unknown;
  try {
    params = JSON.parse(body);
  } catch {
    return null;
  }
  if (params === null || typeof params !== 'object' || Array.isArray(params)) return null;
  const record = params as Record<string, unknown>;
  for (const key in record) if (!PARAMETERS.has(key) && record[key] != null) return null;
  if (typeof record.query !== 'string' || /\bsubscription\b/.test(record.query)) return null;
  if (!isOptionalObject(record.variables) || !isOptionalObject(record.extensions)) return null;
  if (record.operationName != null && typeof record.operationName !== 'string') return null;
  return record;
}

/**
 * Runs the operation through yoga's own step for one set of parameters (its onParams hooks, the
 * envelop pipeline with every plugin, its error masking, its onExecutionResult hooks) and answers with
 * yoga's own result processor, as yoga would: the same statuses, headers and bodies.
 */
async function servePlain(yoga: Yoga, req: IncomingMessage, res: ServerResponse, body: string, mediaType: RegularMediaType): Promise<void> {
  const params = plainParameters(body);
  if (params === null) return serveWithBody(yoga, req, res, body);
  try {
    const request = fetchRequest(yoga, req, res);
    // `getResultForParams` is yoga's (public) method for one set of parameters; the server adapter's
    // type does not show it.
    const server = yoga as unknown as {
      getResultForParams(payload: { params: Record<string, unknown>; request: Request }, context: Record<string, unknown>): unknown;
    };
    const result = await server.getResultForParams({ params, request }, { req, res });
    await sendNodeResponse(processRegularResult(result as never, yoga.fetchAPI, mediaType), res, req, true);
  } catch (error) {
    failResponse(yoga, res, error);
  }
}

/**
 * The Fetch request yoga sees for `req` (with `body`, when yoga is to parse it). Its signal aborts
 * when the client goes away before its response is complete: long-polling claims stop waiting,
 * subscriptions over SSE end.
 */
function fetchRequest(yoga: Yoga, req: IncomingMessage, res: ServerResponse, body?: string): Request {
  const controller = new AbortController();
  // A response always closes; only one that closes before it finished has lost its client.
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return new yoga.fetchAPI.Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
    method: req.method,
    headers: req.headers as Record<string, string>,
    ...(body !== undefined ? { body } : {}),
    signal: controller.signal,
  });
}

async function serveWithBody(yoga: Yoga, req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
  try {
    await sendNodeResponse(await yoga.handleRequest(fetchRequest(yoga, req, res, body), { req, res }), res, req, true);
  } catch (error) {
    failResponse(yoga, res, error);
  }
}

/** yoga answers every GraphQL error itself; only a broken socket or a bug lands here. */
function failResponse(yoga: Yoga, res: ServerResponse, error: unknown): void {
  yoga.logger.error(error);
  if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' }).end('{"errors":[{"message":"Unexpected error."}]}');
  else res.destroy();
}

function refuseBody(res: ServerResponse, error: { type?: string; status?: number }, maxBodyBytes: number): void {
  if (error.type === 'request.aborted') return; // the client is gone
  const tooLarge = error.type === 'entity.too.large';
  const message = tooLarge
    ? `The request body is over the limit of ${maxBodyBytes} bytes (limit maxBodyBytes). Send fewer or smaller items per request.`
    : 'The request body could not be read (its chunked encoding is malformed, or the stream failed).';
  const extensions = tooLarge ? { code: 'REQUEST_ENTITY_TOO_LARGE', limit: 'maxBodyBytes' } : { code: 'BAD_REQUEST' };
  const status = tooLarge ? 413 : (error.status ?? 400);
  // Node discards the rest of the body after the response, as yoga did: a client still sending it
  // reads this answer instead of a connection reset.
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ errors: [{ message, extensions }] }));
}
