import type { Caller, Profile } from '../auth/port.ts';
import { FOREIGN_KEY_VIOLATION, sqlErrorInfo } from '../db/errors.ts';
import { ConflictError, UnauthorizedError } from '../errors.ts';
import { type CurrentEmail, releaseStaleEmail } from './email-holder.ts';
import { userFields } from './fields.ts';
import { MissingUserRowError, type User, type UserRepository } from './repository.ts';

/** The username of an account whose chosen one is unusable or taken: stable, from its id. */
export const fallbackUsername = (id: string) => `user_${id.replaceAll('-', '').slice(0, 20)}`;

/** [409] The account's email is held by another users row whose account still signs in with it. */
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
 * post-confirmation trigger and by the first authenticated request of an account the trigger missed. When
 * another row holds the email, the identity provider is asked whether its account still does: one that
 * moved to another address (or is gone) gives it up (releaseStaleEmail), otherwise it is a conflict.
 */
export async function provisionUser(
  users: UserRepository,
  currentEmail: CurrentEmail,
  input: { id: string; email: string; username?: string | undefined },
): Promise<User> {
  const { email: emailSchema, username: usernameSchema } = userFields();
  const email = emailSchema.safeParse(input.email);
  if (!email.success) throw new UnauthorizedError('The account has no usable email; sign up again.');
  const fallback = fallbackUsername(input.id);
  const chosen = usernameSchema.safeParse(input.username);
  const candidates = chosen.success && chosen.data !== fallback ? [chosen.data, fallback] : [fallback];
  let released = false;
  for (let i = 0; i < candidates.length; ) {
    const result = await users.insertIfAbsent({ id: input.id, email: email.data, username: candidates[i]! });
    if ('row' in result) return result.row;
    if (result.taken === 'username') {
      i += 1;
      continue;
    }
    // Once only: a second refusal means the address was taken again meanwhile.
    if (released || !(await releaseStaleEmail(users, currentEmail, email.data))) {
      throw new AccountRecordConflictError();
    }
    released = true;
  }
  throw new ConflictError('No free username could be given to this account; contact support.');
}

const ERASED_LIMIT = 10_000;
const ERASED = 'This account has been deleted.';
/** The foreign keys that name users(id): drizzle names them `<table>_<column>_users_id_fk`. */
const USERS_FOREIGN_KEY = /_users_id_fk$/;

/**
 * Whether a route failed because its caller has no users row: a statement's foreign key to users refused it
 * (node-postgres and PGlite give the constraint, the Data API names it in the message), or a read of the row
 * found none.
 */
export function isMissingUserRow(error: unknown): boolean {
  if (error instanceof MissingUserRowError) return true;
  const { sqlState, constraint } = sqlErrorInfo(error);
  return sqlState === FOREIGN_KEY_VIOLATION && constraint !== undefined && USERS_FOREIGN_KEY.test(constraint);
}

/**
 * The users row of an authenticated caller, kept off the request path. A read needs no row (without one the
 * caller owns nothing: 404 or an empty page), so nothing is checked before a route runs. A route that needs
 * the row finds it missing in the statement it runs anyway: a foreign key to users refuses its INSERT, or
 * its read of the row throws MissingUserRowError. Only then is the row created from the identity
 * provider's profile (the sign-up trigger missed the account) and the route run once more. The identity
 * provider refuses the profile of an erased account (401), so an erased account creates nothing.
 */
export function createUserRowGuard(options: {
  users: UserRepository;
  profile: (accessToken: string) => Promise<Profile>;
  currentEmail: CurrentEmail;
}) {
  const erased = new Set<string>();
  return {
    /** 401 for an account this container erased: its access tokens stay valid until they expire. */
    refuseErased(userId: string): void {
      if (erased.size > 0 && erased.has(userId)) throw new UnauthorizedError(ERASED);
    },

    /**
     * Runs `work`; when it found no users row for the caller, creates the row from the profile of the
     * access token and runs `work` once more.
     */
    async withRow<T>(caller: Caller, accessToken: string, work: () => Promise<T>): Promise<T> {
      try {
        return await work();
      } catch (error) {
        if (!isMissingUserRow(error)) throw error;
      }
      const profile = await options.profile(accessToken);
      await provisionUser(options.users, options.currentEmail, { id: caller.userId, ...profile });
      return work();
    },

    /** After the account's erasure was started here: its tokens are refused from now on. */
    erase(userId: string): void {
      if (erased.size >= ERASED_LIMIT) erased.delete(erased.values().next().value as string);
      erased.add(userId);
    },
  };
}

export type UserRowGuard = ReturnType<typeof createUserRowGuard>;
