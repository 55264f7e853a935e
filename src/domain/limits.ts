import { DomainError } from './errors.ts';

/** The limits of DESIGN.md, in one place. Every check that enforces one names it in its message. */
export const LIMITS = {
  maxBatch: 10_000,
  defaultPageSize: 50,
  maxPageSize: 500,
  maxConfBytes: 64 * 1024,
  maxResultBytes: 1024 * 1024,
  maxNameLength: 200,
  maxDescriptionLength: 10_000,
  maxMessageLength: 10_000,
  maxErrorInfoItems: 100,
  minPriority: 0,
  maxPriority: 100,
  defaultPriority: 50,
  minLeaseMs: 1_000,
  maxLeaseMs: 600_000,
  defaultLeaseMs: 30_000,
  minDelayMs: 0,
  maxDelayMs: 5_000,
  maxTimeoutMs: 7 * 24 * 3600 * 1000,
  maxAttempts: 1_000,
  defaultMaxAttempts: 3,
  maxClaimLimit: 1_000,
  maxWaitMs: 60_000,
  // Apollo's automatic persisted queries (without a trusted-documents manifest): the texts kept by
  // hash, each for an hour; 1,000 of at most 32 Ki characters bound the store to 32 Mi characters.
  maxApqQueries: 1_000,
  maxApqQueryLength: 32 * 1024,
  apqTtlMs: 3_600_000,
} as const;

export function badInput(message: string, extensions: Record<string, unknown> = {}): DomainError {
  return new DomainError(message, { code: 'BAD_USER_INPUT', ...extensions });
}

/** `first` of a connection: default 50, at most 500, never negative. */
export function pageSize(first: number | null | undefined): number {
  if (first == null) return LIMITS.defaultPageSize;
  if (!Number.isInteger(first) || first < 0) throw badInput('`first` must be a non-negative integer');
  if (first > LIMITS.maxPageSize) {
    throw badInput(`\`first\` is over the page limit of ${LIMITS.maxPageSize}`, { limit: 'maxPageSize' });
  }
  return first;
}

/** A list argument of a batch call: at most 10,000 items. */
export function checkBatchSize(what: string, length: number): void {
  if (length > LIMITS.maxBatch) {
    throw badInput(`${what}: ${length} items is over the batch limit of ${LIMITS.maxBatch}`, { limit: 'maxBatch' });
  }
}

export function jsonByteLength(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}
