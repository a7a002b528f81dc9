import type { LoginLimiter } from '../auth/login-limiter.ts';
import type { IdentityProvider, SignInContext } from '../auth/port.ts';
import { ForbiddenError, UnauthorizedError } from '../errors.ts';

/** How recent a sign-in must be for its access token alone to delete the account. */
export const FRESH_TOKEN_SECONDS = 300;

/** The `iat` of an access token the verifier has already accepted (its signature is not checked again). */
export function issuedAt(accessToken: string): number | undefined {
  try {
    const payload = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return typeof payload.iat === 'number' ? payload.iat : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Confirms that whoever holds the token is the account's owner now: the current password (a sign-in
 * attempt within the login limiter's budgets), or a token issued within FRESH_TOKEN_SECONDS.
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
  const iat = issuedAt(input.accessToken);
  if (iat !== undefined && now() / 1000 - iat <= FRESH_TOKEN_SECONDS) return;
  throw new ForbiddenError(
    `Send your current password as "password", or sign in again and delete within ${FRESH_TOKEN_SECONDS / 60} minutes.`,
  );
}
