/**
 * The claims of a JWT the API already trusts, read without checking its signature again: a token the
 * verifier has accepted, or one the API got from the identity provider itself (a sign-in it made).
 * Undefined when it is not a JWT.
 */
export function trustedClaims(token: string): Record<string, unknown> | undefined {
  try {
    const payload: unknown = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return payload && typeof payload === 'object' ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The account and email an ID token from the identity provider names; undefined unless it names both. */
export function idTokenAccount(idToken: string): { userId: string; email: string } | undefined {
  const claims = trustedClaims(idToken);
  return typeof claims?.sub === 'string' && typeof claims.email === 'string'
    ? { userId: claims.sub, email: claims.email }
    : undefined;
}
