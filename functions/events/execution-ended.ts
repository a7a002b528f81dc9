/**
 * EventBridge "Step Functions Execution Status Change" for ended executions. A stopped execution (a
 * cancelled job) never reaches its Catch, so this is where its job is closed and its artifacts removed;
 * likewise an execution that failed outside its Catch (MarkFailed itself gave up). Whatever the ending,
 * the job's slot is free again, so the owner's uploads waiting for one are started. The MarkFailed task
 * counts the ending (JobsFailed or JobsCancelled) when it is what closed the job.
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import { type ExecutionStatusChange, executionStatusChange } from '#shared/events/schemas/execution.ts';
import { CANCELLED_BY_USER } from '#shared/jobs/status.ts';
import { parseEvent } from '#shared/observability/parse-event.ts';
import { annotateTrace, tracedHandler } from '#shared/observability/tracing.ts';
import type { PipelineState } from '#shared/pipeline/tasks.ts';
import { pipelineRuntime } from '#shared/runtime/pipeline-aws.ts';
import { sdkConfig } from '#shared/sdk/sha256.ts';
import { createUploadIngest } from '#shared/uploads/ingest.ts';
import { createReservationRepository } from '#shared/uploads/reservations.ts';
import { stepFunctionsWorkflow } from '#shared/workflow/step-functions.ts';

// Only an owner's waiting uploads need it (most executions end with none): built by the first start.
let sfn: SFNClient | undefined;
const sfnClient = async () => {
  sfn ??= new (await import('@aws-sdk/client-sfn')).SFNClient(sdkConfig());
  return sfn;
};

type Ending = { detail: Pick<ExecutionStatusChange['detail'], 'status' | 'input' | 'error' | 'cause'> };

/** How a stopped or timed-out execution reads to the user (the error names failureMessage knows). */
const ENDINGS: Record<string, { Error: string; Cause: string }> = {
  ABORTED: { Error: 'JobCancelled', Cause: CANCELLED_BY_USER },
  TIMED_OUT: { Error: 'States.Timeout', Cause: 'The job took too long and was stopped.' },
};

/** What MarkFailed needs for an ended execution, or null when there is nothing to close. */
export function failedStateOf(event: Ending): PipelineState | null {
  const { status, input, error, cause } = event.detail;
  if (!input || !(status in ENDINGS || status === 'FAILED')) return null;
  // The definition's own Fail state: MarkFailed has already closed the job and cleaned up.
  if (status === 'FAILED' && error === 'JobFailed') return null;
  return {
    ...(input as PipelineState),
    error: ENDINGS[status] ?? { Error: error ?? status, Cause: cause ?? 'The job failed unexpectedly.' },
  };
}

export const handler = tracedHandler('execution-ended', async (event: unknown): Promise<void> => {
  const runtime = pipelineRuntime();
  const parsed = parseEvent(
    executionStatusChange,
    event,
    'Step Functions Execution Status Change',
    runtime.logger,
  );
  const { input, stateMachineArn, status } = parsed.detail;
  if (!input) {
    if (status !== 'RUNNING') runtime.logger.warn('ended execution without its input', { status });
    return;
  }
  annotateTrace({ jobId: input.jobId, userId: input.userId, correlationId: input.correlationId });
  const state = failedStateOf(parsed);
  if (state) await runtime.tasks.markFailed(state);
  const uploads = createUploadIngest({
    users: runtime.users,
    jobs: runtime.jobs,
    reservations: createReservationRepository(runtime.db),
    store: runtime.store,
    workflow: stepFunctionsWorkflow(sfnClient, stateMachineArn),
  });
  const started = await uploads.startWaiting(input.userId);
  if (started.length)
    runtime.logger.info('waiting uploads started', { userId: input.userId, jobIds: started });
});
