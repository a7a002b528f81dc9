import * as z from 'zod';
import { eventBridge } from './eventbridge.ts';

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
