import type { YogaInitialContext } from 'graphql-yoga';

/** What every transport hands to the app's `createContext`. */
export interface OperationCredentials {
  authorization: string | null;
  requestId: string | null;
  signal: AbortSignal | undefined;
}

/** The WebSocket transport puts this on the initial context instead of a Fetch `request`. */
export interface WebSocketInitialContext {
  websocket: OperationCredentials;
}

/**
 * The credentials of one operation, whichever transport it came by: HTTP and SSE carry a Fetch
 * `Request`; graphql-ws operations carry what `connection_init` sent (see serveGraphqlWs).
 */
export function operationCredentials(initial: Partial<YogaInitialContext> & Partial<WebSocketInitialContext>): OperationCredentials {
  if (initial.websocket) return initial.websocket;
  const request = initial.request;
  return {
    authorization: request?.headers.get('authorization') ?? null,
    requestId: request?.headers.get('x-request-id') ?? null,
    signal: request?.signal,
  };
}

/** Bearer credentials from `connection_init`: `{authorization}` or `{headers: {authorization}}`, else the upgrade request's header. */
export function connectionAuthorization(params: Readonly<Record<string, unknown>> | undefined, upgradeHeader: string | undefined): string | null {
  const pick = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);
  const headers = params?.headers && typeof params.headers === 'object' ? (params.headers as Record<string, unknown>) : undefined;
  return (
    pick(params?.authorization) ??
    pick(params?.Authorization) ??
    pick(headers?.authorization) ??
    pick(headers?.Authorization) ??
    pick(upgradeHeader)
  );
}
