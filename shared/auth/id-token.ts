/**
 * The account and email an ID token names. Only for tokens the API got from the identity provider itself
 * (a sign-in it made), so the signature is not checked; undefined when the token does not name both.
 */
export function idTokenAccount(idToken: string): { userId: string; email: string } | undefined {
  try {
    const payload = JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      sub?: unknown;
      email?: unknown;
    };
    if (typeof payload.sub === 'string' && typeof payload.email === 'string') {
      return { userId: payload.sub, email: payload.email };
    }
  } catch {
    // not a JWT: nothing to follow
  }
  return undefined;
}
