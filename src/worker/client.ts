import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';

/** A GraphQL error answer (the whole request failed: auth, limits, bad input, server error). */
export class GraphqlRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly errors: readonly { message: string; extensions?: Record<string, unknown> }[],
  ) {
    super(message);
    this.name = 'GraphqlRequestError';
  }

  /** Worth retrying: the server or the network had a problem, not the request. */
  get retryable(): boolean {
    return this.status >= 500 || this.status === 429 || this.status === 0;
  }
}

export interface GraphqlClient {
  request<TData, TVariables>(document: TypedDocumentNode<TData, TVariables>, variables: TVariables, signal?: AbortSignal): Promise<TData>;
}

/**
 * The smallest client that does the job: typed documents from the code generator (src/gql),
 * POSTed with fetch. Printed documents are cached per document object.
 */
export function createGraphqlClient(url: string, token: string | undefined): GraphqlClient {
  const printed = new WeakMap<object, string>();
  return {
    async request(document, variables, signal) {
      let query = printed.get(document);
      if (query === undefined) {
        query = print(document);
        printed.set(document, query);
      }
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/graphql-response+json, application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify({ query, variables }),
          signal,
        });
      } catch (error) {
        if (signal?.aborted) throw error;
        throw new GraphqlRequestError(`cannot reach ${url}: ${(error as Error).message}`, 0, []);
      }
      let body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };
      try {
        body = (await response.json()) as typeof body;
      } catch {
        throw new GraphqlRequestError(`${url} answered ${response.status} without a GraphQL body`, response.status, []);
      }
      if (body.errors?.length) {
        const first = body.errors[0]!;
        const code = first.extensions?.code ? ` (${String(first.extensions.code)})` : '';
        throw new GraphqlRequestError(`${first.message}${code}`, response.status, body.errors);
      }
      return body.data as never;
    },
  };
}
