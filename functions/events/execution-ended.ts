/**
 * EventBridge "Step Functions Execution Status Change" for ABORTED, TIMED_OUT and FAILED executions. A
 * stopped execution (a cancelled job) never reaches its Catch, so this is where its job is closed and its
 * artifacts removed. MarkFailed leaves completed jobs alone and is harmless when it already ran.
 */
import type { PipelineState } from '#shared/pipeline/tasks.ts';
import { pipelineRuntime } from '#shared/runtime/pipeline-aws.ts';

interface ExecutionStatusChange {
  detail: { status: string; input?: string | null; error?: string | null; cause?: string | null };
}

const MESSAGES: Record<string, string> = {
  ABORTED: 'Cancelled by user.',
  TIMED_OUT: 'The job took too long and was stopped.',
};

export async function handler(event: ExecutionStatusChange): Promise<void> {
  const { status, input, error, cause } = event.detail;
  if (!input || !(status in MESSAGES || status === 'FAILED')) return;
  const state = JSON.parse(input) as PipelineState;
  await pipelineRuntime().tasks.markFailed({
    ...state,
    error: {
      Error: error ?? status,
      Cause: MESSAGES[status] ?? cause ?? 'The job failed unexpectedly.',
    },
  });
}
