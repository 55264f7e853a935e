import type { JobRow, TaskRow, ThreadRow } from '../db/tables.ts';
import { builder } from './builder.ts';

// Object refs live apart from their implementations so that types referring to each other
// (a task's job, a job's tasks) can import them without an import cycle.
export const TaskRef = builder.objectRef<TaskRow>('Task');
export const JobRef = builder.objectRef<JobRow>('Job');
export const ThreadRef = builder.objectRef<ThreadRow>('Thread');
