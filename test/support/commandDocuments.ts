import type { BatchCommand } from '../../src/commands/taskCommands.ts';
import { graphql } from '../../src/gql/index.ts';
import type { TaskCommandInput } from '../../src/gql/graphql.ts';
import type { TestServer } from './server.ts';

/** One typed operation per batch task command, all selecting the whole payload. */

export interface CommandPayload {
  applied: boolean;
  ids: string[];
  tasks: { id: string; status: string; index: number | null; progress: number; residentOn: string | null; allowedOperations: string[] }[];
  errors: { taskId: string | null; index: number | null; code: string; message: string; status: string | null }[];
}

const CommandCancel = graphql(`
  mutation CommandCancel($input: TaskCommandInput!) {
    cancelTasks(input: $input) {
      applied ids
      tasks { id status index progress residentOn allowedOperations }
      errors { taskId index code message status }
    }
  }
`);

const CommandDestroy = graphql(`
  mutation CommandDestroy($input: TaskCommandInput!) {
    destroyTasks(input: $input) {
      applied ids
      tasks { id status index progress residentOn allowedOperations }
      errors { taskId index code message status }
    }
  }
`);

const CommandSuspend = graphql(`
  mutation CommandSuspend($input: TaskCommandInput!) {
    suspendTasks(input: $input) {
      applied ids
      tasks { id status index progress residentOn allowedOperations }
      errors { taskId index code message status }
    }
  }
`);

const CommandFail = graphql(`
  mutation CommandFail($input: TaskCommandInput!) {
    failTasks(input: $input) {
      applied ids
      tasks { id status index progress residentOn allowedOperations }
      errors { taskId index code message status }
    }
  }
`);

const CommandClean = graphql(`
  mutation CommandClean($input: TaskCommandInput!) {
    cleanTasks(input: $input) {
      applied ids
      tasks { id status index progress residentOn allowedOperations }
      errors { taskId index code message status }
    }
  }
`);

const CommandRequeue = graphql(`
  mutation CommandRequeue($input: TaskCommandInput!) {
    requeueTasks(input: $input) {
      applied ids
      tasks { id status index progress residentOn allowedOperations }
      errors { taskId index code message status }
    }
  }
`);

const CommandResume = graphql(`
  mutation CommandResume($input: TaskCommandInput!) {
    resumeTasks(input: $input) {
      applied ids
      tasks { id status index progress residentOn allowedOperations }
      errors { taskId index code message status }
    }
  }
`);

const CommandResumeFailed = graphql(`
  mutation CommandResumeFailed($input: TaskCommandInput!) {
    resumeFailedTasks(input: $input) {
      applied ids
      tasks { id status index progress residentOn allowedOperations }
      errors { taskId index code message status }
    }
  }
`);

const CommandComplete = graphql(`
  mutation CommandComplete($input: TaskCommandInput!) {
    completeTasks(input: $input) {
      applied ids
      tasks { id status index progress residentOn allowedOperations }
      errors { taskId index code message status }
    }
  }
`);

const CommandPend = graphql(`
  mutation CommandPend($input: TaskCommandInput!) {
    pendTasks(input: $input) {
      applied ids
      tasks { id status index progress residentOn allowedOperations }
      errors { taskId index code message status }
    }
  }
`);

const CommandReleasePending = graphql(`
  mutation CommandReleasePending($input: TaskCommandInput!) {
    releasePendingTasks(input: $input) {
      applied ids
      tasks { id status index progress residentOn allowedOperations }
      errors { taskId index code message status }
    }
  }
`);

export const COMMAND_DOCUMENTS = {
  CANCEL: { field: 'cancelTasks', document: CommandCancel },
  DESTROY: { field: 'destroyTasks', document: CommandDestroy },
  SUSPEND: { field: 'suspendTasks', document: CommandSuspend },
  FAIL: { field: 'failTasks', document: CommandFail },
  CLEAN: { field: 'cleanTasks', document: CommandClean },
  REQUEUE: { field: 'requeueTasks', document: CommandRequeue },
  RESUME: { field: 'resumeTasks', document: CommandResume },
  RESUME_FAILED: { field: 'resumeFailedTasks', document: CommandResumeFailed },
  COMPLETE: { field: 'completeTasks', document: CommandComplete },
  PEND: { field: 'pendTasks', document: CommandPend },
  RELEASE_PENDING: { field: 'releasePendingTasks', document: CommandReleasePending },
} as const satisfies Record<BatchCommand, { field: string; document: unknown }>;

/** Runs a command; throws on GraphQL errors; returns its payload. */
export async function runCommand(server: TestServer, command: BatchCommand, input: TaskCommandInput): Promise<CommandPayload> {
  const { field, document } = COMMAND_DOCUMENTS[command];
  const data = (await server.gql(document as never, { input } as never)) as Record<string, CommandPayload>;
  return data[field]!;
}

/** Runs a command and returns the raw response (for whole-request errors). */
export async function requestCommand(server: TestServer, command: BatchCommand, input: unknown) {
  const { document } = COMMAND_DOCUMENTS[command];
  return server.request(document as never, { input } as never);
}
