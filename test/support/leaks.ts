import { fileURLToPath } from 'node:url';

/**
 * What the test helpers have opened and not yet closed in this test file: servers, databases,
 * WebSockets, subscriptions, workers. The leak check (test/support/leakCheck.ts) fails a file that
 * ends with any of them still open, naming where each was opened.
 */
export interface OpenResource {
  kind: string;
  what: string;
  /** The first stack frame in test/ outside test/support: the test line that opened it. */
  openedAt: string;
}

const open = new Set<OpenResource>();
const SUPPORT = fileURLToPath(new URL('.', import.meta.url));
const TESTS = fileURLToPath(new URL('..', import.meta.url));

/** Records that something is open; call the returned function once it is closed (twice is harmless). */
export function trackOpen(kind: string, what: string): () => void {
  const resource: OpenResource = { kind, what, openedAt: callerOutsideSupport() };
  open.add(resource);
  return () => void open.delete(resource);
}

export function stillOpen(): OpenResource[] {
  return [...open];
}

function callerOutsideSupport(): string {
  const frames = (new Error().stack ?? '').split('\n').slice(1).map((line) => line.trim());
  const frame = frames.find((line) => line.includes(TESTS) && !line.includes(SUPPORT));
  // A socket a library opens later (graphql-ws connects lazily) has no test line on its stack.
  return frame?.replace(/^at /, '') ?? 'a library callback (see the subscription or client listed with it)';
}
