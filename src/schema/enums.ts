import { TASK_ERROR_CODES } from '../domain/errors.ts';
import { JOB_STATUSES } from '../domain/jobStatus.ts';
import { ROLES } from '../domain/roles.ts';
import { TASK_COMMANDS, TASK_STATUSES } from '../domain/taskStateMachine.ts';
import { THREAD_STATUSES } from '../domain/threadStatus.ts';
import { builder } from './builder.ts';

export const TaskStatusEnum = builder.enumType('TaskStatus', { values: TASK_STATUSES });
export const JobStatusEnum = builder.enumType('JobStatus', { values: JOB_STATUSES });
export const ThreadStatusEnum = builder.enumType('ThreadStatus', { values: THREAD_STATUSES });
export const TaskOperationEnum = builder.enumType('TaskOperation', { values: TASK_COMMANDS });
export const TaskErrorCodeEnum = builder.enumType('TaskErrorCode', { values: TASK_ERROR_CODES });
export const RoleEnum = builder.enumType('Role', { values: ROLES });
