import * as z from 'zod';
import { isoDate, uuid } from '../schema/common.ts';
import { lazySchema } from '../schema/lazy.ts';
import { userFields } from './fields.ts';
import { SUBSCRIPTION_TIERS } from './tiers.ts';

export const email = lazySchema(() => userFields().email);
export const username = lazySchema(() => userFields().username);

export const password = lazySchema(() =>
  z
    .string()
    .min(8, 'must be at least 8 characters')
    .max(256, 'must be at most 256 characters')
    .regex(/[a-z]/, 'must contain a lower-case letter')
    .regex(/[A-Z]/, 'must contain an upper-case letter')
    .regex(/[0-9]/, 'must contain a digit')
    // Cognito's SignUp takes only passwords that begin and end with a non-space and hold no line break (its
    // pattern ^[\S]+.*[\S]+$); any other fails there with InvalidParameterException, not the policy's error.
    .regex(/^\S(?:.*\S)?$/, 'must not begin or end with a space, nor hold a line break'),
);

export const subscriptionTier = lazySchema(() => z.enum(SUBSCRIPTION_TIERS));

export const signUpBody = lazySchema(() => z.object({ email, username, password }));
export const confirmBody = lazySchema(() => z.object({ email, code: z.string().trim().min(1).max(64) }));
export const loginBody = lazySchema(() => z.object({ email, password: z.string().min(1).max(256) }));
export const refreshBody = lazySchema(() => z.object({ refreshToken: z.string().min(1).max(8192) }));
export const updateMeBody = lazySchema(() => z.object({ username }).strict());

export const tokens = lazySchema(() =>
  z.object({
    accessToken: z.string(),
    idToken: z.string(),
    refreshToken: z.string().optional(),
    expiresIn: z.number().int(),
    tokenType: z.literal('Bearer'),
  }),
);

export const userResponse = lazySchema(() =>
  z.object({
    id: uuid,
    email: z.string(),
    username: z.string(),
    subscriptionTier,
    storageUsed: z.number().int(),
    storageLimit: z.number().int(),
    createdAt: isoDate,
    updatedAt: isoDate,
  }),
);

export type SignUpBody = z.infer<typeof signUpBody>;
export type UserResponse = z.infer<typeof userResponse>;
