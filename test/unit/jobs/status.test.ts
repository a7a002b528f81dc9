import { describe, expect, it } from 'vitest';
import { allowedSources, canTransition, isTerminal, JOB_STATUSES } from '#shared/jobs/status.ts';

describe('job status transitions', () => {
  const legal = new Set(['QUEUED>PROCESSING', 'QUEUED>FAILED', 'PROCESSING>COMPLETED', 'PROCESSING>FAILED']);

  it('allows exactly the four legal moves and rejects every other pair', () => {
    for (const from of JOB_STATUSES) {
      for (const to of JOB_STATUSES) {
        expect(canTransition(from, to), `${from} -> ${to}`).toBe(legal.has(`${from}>${to}`));
      }
    }
  });

  it('lists the source statuses for each target', () => {
    expect(allowedSources('FAILED').sort()).toEqual(['PROCESSING', 'QUEUED']);
    expect(allowedSources('COMPLETED')).toEqual(['PROCESSING']);
    expect(allowedSources('QUEUED')).toEqual([]);
  });

  it('treats COMPLETED and FAILED as terminal', () => {
    expect(JOB_STATUSES.filter(isTerminal)).toEqual(['COMPLETED', 'FAILED']);
  });
});
