import type { JobType } from '../jobs/status.ts';

/** The input every generation-job execution starts with. */
export interface JobExecutionInput {
  jobId: string;
  userId: string;
  projectId: string;
  jobType: JobType;
  /** The API request that submitted the job (its x-correlation-id), when there was one. */
  correlationId?: string;
}

/**
 * What a start did: `started` an execution (Step Functions also answers so for a running one given the
 * same input), or found an `existing` execution of that name: one that has ended (its name stays taken),
 * or a running one (on Step Functions, one started with other input). Either way nothing new runs.
 */
export type StartOutcome = 'started' | 'existing';

/** Runs generation jobs: Step Functions on AWS, the local runner of the same ASL on a laptop. */
export interface JobWorkflow {
  /** Starts the execution named after the job; starting the same job twice is harmless. */
  start(input: JobExecutionInput): Promise<StartOutcome>;
  /** Stops a running execution; a job that is not running is ignored. */
  stop(jobId: string, cause: string): Promise<void>;
}

/**
 * Where the execution named after a job stands: `running` (a redrive under way counts, it will run again),
 * `ended` (succeeded, failed, timed out or stopped), or `none` (never started).
 */
export type ExecutionState = 'running' | 'ended' | 'none';

/** Looks up a job's execution (the stuck-start sweep, after a start found one already there). */
export interface ExecutionLookup {
  executionState(jobId: string): Promise<ExecutionState>;
}
