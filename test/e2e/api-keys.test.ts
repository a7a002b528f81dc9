import { afterAll, beforeAll, expect, it } from 'vitest';
import { hashApiKey } from '#shared/api-keys/secret.ts';
import { waitForAudit } from '#test/support/audit.ts';
import { type LocalApi, startLocalApi } from '#test/support/local-api.ts';

let api: LocalApi;
beforeAll(async () => {
  // A small budget of failed key checks, spent by the last test.
  // The key-failure budget counts in fixed windows; one of ~32 years (it ends in 2033) keeps the test inside one.
  api = await startLocalApi({
    rateLimits: { apiKeyFailuresPerAddress: 5, loginWindowSeconds: 1_000_000_000 },
  });
});
afterAll(async () => {
  await api?.stop();
});

async function createKey(token: string, body: Record<string, unknown>) {
  const res = await api.call('POST', '/v1/api-keys', { token, body });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; key: string; prefix: string; scopes: string[] };
}

it('shows a key once with its prefix, keeps only its hash, and lists it without the key', async () => {
  const user = await api.newUser();
  const created = await createKey(user.token, { name: 'ci', scopes: ['read', 'write'] });
  expect(created.key).toMatch(/^avk_[A-Za-z0-9_-]{43}$/);
  expect(created.key.startsWith(created.prefix)).toBe(true);
  expect(created.prefix).toHaveLength(12);
  const stored = await api.env.db.db.execute(`SELECT key_hash FROM api_keys WHERE id = '${created.id}'`);
  const rows = (stored as unknown as { rows: { key_hash: string }[] }).rows;
  expect(rows[0]?.key_hash).toBe(hashApiKey(created.key));
  expect(JSON.stringify(rows)).not.toContain(created.key);

  const list = await api.call('GET', '/v1/api-keys', { token: user.token });
  expect(list.status).toBe(200);
  expect(list.body.items).toEqual([
    expect.objectContaining({
      id: created.id,
      prefix: created.prefix,
      scopes: ['read', 'write'],
      lastUsedAt: null,
    }),
  ]);
  expect(list.text).not.toContain(created.key);
});

it('opens the user’s routes to a key, refuses writes to a read key, and keeps keys off key management and erasure', async () => {
  const user = await api.newUser();
  const other = await api.newUser();
  const read = await createKey(user.token, { name: 'reader', scopes: ['read'] });
  const write = await createKey(user.token, { name: 'writer', scopes: ['read', 'write'] });

  const project = await api.call('POST', '/v1/projects', { token: write.key, body: { title: 'by key' } });
  expect(project.status, project.text).toBe(201);
  expect(project.body.userId).toBe(user.userId);
  expect((await api.call('GET', `/v1/projects/${project.body.id}`, { token: read.key })).status).toBe(200);
  expect((await api.call('GET', '/v1/me', { token: read.key })).body.id).toBe(user.userId);

  const refused = await api.call('POST', '/v1/projects', { token: read.key, body: { title: 'nope' } });
  expect(refused.status).toBe(403);
  expect(refused.headers.get('content-type')).toBe('application/problem+json');
  expect((await api.call('DELETE', `/v1/projects/${project.body.id}`, { token: read.key })).status).toBe(403);

  for (const [method, path] of [
    ['GET', '/v1/api-keys'],
    ['POST', '/v1/api-keys'],
    ['DELETE', `/v1/api-keys/${read.id}`],
    ['DELETE', '/v1/me'],
  ] as const) {
    const body = method === 'POST' ? { name: 'x', scopes: ['read'] } : undefined;
    const res = await api.call(method, path, { token: write.key, body });
    expect(res.status, `${method} ${path}`).toBe(403);
  }
  // Another user's resources stay 404 through a key, as with a token.
  const theirs = await api.call('POST', '/v1/projects', { token: other.token, body: { title: 'theirs' } });
  expect((await api.call('GET', `/v1/projects/${theirs.body.id}`, { token: write.key })).status).toBe(404);

  await api.env.idle();
  // Stored off the request path, in order: once the last request's entry (the 404) is there, all are.
  const entries = await waitForAudit(api, user.userId, (items) =>
    items.some((e) => e.apiKeyId === write.id && e.outcome === 'not-found'),
  );
  const byKey = entries.filter((e) => e.apiKeyId === write.id);
  expect(byKey.map((e) => e.action)).toContain('project.create');
  expect(entries.find((e) => e.action === 'project.create' && e.apiKeyId === undefined)).toBeUndefined();
  const listed = await api.call('GET', '/v1/api-keys', { token: user.token });
  expect(listed.body.items.find((k: { id: string }) => k.id === write.id).lastUsedAt).not.toBeNull();
});

it('refuses a deleted key at once in the process that deleted it, and an expired or unknown key at once', async () => {
  const user = await api.newUser();
  const key = await createKey(user.token, { name: 'short', scopes: ['read', 'write'] });
  expect((await api.call('GET', '/v1/projects', { token: key.key })).status).toBe(200);
  expect((await api.call('DELETE', `/v1/api-keys/${key.id}`, { token: user.token })).status).toBe(204);
  // The key was checked (and cached) just before; the next request, a write, must not ride on that check.
  const after = await api.call('POST', '/v1/projects', { token: key.key, body: { title: 'after revoke' } });
  expect(after.status).toBe(401);
  expect((await api.call('GET', '/v1/projects', { token: key.key })).status).toBe(401);
  expect((await api.call('DELETE', `/v1/api-keys/${key.id}`, { token: user.token })).status).toBe(404);

  const lapsing = await createKey(user.token, {
    name: 'lapsing',
    scopes: ['read'],
    expiresAt: new Date(Date.now() + 60_000).toISOString(),
  });
  await api.env.db.db.execute(
    `UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = '${lapsing.id}'`,
  );
  expect((await api.call('GET', '/v1/projects', { token: lapsing.key })).status).toBe(401);

  const bad = await api.call('POST', '/v1/api-keys', {
    token: user.token,
    body: { name: '', scopes: ['write'], expiresAt: '2000-01-01T00:00:00Z' },
  });
  expect(bad.status).toBe(400);
  expect(new Set(bad.body.errors.map((e: { path: string }) => e.path))).toEqual(
    new Set(['body.expiresAt', 'body.name', 'body.scopes']),
  );
});

it('takes an expiry with an RFC 3339 offset, or a lower-case t and z, as the instant it names, and answers it in UTC', async () => {
  const user = await api.newUser();
  // Thirty days from now, to the second, written as local time at the given offset.
  const at = new Date(Math.floor(Date.now() / 1000) * 1000 + 30 * 86_400_000);
  const written = (minutes: number, offset: string) =>
    `${new Date(at.getTime() + minutes * 60_000).toISOString().slice(0, 19)}${offset}`;
  const sent = [
    written(14 * 60, '+14:00'),
    written(-(5 * 60 + 30), '-05:30'),
    // RFC 3339 section 5.6 lets "T" and "Z" be written in lower case.
    written(0, 'z').toLowerCase(),
    written(60, '+01:00').toLowerCase(),
  ];
  for (const expiresAt of sent) {
    const res = await api.call('POST', '/v1/api-keys', {
      token: user.token,
      body: { name: `expiry ${expiresAt}`, scopes: ['read'], expiresAt },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.expiresAt).toBe(at.toISOString());
  }
  const list = await api.call('GET', '/v1/api-keys', { token: user.token });
  expect(list.body.items.map((k: { expiresAt: string }) => k.expiresAt)).toEqual(
    sent.map(() => at.toISOString()),
  );
  // RFC 3339 has no date-time without a zone.
  const zoneless = await api.call('POST', '/v1/api-keys', {
    token: user.token,
    body: { name: 'zoneless', scopes: ['read'], expiresAt: written(0, '') },
  });
  expect(zoneless.status).toBe(400);
  expect(zoneless.headers.get('content-type')).toBe('application/problem+json');
  expect(zoneless.body.errors).toEqual([expect.objectContaining({ path: 'body.expiresAt' })]);
});

it('rate-limits failed key checks per address, like sign-ins', async () => {
  const user = await api.newUser();
  const good = await createKey(user.token, { name: 'good', scopes: ['read'] });
  expect((await api.call('GET', '/v1/projects', { token: good.key })).status).toBe(200);
  const statuses: number[] = [];
  for (let i = 0; i < 7; i += 1) {
    statuses.push((await api.call('GET', '/v1/projects', { token: `avk_${'x'.repeat(43)}` })).status);
  }
  // The budget of 5 is shared with the failures of the tests above (a revoked and an expired key).
  const refused = statuses.filter((s) => s === 401).length;
  expect(refused).toBeGreaterThanOrEqual(1);
  expect(refused).toBeLessThanOrEqual(5);
  expect(statuses).toEqual([...Array(refused).fill(401), ...Array(7 - refused).fill(429)]);
  expect(statuses.at(-1)).toBe(429);
  // A user token is not a key check: it still works from the same address.
  expect((await api.call('GET', '/v1/projects', { token: user.token })).status).toBe(200);
});
