import type { LoginLimiter } from '../auth/login-limiter.ts';
import type { IdentityProvider, SignInContext } from '../auth/port.ts';
import { trustedClaims } from '../auth/token-claims.ts';
import { ForbiddenError, UnauthorizedError } from '../errors.ts';

/** How recent a sign-in must be for its access token alone to delete the account. */
export const FRESH_TOKEN_SECONDS = 300;

/**
 * When the sign-in behind an access token the verifier has already accepted happened (its signature is not
 * checked again): Cognito's `auth_time`, which tokens got by refreshing keep, unlike their `iat`.
 */
export function signedInAt(accessToken: string): number | undefined {
  const authTime = trustedClaims(accessToken)?.auth_time;
  return typeof authTime === 'number' ? authTime : undefined;
}

/**
 * Confirms that whoever holds the token is the account's owner now: the current password (a sign-in
 * attempt within the login limiter's budgets), or a token from a sign-in within FRESH_TOKEN_SECONDS (a refresh
 * token alone, which may be months old, cannot make one).
 */
export async function confirmOwner(
  deps: { identity: IdentityProvider; loginLimiter: LoginLimiter },
  input: { email: string; accessToken: string; password?: string | undefined; signIn: SignInContext },
  now: () => number = Date.now,
): Promise<void> {
  if (input.password !== undefined) {
    const password = input.password;
    await deps.loginLimiter
      .login(input.email, input.signIn.ipAddress, () =>
        deps.identity.login(input.email, password, input.signIn),
      )
      .catch((error: unknown) => {
        if (error instanceof UnauthorizedError) throw new ForbiddenError('The password is not correct.');
        throw error;
      });
    return;
  }
  const at = signedInAt(input.accessToken);
  if (at !== undefined && now() / 1000 - at <= FRESH_TOKEN_SECONDS) return;
  throw new ForbiddenError(
    `Send your current password as "password", or sign in again and delete within ${FRESH_TOKEN_SECONDS / 60} minutes.`,
  );
}
