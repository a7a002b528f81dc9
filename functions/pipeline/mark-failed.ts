/**
 * MarkFailed: records why the job failed and removes its artifacts. The task counts the failure by class
 * (JobsFailed, shared/observability/metrics.ts) when it is the call that ended the job, so the state
 * machine's retries count it once.
 */
import { pipelineTask } from './task.ts';

export const handler = pipelineTask('markFailed');
