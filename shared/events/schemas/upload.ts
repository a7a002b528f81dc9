/** The S3 object-created events (see eventbridge.ts). */
import * as z from '../../schema/zod.ts';
import { eventBridge } from './eventbridge.ts';

const s3Object = z.looseObject({
  key: z.string().check(z.minLength(1)),
  size: z.int().check(z.nonnegative()),
});

/** S3 "Object Created" through EventBridge (deployed), with the object's size, which the quota needs. */
export const objectCreatedEvent = z.extend(eventBridge, {
  source: z.literal('aws.s3'),
  'detail-type': z.literal('Object Created'),
  detail: z.looseObject({
    version: z.string(),
    bucket: z.looseObject({ name: z.string() }),
    object: s3Object,
    'request-id': z.string(),
    requester: z.string(),
    'source-ip-address': z.optional(z.string()),
    reason: z.optional(z.string()),
  }),
});

/** A classic S3 bucket notification (what s3rver sends, and a bucket could be configured to send). */
export const s3NotificationEvent = z.looseObject({
  Records: z
    .array(
      z.looseObject({
        eventSource: z.literal('aws:s3'),
        eventName: z.string().check(z.startsWith('ObjectCreated:')),
        s3: z.looseObject({ bucket: z.looseObject({ name: z.string() }), object: s3Object }),
      }),
    )
    .check(z.minLength(1)),
});

export type UploadEvent = z.infer<typeof objectCreatedEvent> | z.infer<typeof s3NotificationEvent>;

/** The schema an upload event must match, by its kind (so a refusal names the field that failed). */
export const uploadEventSchema = (event: unknown) =>
  typeof event === 'object' && event !== null && 'Records' in event
    ? s3NotificationEvent
    : objectCreatedEvent;
