import { isoDate, isoDateInput, pageQuery, uuid } from '../schema/common.ts';
import { lazySchema } from '../schema/lazy.ts';
import { readableText } from '../schema/text.ts';
import * as z from '../schema/zod.ts';

export const API_KEY_SCOPES = ['read', 'write'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const createApiKeyBody = lazySchema(() =>
  z.strictObject({
    name: z
      .string()
      .check(
        z.trim(),
        z.minLength(1, 'must not be empty'),
        z.maxLength(100, 'must be at most 100 characters'),
        z.superRefine(readableText('name')),
      ),
    scopes: z.array(z.enum(API_KEY_SCOPES)).check(
      z.minLength(1),
      z.maxLength(2),
      z.refine((s) => new Set(s).size === s.length, 'must not repeat a scope'),
      z.refine((s) => s.includes('read'), 'must include "read" ("write" comes with it)'),
    ),
    expiresAt: z.optional(
      isoDateInput.check(
        z.refine((v) => Date.parse(v) > Date.now(), 'must be in the future'),
        z.refine((v) => Date.parse(v) <= Date.now() + 366 * 86_400_000, 'must be within a year'),
      ),
    ),
  }),
);

export const apiKeyParams = lazySchema(() => z.object({ keyId: uuid }));
export const listApiKeysQuery = lazySchema(() => z.strictObject(pageQuery.shape));

export const apiKeyResponse = lazySchema(() =>
  z.object({
    id: uuid,
    name: z.string(),
    prefix: z.string(),
    scopes: z.array(z.enum(API_KEY_SCOPES)),
    expiresAt: z.nullable(isoDate),
    lastUsedAt: z.nullable(isoDate),
    createdAt: isoDate,
  }),
);

export const createdApiKeyResponse = lazySchema(() =>
  z.extend(apiKeyResponse, {
    key: z.string().check(z.describe('The key itself; shown only in this response')),
  }),
);

export type CreateApiKeyBody = z.infer<typeof createApiKeyBody>;
