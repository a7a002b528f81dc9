/**
 * EventBridge "MediaConvert Job State Change": STATUS_UPDATE events carry the transcode's percent complete,
 * which moves the job's progress through its transcode band (72–97). Completion and errors are handled by
 * the state machine's .sync integration, so other statuses are ignored here.
 */

import { transcodeProgress } from '#shared/pipeline/progress.ts';
import { pipelineRuntime } from '#shared/runtime/pipeline-aws.ts';

export interface MediaConvertStateChange {
  'detail-type': string;
  detail: {
    status?: string;
    userMetadata?: { jobId?: string };
    jobProgress?: { jobPercentComplete?: number };
  };
}

/** The job and its new progress, or null for an event that says nothing about progress. */
export function progressOf(event: MediaConvertStateChange): { jobId: string; progress: number } | null {
  const { status, userMetadata, jobProgress } = event.detail;
  const jobId = userMetadata?.jobId;
  if (status !== 'STATUS_UPDATE' || !jobId || jobProgress?.jobPercentComplete === undefined) return null;
  return { jobId, progress: transcodeProgress(jobProgress.jobPercentComplete / 100) };
}

export async function handler(event: MediaConvertStateChange): Promise<void> {
  const update = progressOf(event);
  if (update) await pipelineRuntime().jobs.reportProgress(update.jobId, update.progress);
}
