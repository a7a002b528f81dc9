/**
 * HLS playlist links are open (a player sends no bearer token): the token in the path is the credential. A
 * run of forged or expired tokens from one address is answered 429 once the address's budget of refused
 * credentials is spent, as for API keys and event-stream tokens; a valid link never touches the budget, so a
 * player reading many playlists under one token is neither counted nor slowed.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateClip } from '#test/support/jobs.ts';
import { type LocalApi, startLocalApi } from '#test/support/local-api.ts';

const BUDGET = 4;
let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi({
    pollMs: 50,
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

it('counts forged HLS tokens against the address, 429 past the budget; valid links play on', async () => {
  const user = await api.newUser();
  const project = await api.call('POST', '/v1/projects', { token: user.token, body: { title: 'hls' } });
  const clip = await generateClip(api, user.token, project.body.id, { durationSeconds: 1 });
  const master = new URL(clip.media.hlsUrl);
  const token = master.pathname.split('/')[4]!;

  // Many reads under a valid token spend nothing.
  for (let i = 0; i < BUDGET * 2; i += 1) expect((await fetch(master)).status).toBe(200);

  // A token whose signature does not match its grant, with a valid token's shape.
  const payload = token.split('.')[0];
  const forged = (n: number) => `${payload}.${Buffer.alloc(32, n + 1).toString('base64url')}`;
  const file = master.pathname.split('/').at(-1)!;
  for (let i = 0; i < BUDGET; i += 1) {
    const refused = await api.call('GET', `/v1/media/hls/${forged(i)}/${file}`);
    expect(refused.status, refused.text).toBe(404);
  }
  const limited = await api.call('GET', `/v1/media/hls/${forged(BUDGET)}/${file}`);
  expect(limited.status).toBe(429);
  expect(limited.headers.get('content-type')).toBe('application/problem+json');
  expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);

  // The valid link still plays: its check is the signature alone, and the budget guards guessing.
  expect((await fetch(master)).status).toBe(200);
  // A valid token naming no playlist of the clip is not a refused credential: 404, and counted nowhere.
  expect((await api.call('GET', `/v1/media/hls/${token}/none.m3u8`)).status).toBe(404);
});
