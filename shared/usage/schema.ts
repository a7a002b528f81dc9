import * as z from 'zod';

export const usageQuery = z
  .object({
    month: z
      .string()
      .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month as YYYY-MM')
      .refine((m) => m >= '2000-01', 'must be a month from 2000-01')
      // A month to come has no usage yet; its answer would show today's storage as if it were then.
      .refine((m) => m <= new Date().toISOString().slice(0, 7), 'must not be after the current month (UTC)')
      .optional()
      .describe('The month, 2000-01 up to the current one in UTC (default: the current month).'),
  })
  .strict();

const dollars = z.number().nonnegative();
export const usageResponse = z.object({
  month: z.string(),
  generatedSeconds: z.object({ byModel: z.record(z.string(), z.number()) }),
  transcodedMinutes: z.number(),
  jobs: z.object({ completed: z.number().int(), failed: z.number().int(), cancelled: z.number().int() }),
  storageBytes: z.number().int(),
  estimatedCostUsd: z.object({
    total: dollars,
    bedrock: dollars,
    mediaConvert: dollars,
    stepFunctions: dollars,
    lambda: dollars,
    s3Storage: dollars,
  }),
  priceTable: z.object({ asOf: z.string(), region: z.string(), sources: z.record(z.string(), z.string()) }),
});
