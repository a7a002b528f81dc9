/**
 * EventBridge "Step Functions Execution Status Change" for ABORTED, TIMED_OUT and FAILED executions. A
 * stopped execution (a cancelled job) never reaches its Catch, so this is where its job is closed and its
 * artifacts removed; likewise an execution that failed outside its Catch (MarkFailed itself gave up).
 */
import type { PipelineState } from '#shared/pipeline/tasks.ts';
import { pipelineRuntime } from '#shared/runtime/pipeline-aws.ts';

export interface ExecutionStatusChange {
  detail: { status: string; input?: string | null; error?: string | null; cause?: string | null };
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

export async function handler(event: ExecutionStatusChange): Promise<void> {
  const state = failedStateOf(event);
  if (state) await pipelineRuntime().tasks.markFailed(state);
}
