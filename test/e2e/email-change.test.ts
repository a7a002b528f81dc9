/**
 * An account changes its email with the identity provider (Cognito's UpdateUserAttributes, its code
 * confirmed; locally the issuer's changeEmail): its users row follows at the next sign-in, and the address it
 * left can be signed up with again, whether or not the row followed first.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ConflictError } from '#shared/errors.ts';
import { type LocalApi, startLocalApi } from '#test/support/local-api.ts';

let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi();
});
afterAll(async () => {
  await api?.stop();
});

const tag = () => randomUUID().replaceAll('-', '').slice(0, 10);
const login = (email: string, password: string) =>
  api.call('POST', '/v1/auth/login', { body: { email, password } });
const me = async (token: string) => (await api.call('GET', '/v1/me', { token })).body;

/** Signs up and signs in with this email; returns the account's id and token. */
async function signUpWith(email: string) {
  const password = `Pw${tag()}A1`;
  const signUp = await api.call('POST', '/v1/auth/signup', {
    body: { email, username: `u_${tag()}`, password },
  });
  expect(signUp.status).toBe(201);
  const signedIn = await login(email, password);
  expect(signedIn.status).toBe(200);
  return { userId: signUp.body.userId as string, token: signedIn.body.accessToken as string };
}

it('shows the new email after the next sign-in, and lets someone else sign up with the old one', async () => {
  const a = await api.newUser();
  const changed = `moved${tag()}@example.com`;
  await api.env.identity.changeEmail(a.userId, changed);

  expect((await login(a.email, a.password)).status).toBe(401);
  const signedIn = await login(changed, a.password);
  expect(signedIn.status).toBe(200);
  expect(await me(signedIn.body.accessToken)).toMatchObject({ id: a.userId, email: changed });

  const b = await signUpWith(a.email);
  expect(b.userId).not.toBe(a.userId);
  expect(await me(b.token)).toMatchObject({ id: b.userId, email: a.email });
  expect(await me(signedIn.body.accessToken)).toMatchObject({ id: a.userId, email: changed });
  // An address another account signs in with cannot be taken, as Cognito refuses it.
  await expect(api.env.identity.changeEmail(b.userId, changed)).rejects.toBeInstanceOf(ConflictError);
});

it('frees the old email at sign-up when the account that left it has not signed in since', async () => {
  const a = await api.newUser();
  const changed = `moved${tag()}@example.com`;
  await api.env.identity.changeEmail(a.userId, changed);

  const b = await signUpWith(a.email);
  expect(await me(b.token)).toMatchObject({ id: b.userId, email: a.email });
  // A's row gave the address up for the one A signs in with now.
  expect(await me(a.token)).toMatchObject({ id: a.userId, email: changed });
});

it('lets both addresses of an erased account that had changed its email be signed up with again', async () => {
  const a = await api.newUser();
  const changed = `moved${tag()}@example.com`;
  await api.env.identity.changeEmail(a.userId, changed);
  const signedIn = await login(changed, a.password);
  const erased = await api.call('DELETE', '/v1/me', {
    token: signedIn.body.accessToken,
    body: { password: a.password },
  });
  expect(erased.status, erased.text).toBe(202);
  await api.env.idle();

  const b = await signUpWith(changed);
  expect(await me(b.token)).toMatchObject({ id: b.userId, email: changed });
  const c = await signUpWith(a.email);
  expect(await me(c.token)).toMatchObject({ id: c.userId, email: a.email });
});

it('erases an account with its password after an email change it has not signed in with since', async () => {
  const a = await api.newUser();
  await api.env.identity.changeEmail(a.userId, `moved${tag()}@example.com`);
  // The token from before the change; the users row still holds the old address.
  const erased = await api.call('DELETE', '/v1/me', { token: a.token, body: { password: a.password } });
  expect(erased.status, erased.text).toBe(202);
});

it('shows the new email after a token refresh, without a new sign-in', async () => {
  const a = await api.newUser();
  const signedIn = await login(a.email, a.password);
  await api.env.identity.changeEmail(a.userId, `moved${tag()}@example.com`);
  const refreshed = await api.call('POST', '/v1/auth/refresh', {
    body: { refreshToken: signedIn.body.refreshToken },
  });
  expect(refreshed.status, refreshed.text).toBe(200);
  const now = (await api.env.identity.currentEmail(a.userId)) as string;
  expect(await me(refreshed.body.accessToken)).toMatchObject({ id: a.userId, email: now });
});
