import { ConflictError } from '../errors.ts';
import type { UserRepository } from './repository.ts';

/** The email an account signs in with now, by its id; undefined when the identity provider has no such account. */
export type CurrentEmail = (userId: string) => Promise<string | undefined>;

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * Frees `email` from the users row that holds it when that row's account no longer signs in with it (it
 * changed its address with the identity provider, or is gone from it): the row takes the account's current
 * address, or a released placeholder (see `releasedEmail`) — its data stays. Returns whether `email` may be
 * used now: false only while the other account still holds it.
 */
export async function releaseStaleEmail(
  users: UserRepository,
  currentEmail: CurrentEmail,
  email: string,
): Promise<boolean> {
  const holder = await users.findByEmail(email);
  if (!holder) return true;
  const current = await currentEmail(holder.id);
  if (current !== undefined && same(current, email)) return false;
  await users.releaseEmail(holder.id, email, current?.toLowerCase());
  return true;
}

/**
 * Brings the users row of a signed-in account to the email the identity provider gave the sign-in (Cognito
 * applies a changed address once its code is confirmed; the row would keep the old one). When another row
 * holds that address, its account has left it (the identity provider keeps emails unique), so it is freed.
 */
export async function followSignInEmail(
  users: UserRepository,
  currentEmail: CurrentEmail,
  account: { userId: string; email: string },
): Promise<void> {
  const email = account.email.toLowerCase();
  try {
    await users.followEmail(account.userId, email);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    if (await releaseStaleEmail(users, currentEmail, email)) await users.followEmail(account.userId, email);
  }
}
