import { createHash } from 'node:crypto';

/**
 * A request's canonical JSON: object keys sorted at every depth, so that two requests that differ
 * only in key order (a client that builds its variables differently on a retry) are the same
 * request; arrays keep their order, which is meaningful (task order is index order). `undefined`
 * members are left out, as JSON.stringify does, while `null` stays: an absent field and an explicit
 * null arrive as different inputs, and a retry sends the same one.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  const members = Object.keys(value)
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
  return `{${members.join(',')}}`;
}

/** The hash an idempotency key is stored with: sha256 (hex) of the request's canonical JSON. */
export function requestHash(request: unknown): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}
