import { isoDate, uuid } from '../schema/common.ts';
import { lazySchema } from '../schema/lazy.ts';
import * as z from '../schema/zod.ts';
import { userFields } from './fields.ts';
import { SUBSCRIPTION_TIERS } from './tiers.ts';

export const email = lazySchema(() => userFields().email);
export const username = lazySchema(() => userFields().username);

export const password = lazySchema(() =>
  z.string().check(
    z.minLength(8, 'must be at least 8 characters'),
    z.maxLength(256, 'must be at most 256 characters'),
    z.regex(/[a-z]/, 'must contain a lower-case letter'),
    z.regex(/[A-Z]/, 'must contain an upper-case letter'),
    z.regex(/[0-9]/, 'must contain a digit'),
    // Cognito's SignUp takes only passwords that begin and end with a non-space and hold no line break (its
    // pattern ^[\S]+.*[\S]+$); any other fails there with InvalidParameterException, not the policy's error.
    z.regex(/^\S(?:.*\S)?$/, 'must not begin or end with a space, nor hold a line break'),
  ),
);

export const subscriptionTier = lazySchema(() => z.enum(SUBSCRIPTION_TIERS));

export const signUpBody = lazySchema(() => z.object({ email, username, password }));
export const confirmBody = lazySchema(() =>
  z.object({ email, code: z.string().check(z.trim(), z.minLength(1), z.maxLength(64)) }),
);
export const loginBody = lazySchema(() =>
  z.object({ email, password: z.string().check(z.minLength(1), z.maxLength(256)) }),
);
export const refreshBody = lazySchema(() =>
  z.object({ refreshToken: z.string().check(z.minLength(1), z.maxLength(8192)) }),
);
export const updateMeBody = lazySchema(() => z.strictObject({ username }));

export const tokens = lazySchema(() =>
  z.object({
    accessToken: z.string(),
    idToken: z.string(),
    refreshToken: z.optional(z.string()),
    expiresIn: z.number().check(z.int()),
    tokenType: z.literal('Bearer'),
  }),
);

export const userResponse = lazySchema(() =>
  z.object({
    id: uuid,
    email: z.string(),
    username: z.string(),
    subscriptionTier,
    storageUsed: z.number().check(z.int()),
    storageLimit: z.number().check(z.int()),
    createdAt: isoDate,
    updatedAt: isoDate,
  }),
);

export type SignUpBody = z.infer<typeof signUpBody>;
export type UserResponse = z.infer<typeof userResponse>;
