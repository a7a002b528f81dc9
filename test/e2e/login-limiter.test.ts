/**
 * Sign-in and sign-up limits through the local server: counts live in DynamoDB (dynalite), so they hold
 * across processes and restarts, and a successful sign-in never clears the count of its address.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type LocalApi, startLocalApi } from '#test/support/local-api.ts';

// Windows of ~32 years (aligned to the epoch, the current one ends in 2033): no test straddles two.
const LONG = 1_000_000_000;
const rateLimits = {
  loginFailuresPerEmail: 3,
  loginFailuresPerAddress: 8,
  loginWindowSeconds: LONG,
  signUpsPerAddress: 3,
  signUpWindowSeconds: LONG,
};
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'limiter-'));
let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi({ dataDir, rateLimits });
});
afterAll(async () => {
  await api?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const login = (email: string, password: string) =>
  api.call('POST', '/v1/auth/login', { body: { email, password } });
const stranger = () => `nobody_${randomUUID().slice(0, 8)}@example.com`;

it('limits failures per email and per address; successes never clear the address; sign-ups are limited per address', async () => {
  const ann = await api.newUser();
  const bob = await api.newUser();

  // One email: three failures, then even the right password waits (the email is locked, not the address).
  for (let i = 0; i < 3; i += 1) expect((await login(ann.email, 'Wrong12345')).status).toBe(401);
  const locked = await login(ann.email, ann.password);
  expect(locked.status).toBe(429);
  expect(locked.headers.get('content-type')).toBe('application/problem+json');
  expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);

  // Spraying other emails from the same address, with a successful sign-in of one's own between each try:
  // the address has 8 failures to spend (3 spent above), and the successes give none back.
  for (let i = 0; i < 5; i += 1) {
    expect((await login(stranger(), 'Guess12345')).status).toBe(401);
    if (i < 4) expect((await login(bob.email, bob.password)).status).toBe(200);
  }
  expect((await login(stranger(), 'Guess12345')).status).toBe(429);
  expect((await login(bob.email, bob.password)).status).toBe(429);

  // Sign-ups: two were made above, the third is the last this address may make in the window.
  const signUp = (tag: string) =>
    api.call('POST', '/v1/auth/signup', {
      body: { email: `s_${tag}@example.com`, username: `s_${tag}`, password: 'Passw0rdX' },
    });
  expect((await signUp(randomUUID().slice(0, 8))).status).toBe(201);
  const refused = await signUp(randomUUID().slice(0, 8));
  expect(refused.status).toBe(429);
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);

  // The counts are not process memory: a restarted server still refuses.
  await api.stop();
  api = await startLocalApi({ dataDir, rateLimits });
  expect((await login(bob.email, bob.password)).status).toBe(429);
  expect((await signUp(randomUUID().slice(0, 8))).status).toBe(429);
});

/** A failed sign-in sent from another loopback address (the server counts the socket's address). */
function loginFrom(localAddress: string): Promise<number> {
  const url = new URL('/v1/auth/login', api.url);
  const body = JSON.stringify({ email: stranger(), password: 'Guess12345' });
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', localAddress, headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

it('lets parallel failures through no further than the budget of a fresh address', async () => {
  // 127.0.0.2 has spent nothing, while 127.0.0.1 is locked out above.
  const statuses = await Promise.all(Array.from({ length: 20 }, () => loginFrom('127.0.0.2')));
  expect(statuses.filter((s) => s === 401)).toHaveLength(rateLimits.loginFailuresPerAddress);
  expect(statuses.filter((s) => s === 429)).toHaveLength(20 - rateLimits.loginFailuresPerAddress);
  expect((await login(stranger(), 'Guess12345')).status).toBe(429);
});
