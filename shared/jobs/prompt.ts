import { lazySchema } from '../schema/lazy.ts';
import { proseText } from '../schema/text.ts';
import * as z from '../schema/zod.ts';

/**
 * A job's prompt, also a template's. Its own module: the templates function needs it without the job
 * schema, which builds every job type's parameters (and the clip schema they use) when it loads.
 */
export const prompt = lazySchema(() =>
  z
    .string()
    .check(
      z.trim(),
      z.minLength(1, 'must not be empty'),
      z.maxLength(2000, 'must be at most 2000 characters'),
      z.superRefine(proseText('prompt')),
    ),
);
