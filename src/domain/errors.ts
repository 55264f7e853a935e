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
