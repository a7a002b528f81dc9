import { afterAll, beforeAll, expect, it } from 'vitest';
import { type LocalApi, startLocalApi } from '#test/support/local-api.ts';

let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi();
});
afterAll(async () => {
  await api?.stop();
});

it('creates exactly one job for 20 parallel requests with one Idempotency-Key', async () => {
  const { token } = await api.newUser();
  const project = (await api.call('POST', '/v1/projects', { token, body: { title: 'idem' } })).body;
  const body = { jobType: 'GENERATE', prompt: 'once', parameters: { model: 'local' } };
  const headers = { 'idempotency-key': 'key-12345678' };
  const results = await Promise.all(
    Array.from({ length: 20 }, () =>
      api.call('POST', `/v1/projects/${project.id}/jobs`, { token, body, headers }),
    ),
  );
  expect(results.map((r) => r.status)).toEqual(Array(20).fill(202));
  expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
  const jobs = await api.call('GET', `/v1/projects/${project.id}/jobs`, { token });
  expect(jobs.body.items).toHaveLength(1);

  const other = await api.call('POST', `/v1/projects/${project.id}/jobs`, {
    token,
    body: { ...body, prompt: 'different' },
    headers,
  });
  expect(other.status).toBe(409);
  const bad = await api.call('POST', `/v1/projects/${project.id}/jobs`, {
    token,
    body,
    headers: { 'idempotency-key': 'x' },
  });
  expect(bad.status).toBe(400);
});
