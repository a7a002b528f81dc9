import * as z from 'zod';
import { isoDate, uuid } from '../schema/common.ts';
import { lazySchema } from '../schema/lazy.ts';

export const exportParams = lazySchema(() => z.object({ exportId: uuid }));

export const exportResponse = lazySchema(() =>
  z.object({
    id: uuid,
    status: z.enum(['PENDING', 'COMPLETED', 'FAILED', 'EXPIRED']),
    createdAt: isoDate,
    completedAt: isoDate.nullable(),
    expiresAt: isoDate.describe('When the zip and its link lapse'),
    sizeBytes: z.number().int().nullable(),
    errorMessage: z.string().nullable(),
    downloadUrl: z.string().optional().describe('A signed link to the zip, while it is COMPLETED'),
    downloadUrlExpiresAt: isoDate.optional(),
  }),
);

export const exportStarted = lazySchema(() => z.object({ exportId: uuid, status: z.literal('PENDING') }));

/** DELETE /v1/me: the current password, unless the access token was issued within the last minutes. */
export const deleteMeBody = lazySchema(() =>
  z.object({ password: z.string().min(1).max(256).optional() }).strict(),
);

export const erasureAccepted = lazySchema(() => z.object({ status: z.literal('ERASING'), userId: uuid }));
