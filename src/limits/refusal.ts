import type { ExecutionResult, FormattedExecutionResult, GraphQLError, GraphQLFormattedError } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';

/**
 * What yoga reads to answer an operation refused before it ran (a limit, text that cannot be stored,
 * variables that do not coerce): `extensions.http` with `spec`. GraphQL over HTTP asks for 400 under
 * application/graphql-response+json and 200 under application/json, and that is how yoga's result
 * processors read it (`getResponseInitByRespectingErrors`); they also leave it out of the body.
 * graphql-ws and graphql-sse know nothing of it: those transports drop it (formatWithoutHttp). A new
 * object per error: yoga's plugins complete it in place.
 */
export function refusedBeforeExecution(): { spec: true; status: 400 } {
  return { spec: true, status: 400 };
}

/**
 * Variables that do not coerce refuse the operation before it runs. yoga's executor marks those
 * errors with status 400 but not `spec`, so application/json would answer 400 where GraphQL over
 * HTTP asks for 200 (graphql-http's audit 7B9B, whose own document never gets that far: it fails
 * validation first). Such a result has errors and no `data`; an executed one always has `data`.
 */
export function useVariableRefusalStatus(): Plugin {
  const mark = (result: ExecutionResult | AsyncIterable<ExecutionResult>) => {
    if (isAsyncIterable(result) || 'data' in result) return;
    for (const error of result.errors ?? []) {
      const http = error.extensions.http as { spec?: boolean } | undefined;
      if (http && http.spec === undefined) http.spec = true;
    }
  };
  return {
    onExecute: () => ({ onExecuteDone: ({ result }) => mark(result) }),
    onSubscribe: () => ({ onSubscribeResult: ({ result }) => mark(result) }),
  };
}

/**
 * `error` as a transport other than yoga's HTTP responses sends it: without `extensions.http`, which
 * tells yoga the status and headers of a response (a refusal's 400, UNAUTHENTICATED's 401 and
 * WWW-Authenticate) and means nothing on a socket or an event stream. The error itself is left as it
 * is: yoga's caches share validation errors with later HTTP requests.
 */
export function formatWithoutHttp(error: GraphQLError): GraphQLFormattedError {
  const formatted = error.toJSON();
  if (formatted.extensions?.http === undefined) return formatted;
  const { http: _http, ...extensions } = formatted.extensions;
  const { extensions: _all, ...rest } = formatted;
  return Object.keys(extensions).length > 0 ? { ...rest, extensions } : rest;
}

/** `result` with formatWithoutHttp's errors; undefined when none of its errors carries `http`. */
export function resultWithoutHttp(result: ExecutionResult): FormattedExecutionResult | undefined {
  if (!result.errors?.some((error) => error.extensions?.http !== undefined)) return undefined;
  return { ...result, errors: result.errors.map(formatWithoutHttp) };
}
