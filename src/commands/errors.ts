import type { EventCursor } from '../domain/cursors.ts';
import type { TaskErrorCode } from '../domain/errors.ts';
import type { TaskStatus } from '../domain/taskStateMachine.ts';


/** One problem with one task or input item of a batch: `TaskError` in the contract. */
export interface TaskError {
  taskId: string | null;
  index: number | null;
  code: TaskErrorCode;
  message: string;
  status: TaskStatus | null;
}

/** What every task batch mutation returns (`TaskBatchPayload`); tasks are loaded from `ids` on demand. */
export interface TaskBatchResult {
  applied: boolean;
  ids: string[];
  errors: TaskError[];
  /** The event-log cursor of the mutation's last task event, from the statements that wrote them; null when it wrote none. */
  cursor: EventCursor | null;
}
