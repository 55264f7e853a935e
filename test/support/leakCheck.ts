import { afterAll } from 'vitest';
import { stillOpen } from './leaks.ts';

/**
 * The leak check (STYLE.md §7), a setup file of every test file. Its afterAll runs after the file's
 * own (vitest runs after-hooks in reverse order of registration, and this one registers first), and
 * fails the file when something is still open:
 * - whatever the test helpers opened and did not close (test/support/leaks.ts), named with the line
 *   that opened it;
 * - TCP sockets, servers and child processes (Node's active resources) the file began without and
 *   that outlive a short grace, for what the helpers do not see (a raw WebSocket, a fetch stream, a
 *   spawned process). The grace covers closes that are under way: a socket the server ended, a killed
 *   child whose exit is not in yet.
 */
const WATCHED = ['TCPSocketWrap', 'TCPServerWrap', 'ProcessWrap', 'PipeServerWrap'];
const GRACE_MS = 2_000;

const before = activeResources();

afterAll(async () => {
  const deadline = Date.now() + GRACE_MS;
  let helpers = stillOpen();
  let extra = newResources();
  while ((helpers.length > 0 || extra.length > 0) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    helpers = stillOpen();
    extra = newResources();
  }
  const lines = [
    ...helpers.map((r) => `${r.kind}: ${r.what}, opened at ${r.openedAt}`),
    ...extra.map(([type, n]) => `${n} × ${type} (Node active resource) more than when the file began`),
  ];
  if (lines.length > 0) throw new Error(`leak check: the file left open:\n  ${lines.join('\n  ')}`);
}, GRACE_MS + 5_000);

function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

function newResources(): [string, number][] {
  const now = activeResources();
  return WATCHED.map((type): [string, number] => [type, (now.get(type) ?? 0) - (before.get(type) ?? 0)]).filter(([, n]) => n > 0);
}
