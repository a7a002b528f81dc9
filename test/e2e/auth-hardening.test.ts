/**
 * Accounts through the local server: no answer tells whether an email has an account, tokens are checked as
 * Cognito's are on AWS, names people read are unique and visible, and a valid token whose user has no row
 * still works.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CLIENT_ID, loadOrCreateSigningKey, type SigningKey } from '#shared/auth/local-issuer.ts';
import { users } from '#shared/db/tables.ts';
import { type LocalApi, startLocalApi } from '#test/support/local-api.ts';

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'auth-'));
let api: LocalApi;
let key: SigningKey;
beforeAll(async () => {
  api = await startLocalApi({ dataDir });
  key = await loadOrCreateSigningKey(path.join(dataDir, 'keys'));
});
afterAll(async () => {
  await api?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const tag = () => randomUUID().replaceAll('-', '').slice(0, 10);
const now = () => Math.floor(Date.now() / 1000);

/** An access token signed by the local issuer's own key, shaped as the issuer makes them unless changed. */
function token(changes: Record<string, unknown> = {}) {
  const claims: Record<string, unknown> = {
    sub: randomUUID(),
    token_use: 'access',
    client_id: LOCAL_CLIENT_ID,
    iss: api.url,
    iat: now(),
    exp: now() + 3600,
    ...changes,
  };
  for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
    .sign(key.privateKey);
}

describe('no account enumeration', () => {
  it('answers confirm and sign-up alike whether or not the email has an account', async () => {
    const known = await api.newUser();
    const confirm = (email: string) =>
      api.call('POST', '/v1/auth/confirm', { body: { email, code: '123456' } });
    const a = await confirm(known.email);
    const b = await confirm(`nobody_${tag()}@example.com`);
    expect(b.status).toBe(a.status);
    expect(b.body).toEqual(a.body);

    const signUp = (email: string) =>
      api.call('POST', '/v1/auth/signup', { body: { email, username: `n_${tag()}`, password: 'Passw0rdX' } });
    const taken = await signUp(known.email);
    const fresh = await signUp(`new_${tag()}@example.com`);
    expect(taken.status).toBe(fresh.status);
    expect(Object.keys(taken.body).sort()).toEqual(Object.keys(fresh.body).sort());
    expect(taken.text).not.toMatch(/exist/i);
    // The existing account is untouched: its password still works.
    const login = await api.call('POST', '/v1/auth/login', {
      body: { email: known.email, password: known.password },
    });
    expect(login.status).toBe(200);
  });
});

describe('names people read', () => {
  it('refuses a username that differs from a taken one only by case', async () => {
    const name = `Grace_${tag()}`;
    const body = (username: string) => ({ email: `g_${tag()}@example.com`, username, password: 'Passw0rdX' });
    expect((await api.call('POST', '/v1/auth/signup', { body: body(name) })).status).toBe(201);
    const twin = await api.call('POST', '/v1/auth/signup', { body: body(name.toLowerCase()) });
    expect(twin.status).toBe(409);
    expect(twin.body.detail).toMatch(/username/);

    const other = await api.newUser();
    const rename = await api.call('PATCH', '/v1/me', {
      token: other.token,
      body: { username: name.toUpperCase() },
    });
    expect(rename.status).toBe(409);
    expect(rename.headers.get('content-type')).toBe('application/problem+json');
  });

  it('takes a template name typed with a combining accent as the same name as its composed form', async () => {
    const { token: t } = await api.newUser();
    const create = (name: string) =>
      api.call('POST', '/v1/templates', {
        token: t,
        body: { name, category: 'general', prompt: 'a calm sea' },
      });
    const composed = await create('Caf\u00e9 scene');
    expect(composed.status).toBe(201);
    const decomposed = await create('Cafe\u0301 scene');
    expect(decomposed.status).toBe(409);
    expect(decomposed.body.detail).toMatch(/already have a template with this name/);
    const renamed = await create('Cafe\u0301 night');
    expect(renamed.body.name).toBe('Caf\u00e9 night');
  });

  it('takes a template name in another case as the same name, like a username', async () => {
    const { token: t } = await api.newUser();
    const create = (name: string) =>
      api.call('POST', '/v1/templates', {
        token: t,
        body: { name, category: 'general', prompt: 'a calm sea' },
      });
    expect((await create('Sea view')).status).toBe(201);
    const twin = await create('SEA VIEW');
    expect(twin.status).toBe(409);
    expect(twin.headers.get('content-type')).toBe('application/problem+json');
    expect(twin.body.detail).toBe(
      'You already have a template with this name; names that differ only in case are the same name.',
    );
    const other = await create('Harbour');
    const rename = await api.call('PATCH', `/v1/templates/${other.body.id}`, {
      token: t,
      body: { name: 'sea View' },
    });
    expect(rename.status).toBe(409);
  });

  it('refuses titles and names without a visible character or with bidi and zero-width controls', async () => {
    const { token: t } = await api.newUser();
    const project = await api.call('POST', '/v1/projects', {
      token: t,
      body: { title: 'invoice\u202Efdp.exe' },
    });
    expect(project.status).toBe(400);
    expect(project.body.errors).toContainEqual({
      path: 'body.title',
      message: expect.stringMatching(/^title must not contain invisible control characters/),
    });
    const blank = await api.call('POST', '/v1/projects', { token: t, body: { title: '\u200B\u2066\u2069' } });
    expect(blank.status).toBe(400);
    const template = await api.call('POST', '/v1/templates', {
      token: t,
      body: { name: '\u3164', category: 'general', prompt: 'a calm sea' },
    });
    expect(template.status).toBe(400);
    expect(template.body.errors).toContainEqual({
      path: 'body.name',
      message: 'name must contain a visible character',
    });
    expect(
      (await api.call('POST', '/v1/projects', { token: t, body: { title: 'مرحبا 東京 🎬' } })).status,
    ).toBe(201);
  });
});

describe('access tokens are checked as on AWS', () => {
  it.each([
    ['without exp', { exp: undefined }],
    ['issued in the future', { iat: now() + 3600 }],
    ['of another app client', { client_id: 'other-client' }],
    ['that is an id token', { token_use: 'id', aud: LOCAL_CLIENT_ID }],
    ['whose subject is not a UUID', { sub: 'admin' }],
  ])('refuses a token %s with 401', async (_name, changes) => {
    const res = await api.call('POST', '/v1/projects', { token: await token(changes), body: { title: 't' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });
});

describe('a user without a row', () => {
  it('gets the row from its token on the first request, and can create a project', async () => {
    const sub = randomUUID();
    const email = `late_${tag()}@example.com`;
    const t = await token({ sub, email, username: `late_${tag()}` });
    const created = await api.call('POST', '/v1/projects', { token: t, body: { title: 'first' } });
    expect(created.status).toBe(201);
    const me = await api.call('GET', '/v1/me', { token: t });
    expect(me.body).toMatchObject({ id: sub, email, subscriptionTier: 'FREE' });
  });

  it('reads without creating the row (there is nothing to read), and GET /v1/me creates it', async () => {
    const sub = randomUUID();
    const email = `reader_${tag()}@example.com`;
    const t = await token({ sub, email, username: `reader_${tag()}` });
    const rowsOf = () => api.env.db.db.select({ id: users.id }).from(users).where(eq(users.id, sub));
    const list = await api.call('GET', '/v1/projects', { token: t });
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([]);
    expect((await api.call('GET', `/v1/projects/${randomUUID()}`, { token: t })).status).toBe(404);
    expect(await rowsOf()).toEqual([]);
    const me = await api.call('GET', '/v1/me', { token: t });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: sub, email });
    expect(await rowsOf()).toEqual([{ id: sub }]);
  });

  it('recovers when the row of a signed-up user is gone (the trigger failed)', async () => {
    const user = await api.newUser();
    await api.env.db.db.delete(users).where(eq(users.id, user.userId));
    const created = await api.call('POST', '/v1/projects', { token: user.token, body: { title: 'again' } });
    expect(created.status).toBe(201);
    expect((await api.call('GET', '/v1/me', { token: user.token })).body.email).toBe(user.email);
  });

  it('answers a clear conflict, not a 500, when another row holds its email', async () => {
    const holder = await api.newUser();
    const t = await token({ email: holder.email, username: `dup_${tag()}` });
    const res = await api.call('POST', '/v1/projects', { token: t, body: { title: 'x' } });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.detail).toMatch(/email/);
  });
});
