import * as z from 'zod';
import { lazySchema } from '../schema/lazy.ts';

export const usageQuery = lazySchema(() =>
  z
    .object({
      month: z
        .string()
        // A malformed month is refused for its form alone: the range checks below would only add noise.
        .regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: 'must be a month as YYYY-MM', abort: true })
        .refine((m) => m >= '2000-01', 'must be a month from 2000-01')
        // A month to come has no usage yet; its answer would show today's storage as if it were then.
        .refine((m) => m <= new Date().toISOString().slice(0, 7), 'must not be after the current month (UTC)')
        .optional()
        .describe('The month, 2000-01 up to the current one in UTC (default: the current month).'),
    })
    .strict(),
);

const dollars = lazySchema(() => z.number().nonnegative());
export const usageResponse = lazySchema(() =>
  z.object({
    month: z.string(),
    generatedSeconds: z.object({ byModel: z.record(z.string(), z.number()) }),
    transcodedMinutes: z.number(),
    jobs: z.object({ completed: z.number().int(), failed: z.number().int(), cancelled: z.number().int() }),
    storageBytes: z
      .number()
      .int()
      .describe('Bytes stored at the end of the month; for the current month, bytes stored now.'),
    storageByteHours: z
      .number()
      .nonnegative()
      .describe(
        'Bytes stored times hours held within the month (up to now for the current month), the measure S3 bills storage by.',
      ),
    storageGbMonths: z
      .number()
      .nonnegative()
      .describe(
        'storageByteHours over 2^30 bytes and the hours of the whole month; the S3 storage estimate is this times the per-GB-month price.',
      ),
    estimatedCostUsd: z.object({
      total: dollars,
      bedrock: dollars,
      mediaConvert: dollars,
      stepFunctions: dollars,
      lambda: dollars,
      s3Storage: dollars,
    }),
    priceTable: z.object({ asOf: z.string(), region: z.string(), sources: z.record(z.string(), z.string()) }),
  }),
);
