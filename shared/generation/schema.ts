/** The response of GET /v1/models, as zod (for the OpenAPI document and the contract tests). */
import { lazySchema } from '../schema/lazy.ts';
import * as z from '../schema/zod.ts';
import { ASPECT_RATIOS, VIDEO_MODELS } from './models.ts';

const range = lazySchema(() => z.object({ min: z.number(), max: z.number() }));

export const modelResponse = lazySchema(() =>
  z.object({
    id: z.enum(VIDEO_MODELS),
    name: z.string(),
    provider: z.string(),
    modelId: z.nullable(z.string()).check(z.describe('The Bedrock model id; null for the local stand-in')),
    region: z.nullable(z.string()).check(z.describe('The AWS Region the model runs in')),
    lifecycle: z.enum(['ACTIVE', 'LEGACY', 'EOL']),
    legacyDate: z.optional(z.iso.date()),
    eolDate: z.optional(z.iso.date()),
    available: z.boolean().check(z.describe('Enabled in this deployment and not past its end of life')),
    capabilities: z.object({
      durations: z
        .union([z.array(z.number()), range])
        .check(z.describe('Seconds: the allowed values, or a range')),
      resolutions: z.union([z.array(z.string()), z.literal('any')]),
      aspectRatios: z.array(z.enum(ASPECT_RATIOS)),
      fps: z.union([z.array(z.number()), range]),
      imageInput: z.boolean(),
      multiShot: z.boolean(),
      loop: z.boolean(),
    }),
    defaults: z.object({
      durationSeconds: z.number(),
      resolution: z.string(),
      fps: z.number(),
      aspectRatio: z.enum(ASPECT_RATIOS),
    }),
    pricePerSecondUsd: z
      .nullable(z.record(z.string(), z.number()))
      .check(z.describe('List price by resolution')),
  }),
);

export const modelsResponse = lazySchema(() => z.object({ items: z.array(modelResponse) }));
