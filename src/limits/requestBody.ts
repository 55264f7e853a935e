import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * The request body limit itself is yoga's `maxRequestBodySize` (it checks `Content-Length` and also
 * counts the bytes of a chunked body as they stream in). This plugin only makes its refusal say which
 * limit was hit and how large it is, like every other limit of the API.
 */
export function useBodyLimitMessage(maxBytes: number): Plugin {
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result) || Symbol.asyncIterator in (result as object)) return;
      const errors = (result as ExecutionResult).errors;
      if (!errors?.some((e) => e.extensions?.code === 'REQUEST_ENTITY_TOO_LARGE')) return;
      setResult({
        errors: [
          new GraphQLError(
            `The request body is over the limit of ${maxBytes} bytes (limit maxBodyBytes). Send fewer or smaller items per request.`,
            { extensions: { code: 'REQUEST_ENTITY_TOO_LARGE', limit: 'maxBodyBytes', http: { status: 413 } } },
          ),
        ],
      });
    },
  };
}
