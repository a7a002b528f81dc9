/**
 * MarkFailed: records why the job failed, removes its artifacts, and counts the failure by class (user,
 * model, system) as a CloudWatch metric in the embedded metric format; the alarm watches system failures.
 * The metric is published only once the job is closed, so the state machine's retries count it once.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { JOB_FAILURE_METRIC, recordJobFailure } from '#shared/pipeline/failure-class.ts';
import type { PipelineState } from '#shared/pipeline/tasks.ts';
import { pipelineTask } from './task.ts';

const metrics = new Metrics({
  namespace: JOB_FAILURE_METRIC.namespace,
  serviceName: JOB_FAILURE_METRIC.serviceName,
  defaultDimensions: { [JOB_FAILURE_METRIC.stageDimension]: process.env.STAGE ?? 'local' },
});
const markFailed = pipelineTask('markFailed');

export async function handler(state: PipelineState) {
  const result = await markFailed(state);
  recordJobFailure(metrics, state.error);
  metrics.publishStoredMetrics();
  return result;
}
