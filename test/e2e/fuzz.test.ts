import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type FuzzWorld,
  newTally,
  type OpenApiDocument,
  requestArbitrary,
  seedWorld,
  send,
} from '#test/support/fuzz-requests.ts';
import { type LocalApi, startLocalApi } from '#test/support/local-api.ts';

let api: LocalApi;
let world: FuzzWorld;
let doc: OpenApiDocument;
beforeAll(async () => {
  api = await startLocalApi();
  doc = (await api.call('GET', '/v1/openapi.json')).body;
  world = await seedWorld(api.url);
});
afterAll(async () => {
  await api?.stop();
});

// A fixed seed, so every CI run sends the same sample; `npm run bench -- fuzz` sends ≥ 10,000.
it('answers requests generated from the OpenAPI document without 5xx, with problem+json for every 4xx, and never serves one user another user’s resources', async () => {
  const tally = newTally();
  await fc.assert(
    fc.asyncProperty(requestArbitrary(doc, world), async (request) => {
      const before = tally.failures.length;
      await send(api.url, request, world, tally);
      expect(tally.failures.slice(before)).toEqual([]);
    }),
    { seed: 20261126, numRuns: 300, endOnFailure: true },
  );
  expect(tally.total).toBe(300);
  // The sample reaches past validation: some requests succeed and some are refused.
  expect(Object.keys(tally.byStatus).some((s) => Number(s) < 300)).toBe(true);
  expect(tally.byStatus['400']).toBeGreaterThan(0);
}, 120_000);
