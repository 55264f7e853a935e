import { describe, expect, it } from 'vitest';
import {
  TASK_COMMANDS,
  TASK_STATUSES,
  allowedOperations,
  applicableStatuses,
  concludeTransition,
  transition,
  type TaskCommand,
  type TaskStatus,
} from '../src/domain/taskStateMachine.ts';

// The expected table, written out cell by cell from DESIGN.md: "X" = target status,
// "del" = deleted, "=" already in state, "inv" invalid state, "susp" = JOB_SUSPENDED (suspended job only).
type Cell = TaskStatus | 'DEL' | 'DEFER' | 'ALREADY' | 'INVALID';
const S = ['PENDING', 'QUEUED', 'RUNNING', 'SUSPENDED', 'CANCELLING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
const EXPECTED: Record<Exclude<TaskCommand, 'CONCLUDE'>, Cell[]> = {
  //               PENDING      QUEUED       RUNNING       SUSPENDED    CANCELLING    COMPLETED    FAILED       CANCELLED
  CANCEL:         ['CANCELLED', 'CANCELLED', 'CANCELLING', 'CANCELLED', 'CANCELLING', 'INVALID',   'INVALID',   'INVALID'],
  DESTROY:        ['DEL',       'DEL',       'DEFER',      'DEL',       'DEFER',      'DEL',       'DEL',       'DEL'],
  SUSPEND:        ['SUSPENDED', 'SUSPENDED', 'SUSPENDED',  'ALREADY',   'INVALID',    'INVALID',   'INVALID',   'INVALID'],
  FAIL:           ['FAILED',    'FAILED',    'FAILED',     'FAILED',    'FAILED',     'INVALID',   'ALREADY',   'INVALID'],
  CLEAN:          ['INVALID',   'INVALID',   'INVALID',    'INVALID',   'INVALID',    'DEL',       'DEL',       'DEL'],
  REQUEUE:        ['QUEUED',    'ALREADY',   'QUEUED',     'QUEUED',    'INVALID',    'QUEUED',    'QUEUED',    'QUEUED'],
  RESUME:         ['INVALID',   'ALREADY',   'INVALID',    'QUEUED',    'INVALID',    'INVALID',   'INVALID',   'INVALID'],
  RESUME_FAILED:  ['INVALID',   'ALREADY',   'INVALID',    'INVALID',   'INVALID',    'INVALID',   'QUEUED',    'INVALID'],
  COMPLETE:       ['COMPLETED', 'COMPLETED', 'COMPLETED',  'COMPLETED', 'INVALID',    'ALREADY',   'COMPLETED', 'INVALID'],
  PEND:           ['ALREADY',   'PENDING',   'INVALID',    'PENDING',   'INVALID',    'INVALID',   'PENDING',   'INVALID'],
  RELEASE_PENDING:['QUEUED',    'ALREADY',   'INVALID',    'INVALID',   'INVALID',    'INVALID',   'INVALID',   'INVALID'],
};

function actual(command: TaskCommand, status: TaskStatus, jobSuspended = false): Cell | 'JOB_SUSPENDED' {
  const t = transition(command, { status, jobSuspended });
  if (t.kind === 'refuse') {
    return t.code === 'ALREADY_IN_STATE' ? 'ALREADY' : t.code === 'INVALID_STATE' ? 'INVALID' : 'JOB_SUSPENDED';
  }
  if (t.delete) return 'DEL';
  if (t.deferDelete) return 'DEFER';
  return t.to;
}

describe('task state machine', () => {
  it('lists every status and command of the contract', () => {
    expect([...TASK_STATUSES]).toEqual([...S]);
    expect(TASK_COMMANDS).toHaveLength(12);
  });

  for (const [command, cells] of Object.entries(EXPECTED) as [Exclude<TaskCommand, 'CONCLUDE'>, Cell[]][]) {
    for (const [i, status] of S.entries()) {
      it(`${command} × ${status} → ${cells[i]}`, () => {
        expect(actual(command, status)).toBe(cells[i]);
      });
    }
  }

  it('destroy cancels before deleting and defers for held tasks', () => {
    expect(transition('DESTROY', { status: 'QUEUED', jobSuspended: false })).toMatchObject({ to: 'CANCELLED', delete: true });
    expect(transition('DESTROY', { status: 'RUNNING', jobSuspended: false })).toMatchObject({ to: 'CANCELLING', deferDelete: true });
  });

  for (const status of S) {
    it(`PEND and RELEASE_PENDING × ${status} in a suspended job → JOB_SUSPENDED`, () => {
      expect(actual('PEND', status, true)).toBe('JOB_SUSPENDED');
      expect(actual('RELEASE_PENDING', status, true)).toBe('JOB_SUSPENDED');
    });
    it(`other commands × ${status} ignore the job's suspension`, () => {
      for (const command of Object.keys(EXPECTED) as Exclude<TaskCommand, 'CONCLUDE'>[]) {
        if (command === 'PEND' || command === 'RELEASE_PENDING') continue;
        expect(actual(command, status, true)).toBe(actual(command, status, false));
      }
    });
    it(`CONCLUDE × ${status}`, () => {
      const concluded = status === 'COMPLETED' || status === 'FAILED' || status === 'CANCELLED';
      expect(concludeTransition(status, 'SUCCEEDED')).toEqual(
        concluded ? { kind: 'refuse', code: 'INVALID_STATE' } : { kind: 'apply', to: 'COMPLETED', delete: false, deferDelete: false },
      );
      if (!concluded) {
        expect(concludeTransition(status, 'FAILED')).toMatchObject({ to: 'FAILED' });
        expect(concludeTransition(status, 'CANCELLED', true)).toMatchObject({ to: 'CANCELLED', delete: true });
      }
    });
  }

  it('allowedOperations is exactly the commands that apply', () => {
    expect(allowedOperations({ status: 'RUNNING', jobSuspended: false })).toEqual([
      'CANCEL', 'DESTROY', 'CONCLUDE', 'REQUEUE', 'COMPLETE', 'SUSPEND', 'FAIL',
    ]);
    expect(allowedOperations({ status: 'COMPLETED', jobSuspended: false })).toEqual(['DESTROY', 'CLEAN', 'REQUEUE']);
    expect(allowedOperations({ status: 'QUEUED', jobSuspended: true })).not.toContain('PEND');
    expect(applicableStatuses('RESUME')).toEqual(['SUSPENDED']);
  });
});
