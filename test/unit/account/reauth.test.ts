import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { confirmOwner, FRESH_TOKEN_SECONDS } from '#shared/account/reauth.ts';
import { createLocalIdentityProvider, loadOrCreateSigningKey } from '#shared/auth/local-issuer.ts';
import type { LoginLimiter } from '#shared/auth/login-limiter.ts';
import { hashPassword } from '#shared/auth/password.ts';
import type { IdentityProvider } from '#shared/auth/port.ts';
import { ForbiddenError } from '#shared/errors.ts';
import type { UserRepository } from '#shared/users/repository.ts';

const NOW = 1_800_000_000;
/** An access token as confirmOwner reads it (the verifier has checked its signature before). */
const token = (claims: Record<string, unknown>) =>
  `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
const deps = {
  identity: {} as IdentityProvider,
  loginLimiter: {} as LoginLimiter,
};
const confirm = (claims: Record<string, unknown>) =>
  confirmOwner(
    deps,
    {
      email: 'a@example.com',
      accessToken: token(claims),
      signIn: { ipAddress: '127.0.0.1', serverName: 'api.example.com', serverPath: '/v1/me', headers: {} },
    },
    () => NOW * 1000,
  );

describe('deleting the account without a password', () => {
  it('takes a sign-in at most five minutes old', async () => {
    await expect(confirm({ iat: NOW - 10, auth_time: NOW - FRESH_TOKEN_SECONDS })).resolves.toBeUndefined();
  });

  it('refuses a token just refreshed from an older sign-in: refreshing is not signing in', async () => {
    await expect(confirm({ iat: NOW - 1, auth_time: NOW - FRESH_TOKEN_SECONDS - 1 })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
  });

  it('refuses a token that does not say when its sign-in was', async () => {
    await expect(confirm({ iat: NOW - 1 })).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe('local access tokens', () => {
  it('carry the time of the sign-in, which a refresh keeps (as Cognito’s auth_time)', async () => {
    const user = {
      id: '0b0c1d2e-3f40-4152-8637-48596a7b8c9d',
      email: 'a@example.com',
      username: 'ada',
      passwordHash: await hashPassword('Secret123'),
    };
    const users = {
      findByEmail: async () => user,
      getById: async () => user,
    } as unknown as UserRepository;
    const identity = createLocalIdentityProvider({
      users,
      key: await loadOrCreateSigningKey(),
      issuer: 'http://127.0.0.1:1',
    });
    const login = await identity.login(user.email, 'Secret123');
    const signedIn = decodeJwt(login.accessToken).auth_time as number;
    expect(decodeJwt(login.accessToken).iat).toBeGreaterThanOrEqual(signedIn);
    await new Promise((r) => setTimeout(r, 1100));
    const refreshed = await identity.refresh(login.refreshToken as string);
    const claims = decodeJwt(refreshed.accessToken);
    expect(claims.iat).toBeGreaterThan(signedIn);
    expect(claims.auth_time).toBe(signedIn);
  });
});
