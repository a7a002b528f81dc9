import { isoDate, uuid } from '../schema/common.ts';
import { lazySchema } from '../schema/lazy.ts';
import * as z from '../schema/zod.ts';

export const exportParams = lazySchema(() => z.object({ exportId: uuid }));

export const exportResponse = lazySchema(() =>
  z.object({
    id: uuid,
    status: z.enum(['PENDING', 'COMPLETED', 'FAILED', 'EXPIRED']),
    createdAt: isoDate,
    completedAt: z.nullable(isoDate),
    expiresAt: isoDate.check(z.describe('When the zip and its link lapse')),
    sizeBytes: z.nullable(z.number().check(z.int())),
    errorMessage: z.nullable(z.string()),
    downloadUrl: z.optional(z.string()).check(z.describe('A signed link to the zip, while it is COMPLETED')),
    downloadUrlExpiresAt: z.optional(isoDate),
  }),
);

export const exportStarted = lazySchema(() => z.object({ exportId: uuid, status: z.literal('PENDING') }));

/** DELETE /v1/me: the current password, unless the access token was issued within the last minutes. */
export const deleteMeBody = lazySchema(() =>
  z.strictObject({ password: z.optional(z.string().check(z.minLength(1), z.maxLength(256))) }),
);

export const erasureAccepted = lazySchema(() => z.object({ status: z.literal('ERASING'), userId: uuid }));
