import type { Caller, Profile } from '../auth/port.ts';
import { ConflictError, UnauthorizedError } from '../errors.ts';
import type { User, UserRepository } from './repository.ts';

/** The username of an account whose chosen one is unusable or taken: stable, from its id. */
export const fallbackUsername = (id: string) => `user_${id.replaceAll('-', '').slice(0, 20)}`;

/** [409] The account's email is held by another users row (an account deleted and signed up again). */
export class AccountRecordConflictError extends ConflictError {
  constructor() {
    super(
      'Your account has no record here yet and its email belongs to another record; contact support to merge them.',
    );
  }
}

/**
 * Creates the users row of an account (id = the identity provider's `sub`) unless it exists, idempotently:
 * the chosen username when free and valid, else one derived from the id. Used by the Cognito
 * post-confirmation trigger and by the first authenticated request of an account the trigger missed.
 */
export async function provisionUser(
  users: UserRepository,
  input: { id: string; email: string; username?: string | undefined },
): Promise<User> {
  // Only an account's first request reaches this: the user schemas are not built at every function's init.
  const { email: emailSchema, username: usernameSchema } = await import('./schema.ts');
  const email = emailSchema.safeParse(input.email);
  if (!email.success) throw new UnauthorizedError('The account has no usable email; sign up again.');
  const fallback = fallbackUsername(input.id);
  const chosen = usernameSchema.safeParse(input.username);
  const candidates = chosen.success && chosen.data !== fallback ? [chosen.data, fallback] : [fallback];
  for (const username of candidates) {
    const result = await users.insertIfAbsent({ id: input.id, email: email.data, username });
    if ('row' in result) return result.row;
    if (result.taken === 'email') throw new AccountRecordConflictError();
  }
  throw new ConflictError('No free username could be given to this account; contact support.');
}

const KNOWN_LIMIT = 10_000;

/**
 * Makes sure the caller of an authenticated request has a users row, creating it from the identity
 * provider's profile when it has none. A container remembers whom it has seen, so this costs one read per
 * user and container.
 */
export function createUserRowGuard(options: {
  users: UserRepository;
  profile: (accessToken: string) => Promise<Profile>;
}) {
  const known = new Set<string>();
  return {
    async ensure(caller: Caller, accessToken: string): Promise<void> {
      if (known.has(caller.userId)) return;
      if (!(await options.users.findById(caller.userId))) {
        const profile = await options.profile(accessToken);
        await provisionUser(options.users, { id: caller.userId, ...profile });
      }
      if (known.size >= KNOWN_LIMIT) known.clear();
      known.add(caller.userId);
    },
    /** An erased account is checked again on its next request (and then refused). */
    forget(userId: string): void {
      known.delete(userId);
    },
  };
}

export type UserRowGuard = ReturnType<typeof createUserRowGuard>;
