import { describe, expect, it } from 'vitest';
import { countsFromRows, deriveJobStatus, jobProgress } from '../src/domain/jobStatus.ts';
import { deriveThreadStatus } from '../src/domain/threadStatus.ts';

const counts = (byStatus: Record<string, number>) =>
  countsFromRows(Object.entries(byStatus).map(([status, count]) => ({ status, count })));

describe('deriveJobStatus', () => {
  it.each([
    [true, { QUEUED: 3 }, 'SUSPENDED'],
    [false, { QUEUED: 1, COMPLETED: 5 }, 'ACTIVE'],
    [false, { RUNNING: 1, PENDING: 2 }, 'ACTIVE'],
    [false, { CANCELLING: 1 }, 'ACTIVE'],
    [false, { PENDING: 1, COMPLETED: 2 }, 'PENDING'],
    [false, { PENDING: 1, SUSPENDED: 1 }, 'PENDING'],
    [false, { SUSPENDED: 2, FAILED: 1 }, 'SUSPENDED'],
    [false, {}, 'PENDING'],
    [false, { CANCELLED: 3 }, 'CANCELLED'],
    [false, { CANCELLED: 2, FAILED: 1, COMPLETED: 1 }, 'FAILED'],
    [false, { CANCELLED: 2, COMPLETED: 1 }, 'COMPLETED'],
    [false, { COMPLETED: 4 }, 'COMPLETED'],
  ] as const)('suspended=%s %j → %s', (suspended, byStatus, expected) => {
    expect(deriveJobStatus(suspended, counts(byStatus))).toBe(expected);
  });

  it('progress is the mean, with concluded tasks counting as 1', () => {
    expect(jobProgress(counts({ COMPLETED: 1, FAILED: 1, RUNNING: 2 }), 0.5 + 0.5)).toBeCloseTo(0.75);
    expect(jobProgress(counts({}), 0)).toBe(0);
  });
});

describe('deriveThreadStatus', () => {
  it('paused wins, then running, then a held head blocks', () => {
    expect(deriveThreadStatus(true, counts({ RUNNING: 1 }), 'RUNNING')).toBe('PAUSED');
    expect(deriveThreadStatus(false, counts({ RUNNING: 1, QUEUED: 1 }), 'RUNNING')).toBe('RUNNING');
    expect(deriveThreadStatus(false, counts({ CANCELLING: 1 }), 'CANCELLING')).toBe('RUNNING');
    expect(deriveThreadStatus(false, counts({ PENDING: 1, QUEUED: 1 }), 'PENDING')).toBe('BLOCKED');
    expect(deriveThreadStatus(false, counts({ SUSPENDED: 1 }), 'SUSPENDED')).toBe('BLOCKED');
    expect(deriveThreadStatus(false, counts({ QUEUED: 2 }), 'QUEUED')).toBe('IDLE');
    expect(deriveThreadStatus(false, counts({ COMPLETED: 2 }), null)).toBe('IDLE');
  });
});
