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

/** Runs generation jobs: Step Functions on AWS, the local runner of the same ASL on a laptop. */
export interface JobWorkflow {
  /** Starts the execution named after the job; starting the same job twice is harmless. */
  start(input: JobExecutionInput): Promise<void>;
  /** Stops a running execution; a job that is not running is ignored. */
  stop(jobId: string, cause: string): Promise<void>;
}
