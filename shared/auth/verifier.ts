import { CognitoJwtVerifier, JwtRsaVerifier } from 'aws-jwt-verify';
import { JwksNotAvailableInCacheError, KidNotFoundInJwksError } from 'aws-jwt-verify/error';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { UnauthorizedError } from '../errors.ts';
import type { TokenVerifier } from './port.ts';

const INVALID = 'The access token is missing, malformed or expired; sign in again.';
const CACHE_SIZE = 5000;
/** How far a token's `iat` may lie ahead of this clock (clock skew between issuer and API). */
export const MAX_CLOCK_SKEW_SECONDS = 60;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Claims every access token must carry beside what aws-jwt-verify checks (signature, issuer, expiry when
 * present, token_use, client id): an expiry, an issue time not in the future, and a UUID subject, as
 * Cognito always issues them.
 */
export function checkAccessClaims(payload: JwtPayload, now: () => number = Date.now): void {
  if (typeof payload.exp !== 'number') throw new Error('token without exp');
  if (typeof payload.iat !== 'number') throw new Error('token without iat');
  if (payload.iat > now() / 1000 + MAX_CLOCK_SKEW_SECONDS) throw new Error('token issued in the future');
  if (typeof payload.sub !== 'string' || !UUID.test(payload.sub)) throw new Error('subject is not a UUID');
}

/**
 * Remembers tokens that verified until they expire, so a warm container does the RSA check once per
 * distinct token rather than once per request: the same bytes verify the same way until `exp`, which is
 * all a signature check can tell (revocation is not visible in a JWT either way). Only successes are
 * cached, keyed by the whole token; least recently used first out, so the cache stays bounded.
 */
export function withVerifiedCache(
  verify: (token: string) => Promise<JwtPayload> | JwtPayload,
  now: () => number = Date.now,
  size = CACHE_SIZE,
): TokenVerifier {
  const cache = new Map<string, { userId: string; until: number }>();
  return {
    async verify(token) {
      const hit = cache.get(token);
      if (hit) {
        cache.delete(token);
        if (hit.until > now()) {
          cache.set(token, hit);
          return { userId: hit.userId };
        }
      }
      let payload: JwtPayload;
      try {
        payload = await verify(token);
        if (!payload.sub || !UUID.test(payload.sub)) throw new Error('subject is not a UUID');
        if (typeof payload.exp !== 'number') throw new Error('token without exp');
      } catch {
        throw new UnauthorizedError(INVALID);
      }
      if (cache.size >= size) cache.delete(cache.keys().next().value as string);
      cache.set(token, { userId: payload.sub, until: payload.exp * 1000 });
      return { userId: payload.sub };
    },
  };
}

/** Access tokens of a Cognito user pool (JWKS fetched once per container and cached). */
export function cognitoVerifier(userPoolId: string, clientId: string): TokenVerifier {
  const verifier = CognitoJwtVerifier.create({
    userPoolId,
    clientId,
    tokenUse: 'access',
    customJwtCheck: ({ payload }) => checkAccessClaims(payload),
  });
  return withVerifiedCache((token) => verifyWithKeysInMemory(verifier, token));
}

/**
 * The synchronous check when the JWKS holds the token's key (it saves the async verify's promise chain);
 * the asynchronous one, which fetches the JWKS first, when the container has not got it yet or the key is
 * new (a rotation). Both make the same checks.
 */
function verifyWithKeysInMemory(
  verifier: { verifySync(token: string): JwtPayload; verify(token: string): Promise<JwtPayload> },
  token: string,
): JwtPayload | Promise<JwtPayload> {
  try {
    return verifier.verifySync(token);
  } catch (error) {
    if (error instanceof JwksNotAvailableInCacheError || error instanceof KidNotFoundInJwksError) {
      return verifier.verify(token);
    }
    throw error;
  }
}

/**
 * Access tokens of the local issuer, checked against its JWKS held in memory (no fetch), as the Cognito
 * verifier checks them on AWS: an access token (`token_use`) of this app client (`client_id`), and the
 * claims of `checkAccessClaims`.
 */
export function localVerifier(
  issuer: string,
  jwks: { keys: object[] },
  clientId: string,
  now: () => number = Date.now,
): TokenVerifier {
  const verifier = JwtRsaVerifier.create({
    issuer,
    audience: null,
    jwksUri: `${issuer}/.well-known/jwks.json`,
    customJwtCheck: ({ payload }) => {
      if (payload.token_use !== 'access') throw new Error('not an access token');
      if (payload.client_id !== clientId) throw new Error('issued to another client');
      checkAccessClaims(payload, now);
    },
  });
  verifier.cacheJwks(jwks as Parameters<typeof verifier.cacheJwks>[0]);
  return withVerifiedCache((token) => verifyWithKeysInMemory(verifier, token), now);
}

export function bearerToken(authorization: string | undefined): string {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match?.[1]) throw new UnauthorizedError(INVALID);
  return match[1];
}
