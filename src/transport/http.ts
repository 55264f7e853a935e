import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendNodeResponse } from '@whatwg-node/server';
import type { YogaServerInstance } from 'graphql-yoga';
import getRawBody from 'raw-body';
import type { Context } from '../context.ts';

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
 */
export function createGraphqlListener(yoga: Yoga, maxBodyBytes: number): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (req.headers['transfer-encoding'] === undefined) {
      const length = req.headers['content-length'];
      if (length !== undefined && Number(length) > maxBodyBytes) refuseBody(res, { type: 'entity.too.large' }, maxBodyBytes);
      else void yoga(req, res);
      return;
    }
    getRawBody(req, { limit: maxBodyBytes, encoding: 'utf8' }).then(
      (body) => serveWithBody(yoga, req, res, body),
      (error: { type?: string; status?: number }) => refuseBody(res, error, maxBodyBytes),
    );
  };
}

/**
 * The Fetch request yoga sees for a chunked `req`, with the body read here. Its signal aborts when
 * the client goes away before its response is complete (as the Node adapter's does for the rest):
 * long-polling claims stop waiting, subscriptions over SSE end.
 */
function fetchRequest(yoga: Yoga, req: IncomingMessage, res: ServerResponse, body: string): Request {
  const controller = new AbortController();
  // A response always closes; only one that closes before it finished has lost its client.
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return new yoga.fetchAPI.Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
    method: req.method,
    headers: req.headers as Record<string, string>,
    body,
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
