import { CognitoJwtVerifier, JwtRsaVerifier } from 'aws-jwt-verify';
import { UnauthorizedError } from '../errors.ts';
import type { Caller, TokenVerifier } from './port.ts';

const INVALID = 'The access token is missing, malformed or expired; sign in again.';

/** Access tokens of a Cognito user pool (JWKS fetched once per container and cached). */
export function cognitoVerifier(userPoolId: string, clientId: string): TokenVerifier {
  const verifier = CognitoJwtVerifier.create({ userPoolId, clientId, tokenUse: 'access' });
  return {
    async verify(token) {
      try {
        const payload = await verifier.verify(token);
        return { userId: payload.sub };
      } catch {
        throw new UnauthorizedError(INVALID);
      }
    },
  };
}

/** Access tokens of the local issuer, checked against its JWKS held in memory (no fetch). */
export function localVerifier(issuer: string, jwks: { keys: object[] }): TokenVerifier {
  const verifier = JwtRsaVerifier.create({
    issuer,
    audience: null,
    jwksUri: `${issuer}/.well-known/jwks.json`,
    customJwtCheck: ({ payload }) => {
      if (payload.token_use !== 'access') throw new Error('not an access token');
    },
  });
  verifier.cacheJwks(jwks as Parameters<typeof verifier.cacheJwks>[0]);
  return {
    async verify(token): Promise<Caller> {
      try {
        const payload = await verifier.verify(token);
        if (!payload.sub) throw new Error('no subject');
        return { userId: payload.sub };
      } catch {
        throw new UnauthorizedError(INVALID);
      }
    },
  };
}

export function bearerToken(authorization: string | undefined): string {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match?.[1]) throw new UnauthorizedError(INVALID);
  return match[1];
}
