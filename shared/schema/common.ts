import { lazySchema } from './lazy.ts';
import * as z from './zod.ts';

export const uuid = lazySchema(() => z.uuid({ message: 'must be a UUID' }));
/** A date-time the API answers with: always in UTC (`Z`). */
export const isoDate = lazySchema(() => z.iso.datetime());
/**
 * A date-time the API is sent: RFC 3339, as OpenAPI's `format: date-time` promises, so `Z` or a numeric
 * offset (`+14:00`, `-05:30`), with seconds, and `t` and `z` in either case (the note under section 5.6).
 * It is read as the instant it names and handed on as isoDate writes it: in UTC, with `T` and `Z`.
 */
export const isoDateInput = lazySchema(() =>
  z.pipe(
    z.stringFormat('datetime', rfc3339DateTime()),
    z.transform((value: string) => new Date(value).toISOString()),
  ),
);

/**
 * zod's datetime pattern, whose `T` and `Z` are upper case only. Written out (with zod's calendar date),
 * not flagged `i`, because the OpenAPI document carries the pattern's source without its flags.
 */
function rfc3339DateTime(): RegExp {
  const date = z.regexes.date.source.slice(1, -1);
  const time = '(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d+)?';
  const offset = '[+-](?:[01]\\d|2[0-3]):[0-5]\\d';
  return new RegExp(`^${date}[Tt]${time}(?:[Zz]|${offset})$`);
}

/** A whole number from `min` to `max`; 2.5, 1e308 and the rest get the one message that says so. */
export const wholeNumber = (min: number, max: number) => {
  const message = `must be a whole number from ${min} to ${max}`;
  return z
    .number()
    .check(
      z.int({ error: message, abort: true }),
      z.gte(min, { error: message }),
      z.lte(max, { error: message }),
    );
};

const LIMIT_MESSAGE = 'must be a whole number from 1 to 100';

/** `?limit=` 1–100 (default 20), written in plain digits, and `?cursor=` for every list. */
export const pageQuery = lazySchema(() =>
  z.object({
    limit: z.pipe(
      z.transform((value: unknown) =>
        typeof value === 'string' && !/^\d{1,3}$/.test(value) ? Number.NaN : value,
      ),
      z
        ._default(
          z.coerce
            .number({ error: LIMIT_MESSAGE })
            .check(
              z.int({ error: LIMIT_MESSAGE, abort: true }),
              z.gte(1, { error: LIMIT_MESSAGE }),
              z.lte(100, { error: LIMIT_MESSAGE }),
            ),
          20,
        )
        .check(
          z.describe(
            'The most items a page holds. A page may hold fewer and still carry nextCursor: it stops early to keep each answer within the database API’s size limit.',
          ),
        ),
    ),
    cursor: z
      .optional(
        // The answer a cursor this API did not issue gets (InvalidCursorError), whatever its length.
        z
          .string()
          .check(z.minLength(1, { error: 'invalid cursor' }), z.maxLength(500, { error: 'invalid cursor' })),
      )
      .check(
        z.describe(
          'A `nextCursor` this same list gave you; one from another list or another user is refused (400).',
        ),
      ),
  }),
);

export const pageOf = <T extends z.ZodMiniType>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: z
      .nullable(z.string())
      .check(
        z.describe(
          'Null on the last page; otherwise send it back as `cursor` for the items after this page.',
        ),
      ),
  });

export const jsonObject = lazySchema(() => z.record(z.string(), z.unknown()));

/** The deepest nesting a free-form object may have (the request guard applies the same bound to bodies). */
export const MAX_OBJECT_DEPTH = 32;

/**
 * Bounded free-form settings/metadata/parameters: nested at most MAX_OBJECT_DEPTH deep (checked without
 * recursion first, so that JSON.stringify never meets a value deep enough to overflow the stack) and at
 * most 16 KiB of JSON.
 */
export const boundedJsonObject = lazySchema(() =>
  jsonObject.check(
    z.refine((v) => depthOf(v, MAX_OBJECT_DEPTH) <= MAX_OBJECT_DEPTH, {
      message: `must nest at most ${MAX_OBJECT_DEPTH} deep`,
      abort: true,
    }),
    z.refine((v) => JSON.stringify(v).length <= 16_384, {
      message: 'must be at most 16 KiB of JSON',
    }),
  ),
);

/** The nesting depth of arrays and objects in `value`, counted up to `cap + 1` with an explicit stack. */
export function depthOf(value: unknown, cap: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (!current || typeof current !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > cap) return deepest;
    for (const item of Object.values(current)) stack.push([item, depth + 1]);
  }
  return deepest;
}
