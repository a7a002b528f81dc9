/**
 * S3 "Object Created" under uploads/: each finished upload becomes a TRANSCODE job. On AWS the event comes
 * through EventBridge; s3rver (locally) and classic bucket notifications send S3Event records; both are read.
 * S3 may deliver an event more than once; the job's id is the upload's id, so a repeat finds its job. An
 * invocation that fails after Lambda's retries reaches upload-dead-letter.ts through the on-failure queue.
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import { wakingBefore } from '#shared/events/idle-marker.ts';
import { uploadEventSchema } from '#shared/events/schemas/upload.ts';
import { parseEvent } from '#shared/observability/parse-event.ts';
import { annotateTrace, tracedHandler } from '#shared/observability/tracing.ts';
import { pipelineRuntime } from '#shared/runtime/pipeline-aws.ts';
import { sdkConfig } from '#shared/sdk/sha256.ts';
import { createUploadIngest } from '#shared/uploads/ingest.ts';
import { createReservationRepository } from '#shared/uploads/reservations.ts';
import { stepFunctionsWorkflow } from '#shared/workflow/step-functions.ts';

const sfn = new SFNClient(sdkConfig());

export interface ObjectCreatedDetail {
  detail: { object: { key: string; size: number } };
}

/** A classic S3 notification, as far as the upload's key and size. */
export interface S3Notification {
  Records: { s3: { object: { key: string; size: number } } }[];
}

export function objectsOf(event: S3Notification | ObjectCreatedDetail): { key: string; size: number }[] {
  if ('Records' in event) {
    return event.Records.map((r) => ({
      key: decodeURIComponent(r.s3.object.key.replace(/\+/g, ' ')),
      size: r.s3.object.size,
    }));
  }
  // Upload keys hold only [A-Za-z0-9._/-] (safeFileName), which URL encoding leaves unchanged.
  return [{ key: event.detail.object.key, size: event.detail.object.size }];
}

/** The ingest of the deployed functions: Aurora, S3 and the state machine named by STATE_MACHINE_ARN. */
export function awsUploadIngest(stateMachineArn = process.env.STATE_MACHINE_ARN) {
  if (!stateMachineArn) throw new Error('Missing environment variable STATE_MACHINE_ARN');
  const runtime = pipelineRuntime();
  if (!runtime.idleMarker) throw new Error('Missing environment variable RATE_LIMIT_TABLE');
  return {
    runtime,
    ingest: createUploadIngest({
      users: runtime.users,
      // A new job (QUEUED, or FAILED for a refused file) may need the relay and the stuck-start sweep.
      jobs: wakingBefore(runtime.idleMarker, runtime.jobs, ['create', 'recordFailed']),
      reservations: createReservationRepository(runtime.db),
      store: runtime.store,
      workflow: stepFunctionsWorkflow(sfn, stateMachineArn),
    }),
  };
}

export const handler = tracedHandler('upload-trigger', async (event: unknown): Promise<void> => {
  const { runtime, ingest } = awsUploadIngest();
  const parsed = parseEvent(uploadEventSchema(event), event, 'S3 Object Created', runtime.logger);
  for (const { key, size } of objectsOf(parsed)) {
    const jobId = await ingest.ingest(key, size);
    annotateTrace({ jobId });
    runtime.logger.info('upload received', { key, jobId });
  }
});
