import * as z from 'zod';
import { isoDate, isoDateInput, pageQuery, uuid } from '../schema/common.ts';
import { lazySchema } from '../schema/lazy.ts';
import { readableText } from '../schema/text.ts';

export const API_KEY_SCOPES = ['read', 'write'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const createApiKeyBody = lazySchema(() =>
  z
    .object({
      name: z
        .string()
        .trim()
        .min(1, 'must not be empty')
        .max(100, 'must be at most 100 characters')
        .superRefine(readableText('name')),
      scopes: z
        .array(z.enum(API_KEY_SCOPES))
        .min(1)
        .max(2)
        .refine((s) => new Set(s).size === s.length, 'must not repeat a scope')
        .refine((s) => s.includes('read'), 'must include "read" ("write" comes with it)'),
      expiresAt: isoDateInput
        .refine((v) => Date.parse(v) > Date.now(), 'must be in the future')
        .refine((v) => Date.parse(v) <= Date.now() + 366 * 86_400_000, 'must be within a year')
        .optional(),
    })
    .strict(),
);

export const apiKeyParams = lazySchema(() => z.object({ keyId: uuid }));
export const listApiKeysQuery = lazySchema(() => pageQuery.strict());

export const apiKeyResponse = lazySchema(() =>
  z.object({
    id: uuid,
    name: z.string(),
    prefix: z.string(),
    scopes: z.array(z.enum(API_KEY_SCOPES)),
    expiresAt: isoDate.nullable(),
    lastUsedAt: isoDate.nullable(),
    createdAt: isoDate,
  }),
);

export const createdApiKeyResponse = lazySchema(() =>
  apiKeyResponse.extend({
    key: z.string().describe('The key itself; shown only in this response'),
  }),
);

export type CreateApiKeyBody = z.infer<typeof createApiKeyBody>;
