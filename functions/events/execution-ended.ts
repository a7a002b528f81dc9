/**
 * EventBridge "Step Functions Execution Status Change" for ended executions. A stopped execution (a
 * cancelled job) never reaches its Catch, so this is where its job is closed and its artifacts removed;
 * likewise an execution that failed outside its Catch (MarkFailed itself gave up). Whatever the ending,
 * the job's slot is free again, so the owner's uploads waiting for one are started.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SFNClient } from '@aws-sdk/client-sfn';
import { JOB_FAILURE_METRIC, recordJobFailure } from '#shared/pipeline/failure-class.ts';
import type { PipelineState } from '#shared/pipeline/tasks.ts';
import { pipelineRuntime } from '#shared/runtime/pipeline-aws.ts';
import { createUploadIngest } from '#shared/uploads/ingest.ts';
import { createReservationRepository } from '#shared/uploads/reservations.ts';
import type { JobExecutionInput } from '#shared/workflow/port.ts';
import { stepFunctionsWorkflow } from '#shared/workflow/step-functions.ts';

const sfn = new SFNClient({});

export interface ExecutionStatusChange {
  detail: {
    status: string;
    input?: string | null;
    error?: string | null;
    cause?: string | null;
    stateMachineArn?: string;
  };
}

/** How a stopped or timed-out execution reads to the user (the error names failureMessage knows). */
const ENDINGS: Record<string, { Error: string; Cause: string }> = {
  ABORTED: { Error: 'JobCancelled', Cause: 'Cancelled by user.' },
  TIMED_OUT: { Error: 'States.Timeout', Cause: 'The job took too long and was stopped.' },
};

/** What MarkFailed needs for an ended execution, or null when there is nothing to close. */
export function failedStateOf(event: ExecutionStatusChange): PipelineState | null {
  const { status, input, error, cause } = event.detail;
  if (!input || !(status in ENDINGS || status === 'FAILED')) return null;
  // The definition's own Fail state: MarkFailed has already closed the job and cleaned up.
  if (status === 'FAILED' && error === 'JobFailed') return null;
  const state = JSON.parse(input) as PipelineState;
  return {
    ...state,
    error: ENDINGS[status] ?? { Error: error ?? status, Cause: cause ?? 'The job failed unexpectedly.' },
  };
}

const metrics = new Metrics({
  namespace: JOB_FAILURE_METRIC.namespace,
  serviceName: JOB_FAILURE_METRIC.serviceName,
  defaultDimensions: { [JOB_FAILURE_METRIC.stageDimension]: process.env.STAGE ?? 'local' },
});

export async function handler(event: ExecutionStatusChange): Promise<void> {
  const runtime = pipelineRuntime();
  const state = failedStateOf(event);
  if (state) {
    await runtime.tasks.markFailed(state);
    // These endings never reached MarkFailed's Lambda, so its metric is counted here (a cancel as user,
    // a timeout or a failure outside the Catch as system).
    recordJobFailure(metrics, state.error);
    metrics.publishStoredMetrics();
  }
  const { input, stateMachineArn } = event.detail;
  if (!input || !stateMachineArn) return;
  const { userId } = JSON.parse(input) as JobExecutionInput;
  const uploads = createUploadIngest({
    users: runtime.users,
    jobs: runtime.jobs,
    reservations: createReservationRepository(runtime.db),
    store: runtime.store,
    workflow: stepFunctionsWorkflow(sfn, stateMachineArn),
  });
  const started = await uploads.startWaiting(userId);
  if (started.length) runtime.logger.info('waiting uploads started', { userId, jobIds: started });
}
