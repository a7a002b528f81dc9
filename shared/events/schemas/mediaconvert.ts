import * as z from '../../schema/zod.ts';
import { eventBridge } from './eventbridge.ts';

/** EventBridge "MediaConvert Job State Change" (the rule sends only STATUS_UPDATE events with a jobId). */
export const mediaConvertStateChange = z.extend(eventBridge, {
  source: z.literal('aws.mediaconvert'),
  'detail-type': z.literal('MediaConvert Job State Change'),
  detail: z.looseObject({
    status: z.string(),
    jobId: z.string(),
    userMetadata: z.optional(z.record(z.string(), z.string())),
    jobProgress: z.optional(
      z.looseObject({ jobPercentComplete: z.optional(z.number().check(z.minimum(0), z.maximum(100))) }),
    ),
  }),
});
export type MediaConvertStateChange = z.infer<typeof mediaConvertStateChange>;
