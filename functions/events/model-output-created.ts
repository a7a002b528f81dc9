/**
 * EventBridge "Object Created" from the media bucket, or from a model Region's output bucket (forwarded to
 * this Region's default bus): a video model's output landed, so the job waiting for it resumes
 * (shared/pipeline/tasks.ts, generationOutputCreated). Other objects, and jobs no longer waiting, are
 * ignored; a failure is thrown, so Lambda retries the event and the safety-net poll remains behind it.
 */
import { pipelineRuntime } from '#shared/runtime/pipeline-aws.ts';

export interface ObjectCreatedEvent {
  'detail-type': string;
  detail: { bucket: { name: string }; object: { key: string } };
}

export async function handler(event: ObjectCreatedEvent): Promise<void> {
  const { tasks, logger } = pipelineRuntime();
  const { bucket, object } = event.detail;
  const resumed = await tasks.generationOutputCreated(bucket.name, object.key);
  logger.info('model output event', { resumed });
}
