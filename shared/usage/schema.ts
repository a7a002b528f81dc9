import { lazySchema } from '../schema/lazy.ts';
import * as z from '../schema/zod.ts';

export const usageQuery = lazySchema(() =>
  z.strictObject({
    month: z
      .optional(
        z.string().check(
          // A malformed month is refused for its form alone: the range checks below would only add noise.
          z.regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: 'must be a month as YYYY-MM', abort: true }),
          z.refine((m) => m >= '2000-01', 'must be a month from 2000-01'),
          // A month to come has no usage yet; its answer would show today's storage as if it were then.
          z.refine(
            (m) => m <= new Date().toISOString().slice(0, 7),
            'must not be after the current month (UTC)',
          ),
        ),
      )
      .check(z.describe('The month, 2000-01 up to the current one in UTC (default: the current month).')),
  }),
);

const dollars = lazySchema(() => z.number().check(z.nonnegative()));
export const usageResponse = lazySchema(() =>
  z.object({
    month: z.string(),
    generatedSeconds: z.object({ byModel: z.record(z.string(), z.number()) }),
    transcodedMinutes: z.number(),
    jobs: z.object({
      completed: z.number().check(z.int()),
      failed: z.number().check(z.int()),
      cancelled: z.number().check(z.int()),
    }),
    storageBytes: z
      .number()
      .check(
        z.int(),
        z.describe('Bytes stored at the end of the month; for the current month, bytes stored now.'),
      ),
    storageByteHours: z
      .number()
      .check(
        z.nonnegative(),
        z.describe(
          'Bytes stored times hours held within the month (up to now for the current month), the measure S3 bills storage by.',
        ),
      ),
    storageGbMonths: z
      .number()
      .check(
        z.nonnegative(),
        z.describe(
          'storageByteHours over 2^30 bytes and the hours of the whole month; the S3 storage estimate is this times the per-GB-month price.',
        ),
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
