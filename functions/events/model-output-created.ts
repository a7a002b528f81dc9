/**
 * EventBridge "Object Created" from the media bucket, or from a model Region's output bucket (forwarded to
 * this Region's default bus): a video model's output landed, so the job waiting for it resumes
 * (shared/pipeline/tasks.ts, generationOutputCreated). Other objects, and jobs no longer waiting, are
 * ignored; a failure is thrown, so Lambda retries the event and the safety-net poll remains behind it.
 */
import { objectCreatedEvent } from '#shared/events/schemas/upload.ts';
import { parseEvent } from '#shared/observability/parse-event.ts';
import { beginInvocation } from '#shared/observability/tracing.ts';
import { pipelineRuntime } from '#shared/runtime/pipeline-aws.ts';

export async function handler(event: unknown): Promise<void> {
  await beginInvocation();
  const { tasks, logger } = pipelineRuntime();
  const { bucket, object } = parseEvent(objectCreatedEvent, event, 'S3 Object Created', logger).detail;
  const resumed = await tasks.generationOutputCreated(bucket.name, object.key);
  logger.info('model output event', { resumed });
}
