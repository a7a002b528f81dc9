import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  jwksOf,
  LOCAL_CLIENT_ID,
  loadOrCreateSigningKey,
  type SigningKey,
} from '#shared/auth/local-issuer.ts';
import type { TokenVerifier } from '#shared/auth/port.ts';
import { localVerifier } from '#shared/auth/verifier.ts';

const ISSUER = 'http://127.0.0.1:9999';
let key: SigningKey;
let verifier: TokenVerifier;
const now = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  key = await loadOrCreateSigningKey();
  verifier = localVerifier(ISSUER, await jwksOf(key), LOCAL_CLIENT_ID);
});

/** An access token as the local issuer makes it, with `changes` applied (undefined removes a claim). */
async function token(changes: Record<string, unknown> = {}, header: { iat?: number; exp?: number } = {}) {
  const claims: Record<string, unknown> = {
    sub: randomUUID(),
    token_use: 'access',
    client_id: LOCAL_CLIENT_ID,
    username: 'ann',
    iss: ISSUER,
    iat: header.iat ?? now(),
    exp: header.exp ?? now() + 3600,
    ...changes,
  };
  for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
    .sign(key.privateKey);
}

describe('local access-token verification, as aws-jwt-verify with Cognito on AWS', () => {
  it('accepts a well-formed access token of this client', async () => {
    const sub = randomUUID();
    await expect(verifier.verify(await token({ sub }))).resolves.toEqual({ userId: sub });
    // A small clock skew between issuer and API is tolerated.
    await expect(verifier.verify(await token({}, { iat: now() + 30 }))).resolves.toBeDefined();
  });

  it.each([
    ['without exp', { exp: undefined }],
    ['without iat', { iat: undefined }],
    ['issued an hour in the future', { iat: now() + 3600 }],
    ['expired', { exp: now() - 10 }],
    ['of another app client', { client_id: 'someone-else' }],
    ['without a client id', { client_id: undefined }],
    ['that is an id token', { token_use: 'id', aud: LOCAL_CLIENT_ID }],
    ['that is a refresh token', { token_use: 'refresh' }],
    ['of another issuer', { iss: 'https://evil.example' }],
    ['whose subject is not a UUID', { sub: 'not-a-uuid' }],
    ['whose subject is missing', { sub: undefined }],
  ])('refuses a token %s with 401', async (_name, changes) => {
    await expect(verifier.verify(await token(changes))).rejects.toMatchObject({ status: 401 });
  });

  it('refuses a token of a key the JWKS does not hold with 401 (after looking for new keys)', async () => {
    const other = await loadOrCreateSigningKey();
    const claims = { sub: randomUUID(), token_use: 'access', client_id: LOCAL_CLIENT_ID, iss: ISSUER };
    const signWith = (kid: string) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(other.privateKey);
    const foreign = await signWith(other.kid);
    await expect(verifier.verify(foreign)).rejects.toMatchObject({ status: 401 });
    // Signed by another key under the JWKS's kid: the signature check refuses it.
    const forged = await signWith(key.kid);
    await expect(verifier.verify(forged)).rejects.toMatchObject({ status: 401 });
  });
});
