/**
 * POST /v1/auth/refresh and /v1/auth/confirm are open: deployed, each request is a Cognito call
 * (InitiateAuth, ConfirmSignUp) in a quota that every sign-in or sign-up of the AWS account shares. A run of
 * refused refresh tokens (or wrong codes) from one address is answered 429 before it reaches the identity
 * provider; a good token keeps working until the budget is spent and gives its own attempt back.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type LocalApi, startLocalApi } from '#test/support/local-api.ts';

const BUDGET = 4;
let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi({
    rateLimits: {
      signUpsPerAddress: 100_000,
      loginFailuresPerAddress: 100_000,
      apiKeyFailuresPerAddress: BUDGET,
      // One window of ~32 years (aligned to the epoch): the test never straddles two.
      loginWindowSeconds: 1_000_000_000,
    },
  });
});
afterAll(async () => {
  await api?.stop();
});

const refresh = (refreshToken: string) => api.call('POST', '/v1/auth/refresh', { body: { refreshToken } });

it('answers 429 once an address has spent its budget of refused refresh tokens', async () => {
  const user = await api.newUser();
  // Successes give their attempt back: many of them spend nothing.
  for (let i = 0; i < BUDGET + 2; i += 1) expect((await refresh(user.refreshToken)).status).toBe(200);

  for (let i = 0; i < BUDGET; i += 1) expect((await refresh(`forged.${i}.token`)).status).toBe(401);
  const refused = await refresh('forged.again.token');
  expect(refused.status).toBe(429);
  expect(refused.headers.get('content-type')).toBe('application/problem+json');
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  // The address is refused before the token is looked at, a good one included.
  expect((await refresh(user.refreshToken)).status).toBe(429);
  // Confirmation codes share the budget (deployed, each is a ConfirmSignUp call).
  const confirm = await api.call('POST', '/v1/auth/confirm', { body: { email: user.email, code: '123456' } });
  expect(confirm.status).toBe(429);
});
