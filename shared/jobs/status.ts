export const JOB_STATUSES = ['QUEUED', 'PROCESSING', 'COMPLETED', 'FAILED'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const JOB_TYPES = ['GENERATE', 'EDIT', 'ENHANCE', 'TRANSCODE'] as const;
export type JobType = (typeof JOB_TYPES)[number];

const ALLOWED: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  QUEUED: ['PROCESSING', 'FAILED'],
  PROCESSING: ['COMPLETED', 'FAILED'],
  COMPLETED: [],
  FAILED: [],
};

/**
 * The error message of a job its owner cancelled. Migration 0021's job-usage trigger tells a cancellation
 * from a failure by this text, so it is written there too (a test holds the two equal).
 */
export const CANCELLED_BY_USER = 'Cancelled by user.';

export const ACTIVE_JOB_STATUSES: readonly JobStatus[] = ['QUEUED', 'PROCESSING'];

export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return ALLOWED[from].includes(to);
}

/** The statuses a job may be in for a move to `to` to be legal; used in UPDATE ... WHERE status IN (...). */
export function allowedSources(to: JobStatus): JobStatus[] {
  return JOB_STATUSES.filter((from) => ALLOWED[from].includes(to));
}

export function isTerminal(status: JobStatus): boolean {
  return ALLOWED[status].length === 0;
}
