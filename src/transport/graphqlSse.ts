import type { ExecutionArgs, ExecutionResult } from 'graphql';
import { getOperationAST, GraphQLError } from 'graphql';
import { createHandler } from 'graphql-sse/lib/use/fetch';
import type { SubscribePayload } from 'graphql-ws';
import { isAsyncIterable, processRegularResult, type Plugin } from 'graphql-yoga';
import { formatWithoutHttp, resultWithoutHttp } from '../limits/refusal.ts';

/**
 * GraphQL over SSE as the graphql-sse protocol has it, both modes: distinct connections (a POST with
 * `Accept: text/event-stream` per operation) and single connection (a PUT reserves a stream, a GET
 * opens it, each operation is a POST with its id, a DELETE stops one). graphql-sse's own handler
 * speaks the protocol; every operation goes through `yoga.getEnveloped`, so parsing, validation and
 * its limits, the context (the caller, from the request's Authorization header) and every envelop
 * plugin apply as over HTTP.
 *
 * This is @graphql-yoga/plugin-graphql-sse with its refusals answered. That plugin lets a parse,
 * limit or authentication error escape (the server answers 500 with the error's stack trace as the
 * body) and returns validation errors where graphql-sse expects execution arguments (the client gets
 * "Unable to detect operation AST"). Here an operation refused before it runs is a result on its
 * stream (`next` with the errors, then `complete`), as yoga streams it at /graphql.
 */
export function useGraphqlSse(options: {
  endpoint: string;
  /** Checks the request's credentials; throws (UNAUTHENTICATED) when they are refused. */
  authenticate: (request: Request) => Promise<unknown>;
  /**
   * The parameters as the pipeline is to see them, for operations that do not pass yoga's onParams
   * (a persisted document's id resolved to its text), or a GraphQLError refusing them.
   */
  resolveParams: (params: SubscribePayload) => Promise<SubscribePayload>;
}): Plugin {
  const serverContexts = new WeakMap<Request, Record<string, unknown>>();
  let handler: ((request: Request) => Promise<Response>) | undefined;
  let logError: (error: unknown) => void = () => {};
  return {
    onYogaInit({ yoga }) {
      logError = (error) => yoga.logger.error(error);
      handler = createHandler(
        {
          async onSubscribe(req, requestParams) {
            const request = req.raw;
            try {
              // graphql-sse's request parser has made `query` a string.
              const params = await options.resolveParams(requestParams as SubscribePayload);
              const { schema, parse, validate, contextFactory, execute, subscribe } = yoga.getEnveloped({
                ...serverContexts.get(request),
                request,
                params,
              });
              const document = parse(params.query);
              const errors = validate(schema, document);
              if (errors.length > 0) return refused(errors);
              const args: ExecutionArgs = {
                schema,
                document,
                contextValue: await contextFactory(),
                variableValues: params.variables,
                operationName: params.operationName,
              };
              const run = getOperationAST(document, params.operationName)?.operation === 'subscription' ? subscribe : execute;
              const result = (await run(args)) as ExecutionResult | AsyncIterable<ExecutionResult>;
              // graphql-sse takes a result without `data` (refused by the executor) for arguments.
              return isAsyncIterable(result) || 'data' in result ? result : once(result);
            } catch (error) {
              // A refused document, graphql-armor's limits and refused credentials are thrown.
              if (error instanceof GraphQLError) return refused([error]);
              throw error;
            }
          },
          // Printed as JSON, like the formatted result: the errors without yoga's `http`.
          onNext: (_ctx, _req, result) => resultWithoutHttp(result as ExecutionResult) as ExecutionResult | undefined,
        },
        yoga.fetchAPI,
      );
    },
    async onRequest({ request, url, serverContext, fetchAPI, endResponse }) {
      if (url.pathname !== options.endpoint || !handler) return;
      try {
        // Every request of the protocol, the reservation and the stream included, as over HTTP.
        await options.authenticate(request);
        serverContexts.set(request, serverContext as Record<string, unknown>);
        endResponse(await handler(request));
      } catch (error) {
        // Refused credentials: yoga's own answer (401, WWW-Authenticate). Anything else is a bug or an
        // unreachable database: logged, and never its stack trace to the client (the server
        // adapter's answer to an error thrown here).
        if (error instanceof GraphQLError) {
          endResponse(processRegularResult({ errors: [error] }, fetchAPI, 'application/json'));
          return;
        }
        logError(error);
        endResponse(
          new fetchAPI.Response('{"errors":[{"message":"Unexpected error."}]}', {
            status: 500,
            headers: { 'content-type': 'application/json; charset=utf-8' },
          }),
        );
      }
    },
  };
}

/** A refusal as the operation's only result: its errors (without yoga's `http`), then the end. */
function refused(errors: readonly GraphQLError[]): AsyncIterable<ExecutionResult> {
  // graphql-sse prints a result as JSON: formatted errors are what it would print of GraphQLErrors.
  return once({ errors: errors.map(formatWithoutHttp) } as unknown as ExecutionResult);
}

async function* once<T>(result: T): AsyncGenerator<T> {
  yield result;
}
