import * as z from 'zod';
import { readableText } from '../schema/text.ts';

let built: { email: z.ZodType<string, string>; username: z.ZodType<string, string> } | undefined;

/**
 * The email and username rules, built by the first call: provisioning a users row needs them on an
 * account's first request only, so a function does not build them at init (users/schema.ts builds them
 * with the rest of its schemas).
 */
export function userFields() {
  built ??= {
    email: z
      .string()
      .trim()
      .toLowerCase()
      .max(254)
      .pipe(z.email({ message: 'must be a valid email address' })),
    username: z
      .string()
      .min(3, 'must be at least 3 characters')
      .max(30, 'must be at most 30 characters')
      .regex(/^[A-Za-z0-9_]+$/, 'may contain only letters, digits and underscores')
      .superRefine(readableText('username')),
  };
  return built;
}
