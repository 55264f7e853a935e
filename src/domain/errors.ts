/** The codes of a per-item error in a batch payload (the contract's `TaskErrorCode`). */
export const TASK_ERROR_CODES = [
  'NOT_FOUND',
  'INVALID_STATE',
  'ALREADY_IN_STATE',
  'JOB_SUSPENDED',
  'NOT_OWNER',
  'INVALID_INPUT',
  'FORBIDDEN',
] as const;
export type TaskErrorCode = (typeof TASK_ERROR_CODES)[number];

/**
 * An error a client can act on (bad input, an expired cursor), raised by the domain and SQL code.
 * It knows nothing of GraphQL: the schema turns it into a GraphQL error with the same message and
 * `extensions` (schema/errors.ts). `extensions.code` is the error code clients see.
 */
export class DomainError extends Error {
  override name = 'DomainError';
  readonly extensions: { readonly code: string } & Readonly<Record<string, unknown>>;

  constructor(message: string, extensions: { code: string } & Record<string, unknown>) {
    super(message);
    this.extensions = extensions;
  }
}
