/**
 * The events AWS sends the event handlers, as Powertools Parser schemas (zod) narrowed to what the handlers
 * read. A handler parses its event before touching anything (shared/observability/parse-event.ts): an event
 * whose shape changed is logged and thrown, so Lambda's retries and on-failure queue keep it, instead of
 * being half-processed. Unknown extra fields are allowed: AWS adds fields to events without notice.
 */
import { PostConfirmationTriggerSchema } from '@aws-lambda-powertools/parser/schemas/cognito';
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import { S3EventNotificationEventBridgeSchema, S3Schema } from '@aws-lambda-powertools/parser/schemas/s3';
import { z } from 'zod';
import { JOB_TYPES } from '../jobs/status.ts';

const bridgeDetail = S3EventNotificationEventBridgeSchema.shape.detail;

/** S3 "Object Created" through EventBridge (deployed), with the object's size, which the quota needs. */
export const objectCreatedEvent = S3EventNotificationEventBridgeSchema.extend({
  source: z.literal('aws.s3'),
  'detail-type': z.literal('Object Created'),
  detail: bridgeDetail.extend({
    object: bridgeDetail.shape.object.extend({ size: z.number().int().nonnegative() }),
    // Powertools accepts only IPv4 here; a browser uploading over IPv6 is just as valid.
    'source-ip-address': z.string().optional(),
  }),
});

const s3Record = S3Schema.shape.Records.element;

/** A classic S3 bucket notification (what s3rver sends, and a bucket could be configured to send). */
export const s3NotificationEvent = S3Schema.extend({
  Records: z
    .array(
      s3Record.extend({
        s3: s3Record.shape.s3.extend({
          object: s3Record.shape.s3.shape.object.extend({ size: z.number().int().nonnegative() }),
        }),
      }),
    )
    .min(1),
});

export type UploadEvent = z.infer<typeof objectCreatedEvent> | z.infer<typeof s3NotificationEvent>;

/** The schema an upload event must match, by its kind (so a refusal names the field that failed). */
export const uploadEventSchema = (event: unknown) =>
  typeof event === 'object' && event !== null && 'Records' in event
    ? s3NotificationEvent
    : objectCreatedEvent;

/** EventBridge "MediaConvert Job State Change" (the rule sends only STATUS_UPDATE events with a jobId). */
export const mediaConvertStateChange = EventBridgeSchema.extend({
  source: z.literal('aws.mediaconvert'),
  'detail-type': z.literal('MediaConvert Job State Change'),
  detail: z.looseObject({
    status: z.string(),
    jobId: z.string(),
    userMetadata: z.record(z.string(), z.string()).optional(),
    jobProgress: z.looseObject({ jobPercentComplete: z.number().min(0).max(100).optional() }).optional(),
  }),
});
export type MediaConvertStateChange = z.infer<typeof mediaConvertStateChange>;

/** What every generation-job execution is started with (shared/workflow/port.ts). */
export const jobExecutionInput = z.looseObject({
  jobId: z.uuid(),
  userId: z.uuid(),
  projectId: z.uuid(),
  jobType: z.enum(JOB_TYPES),
  correlationId: z.string().optional(),
});

const executionInputText = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not JSON' });
      return z.NEVER;
    }
  })
  .pipe(jobExecutionInput);

/**
 * EventBridge "Step Functions Execution Status Change". The input is null when input and output together
 * exceeded EventBridge's event size (never for this state machine's small inputs).
 */
export const executionStatusChange = EventBridgeSchema.extend({
  source: z.literal('aws.states'),
  'detail-type': z.literal('Step Functions Execution Status Change'),
  detail: z.looseObject({
    executionArn: z.string(),
    stateMachineArn: z.string(),
    name: z.string(),
    status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE']),
    input: executionInputText.nullish(),
    error: z.string().nullish(),
    cause: z.string().nullish(),
  }),
});
export type ExecutionStatusChange = z.infer<typeof executionStatusChange>;

/** Cognito's PostConfirmation trigger for a confirmed sign-up, with the attributes the users row needs. */
export const postConfirmationEvent = PostConfirmationTriggerSchema.extend({
  request: PostConfirmationTriggerSchema.shape.request.extend({
    userAttributes: z.looseObject({
      sub: z.uuid(),
      email: z.string().optional(),
      preferred_username: z.string().optional(),
    }),
  }),
});
