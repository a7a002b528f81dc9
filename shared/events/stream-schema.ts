import { uuid } from '../schema/common.ts';
import { lazySchema } from '../schema/lazy.ts';
import * as z from '../schema/zod.ts';

// The event stream's own inputs, apart from the webhook and job schemas, so its function loads neither.

/** `?projectId=` and `?jobId=` of GET /v1/events. */
export const eventStreamQuery = lazySchema(() =>
  z.strictObject({ projectId: z.optional(uuid), jobId: z.optional(uuid) }),
);

/** The `{jobId}` of GET /v1/jobs/{jobId}/events. */
export const streamJobParams = lazySchema(() => z.object({ jobId: uuid }));
