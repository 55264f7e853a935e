import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * limitRequestBody: refuses a request body over `maxBytes` with 413 and a GraphQL-shaped error naming
 * the limit, before it reaches yoga. Resolves true when the request may proceed.
 *
 * With `Content-Length` (what JSON clients send) the declared size decides, and the body stream goes
 * to yoga untouched — Node's parser never delivers more than the declared length. A chunked body has
 * no declared size, so it is read here while counting, and handed to yoga as `req.body`, which
 * @whatwg-node/server uses instead of the (now consumed) stream.
 */
export async function limitRequestBody(req: IncomingMessage, res: ServerResponse, maxBytes: number): Promise<boolean> {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return true;
  const length = req.headers['content-length'];
  if (length !== undefined) {
    if (Number(length) <= maxBytes) return true;
    refuse(req, res, maxBytes);
    return false;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) {
        refuse(req, res, maxBytes);
        return false;
      }
      chunks.push(chunk);
    }
  } catch {
    // The client went away mid-body: nothing to answer.
    res.destroy();
    return false;
  }
  // A Blob, not a Buffer: @whatwg-node/server tests `Object.keys(body).length`, which would list
  // every byte index of a Buffer; the one own key marks the Blob as a pre-read body for it.
  (req as IncomingMessage & { body?: Blob }).body = Object.assign(new Blob(chunks as Uint8Array<ArrayBuffer>[]), { preRead: true });
  return true;
}

function refuse(req: IncomingMessage, res: ServerResponse, maxBytes: number): void {
  const body = JSON.stringify({
    errors: [
      {
        message: `The request body is over the limit of ${maxBytes} bytes (limit maxBodyBytes). Send fewer or smaller items per request.`,
        extensions: { code: 'PAYLOAD_TOO_LARGE', limit: 'maxBodyBytes' },
      },
    ],
  });
  // Close the connection rather than drain an unbounded body.
  res.writeHead(413, { 'content-type': 'application/json; charset=utf-8', connection: 'close' }).end(body, () => req.destroy());
}
