/**
 * The events AWS sends the event handlers, as zod schemas of the documented events, narrowed to what the
 * handlers read. A handler parses its event before touching anything (shared/observability/parse-event.ts):
 * an event whose shape changed is logged and thrown, so Lambda's retries and on-failure queue keep it,
 * instead of being half-processed. Unknown extra fields are allowed: AWS adds fields without notice.
 */
import * as z from 'zod';
import { JOB_TYPES } from '../jobs/status.ts';

/**
 * The envelope of every EventBridge event. (Powertools Parser ships the same schemas, but they import zod
 * as one `z` object, which puts all of zod, some 440 KB, into each handler's bundle; a namespace import
 * keeps what is used.)
 */
const eventBridge = z.looseObject({
  version: z.string(),
  id: z.string(),
  source: z.string(),
  account: z.string(),
  time: z.iso.datetime(),
  region: z.string(),
  resources: z.array(z.string()),
  'detail-type': z.string(),
  detail: z.unknown(),
  'replay-name': z.string().optional(),
});

const s3Object = z.looseObject({ key: z.string().min(1), size: z.number().int().nonnegative() });

/** S3 "Object Created" through EventBridge (deployed), with the object's size, which the quota needs. */
export const objectCreatedEvent = eventBridge.extend({
  source: z.literal('aws.s3'),
  'detail-type': z.literal('Object Created'),
  detail: z.looseObject({
    version: z.string(),
    bucket: z.looseObject({ name: z.string() }),
    object: s3Object,
    'request-id': z.string(),
    requester: z.string(),
    'source-ip-address': z.string().optional(),
    reason: z.string().optional(),
  }),
});

/** A classic S3 bucket notification (what s3rver sends, and a bucket could be configured to send). */
export const s3NotificationEvent = z.looseObject({
  Records: z
    .array(
      z.looseObject({
        eventSource: z.literal('aws:s3'),
        eventName: z.string().startsWith('ObjectCreated:'),
        s3: z.looseObject({ bucket: z.looseObject({ name: z.string() }), object: s3Object }),
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
export const mediaConvertStateChange = eventBridge.extend({
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
export const executionStatusChange = eventBridge.extend({
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
export const postConfirmationEvent = z.looseObject({
  version: z.string(),
  triggerSource: z.literal('PostConfirmation_ConfirmSignUp'),
  region: z.string(),
  userPoolId: z.string(),
  userName: z.string().optional(),
  callerContext: z.looseObject({ awsSdkVersion: z.string(), clientId: z.string() }),
  request: z.looseObject({
    userAttributes: z.looseObject({
      sub: z.uuid(),
      email: z.string().optional(),
      preferred_username: z.string().optional(),
    }),
    clientMetadata: z.record(z.string(), z.string()).optional(),
  }),
  response: z.looseObject({}),
});
