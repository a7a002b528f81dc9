/**
 * EventBridge "MediaConvert Job State Change": STATUS_UPDATE events carry the transcode's percent complete,
 * which moves the job's progress through its transcode band (72–97). Completion and errors are handled by
 * the state machine's .sync integration, so other statuses are ignored here.
 */

import {
  type MediaConvertStateChange,
  mediaConvertStateChange,
} from '#shared/events/schemas/mediaconvert.ts';
import { parseEvent } from '#shared/observability/parse-event.ts';
import { annotateTrace, tracedHandler } from '#shared/observability/tracing.ts';
import { transcodeProgress } from '#shared/pipeline/progress.ts';
import { pipelineRuntime } from '#shared/runtime/pipeline-aws.ts';

type ProgressEvent = {
  detail: Pick<MediaConvertStateChange['detail'], 'status' | 'userMetadata' | 'jobProgress'>;
};

/** The job and its new progress, or null for an event that says nothing about progress. */
export function progressOf(event: ProgressEvent): { jobId: string; progress: number } | null {
  const { status, userMetadata, jobProgress } = event.detail;
  const jobId = userMetadata?.jobId;
  if (status !== 'STATUS_UPDATE' || !jobId || jobProgress?.jobPercentComplete === undefined) return null;
  return { jobId, progress: transcodeProgress(jobProgress.jobPercentComplete / 100) };
}

export const handler = tracedHandler('mediaconvert-state-change', async (event: unknown) => {
  const runtime = pipelineRuntime();
  const parsed = parseEvent(mediaConvertStateChange, event, 'MediaConvert Job State Change', runtime.logger);
  const update = progressOf(parsed);
  if (!update) return;
  annotateTrace({ jobId: update.jobId });
  await runtime.jobs.reportProgress(update.jobId, update.progress);
});
