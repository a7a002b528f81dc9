import * as z from 'zod';

export const uuid = z.uuid({ message: 'must be a UUID' });
export const isoDate = z.iso.datetime();

/** `?limit=` 1–100 (default 20) and `?cursor=` for every list. */
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(500).optional(),
});

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const jsonObject = z.record(z.string(), z.unknown());

/** Bounded free-form settings/metadata/parameters: at most 16 KiB of JSON. */
export const boundedJsonObject = jsonObject.refine((v) => JSON.stringify(v).length <= 16_384, {
  message: 'must be at most 16 KiB of JSON',
});
