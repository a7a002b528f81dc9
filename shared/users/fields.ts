import { readableText } from '../schema/text.ts';
import * as z from '../schema/zod.ts';

let built: { email: z.ZodMiniType<string, string>; username: z.ZodMiniType<string, string> } | undefined;

/**
 * The email and username rules, built by the first call: provisioning a users row needs them on an
 * account's first request only, so a function does not build them at init (nor does users/schema.ts,
 * whose schemas are built on first use too).
 */
export function userFields() {
  built ??= {
    email: z.pipe(
      z.string().check(z.trim(), z.toLowerCase(), z.maxLength(254, 'must be at most 254 characters')),
      z.email({ message: 'must be a valid email address' }),
    ),
    username: z.string().check(
      z.minLength(3, 'must be at least 3 characters'),
      z.maxLength(30, 'must be at most 30 characters'),
      // `*`: an empty value gets the length check's message alone.
      z.regex(/^[A-Za-z0-9_]*$/, 'may contain only letters, digits and underscores'),
      z.superRefine(readableText('username')),
    ),
  };
  return built;
}
