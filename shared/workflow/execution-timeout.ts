/**
 * How long a job's Step Functions execution may run before Step Functions stops it (TIMED_OUT). The stack
 * writes it into the definition, and the stuck-job sweep reads it: a job PROCESSING for longer than this
 * (and a margin) has no execution left to close it.
 */
export const EXECUTION_TIMEOUT_SECONDS = 2 * 60 * 60;
