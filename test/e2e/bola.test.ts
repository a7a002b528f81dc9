import { afterAll, beforeAll, expect, it } from 'vitest';
import { API_ROUTES } from '#shared/http/routes.ts';
import { type LocalApi, startLocalApi } from '#test/support/local-api.ts';

let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi();
});
afterAll(async () => {
  await api?.stop();
});

const BODIES: Record<string, unknown> = {
  'PATCH /v1/projects/{projectId}': { title: 'stolen' },
  'PATCH /v1/clips/{clipId}': { title: 'stolen' },
  'POST /v1/projects/{projectId}/uploads': { fileName: 'a.mp4', contentType: 'video/mp4', fileSize: 10 },
  'POST /v1/projects/{projectId}/jobs': { jobType: 'GENERATE', prompt: 'x', parameters: { model: 'local' } },
  'PATCH /v1/templates/{templateId}': { name: 'stolen' },
  'PATCH /v1/webhooks/{webhookId}': { url: 'http://127.0.0.1:9/stolen' },
};

it("gives 404 on every route that takes an id when another user uses the owner's ids, and changes nothing", async () => {
  const owner = await api.newUser();
  const intruder = await api.newUser();
  const project = (await api.call('POST', '/v1/projects', { token: owner.token, body: { title: 'mine' } }))
    .body;
  const clip = await api.env.ctx.clips.register({
    userId: owner.userId,
    projectId: project.id,
    title: 'mine',
    duration: 3,
    fileUrl: `users/${owner.userId}/projects/${project.id}/clips/x/video.mp4`,
    fileSize: 100,
    resolution: '1280x720',
    format: 'mp4',
  });
  const job = (
    await api.call('POST', `/v1/projects/${project.id}/jobs`, {
      token: owner.token,
      body: { jobType: 'GENERATE', prompt: 'x', parameters: { model: 'local' } },
    })
  ).body;
  const template = (
    await api.call('POST', '/v1/templates', {
      token: owner.token,
      body: { name: 'mine', category: 'general', prompt: 'p' },
    })
  ).body;
  const apiKey = (
    await api.call('POST', '/v1/api-keys', { token: owner.token, body: { name: 'mine', scopes: ['read'] } })
  ).body;
  const exported = (await api.call('POST', '/v1/me/export', { token: owner.token })).body;
  for (let i = 0; i < 300; i += 1) {
    const status = await api.call('GET', `/v1/me/exports/${exported.exportId}`, { token: owner.token });
    if (status.body.status !== 'PENDING') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const webhook = (
    await api.call('POST', '/v1/webhooks', { token: owner.token, body: { url: 'http://127.0.0.1:9/mine' } })
  ).body;
  const delivery = (await api.call('POST', `/v1/webhooks/${webhook.id}/test`, { token: owner.token })).body;
  const upload = (
    await api.call('POST', `/v1/projects/${project.id}/uploads`, {
      token: owner.token,
      body: BODIES['POST /v1/projects/{projectId}/uploads'],
    })
  ).body;
  const ids: Record<string, string> = {
    projectId: project.id,
    clipId: clip.id,
    jobId: job.id,
    templateId: template.id,
    keyId: apiKey.id,
    exportId: exported.exportId,
    webhookId: webhook.id,
    deliveryId: delivery.deliveryId,
    uploadId: upload.uploadId,
  };

  const withIds = API_ROUTES.filter((r) => r.path.includes('{'));
  expect(withIds.length).toBeGreaterThanOrEqual(17);
  for (const route of withIds) {
    const path = route.path.replace(/\{(\w+)\}/g, (_m, name: string) => ids[name]!);
    const key = `${route.method} ${route.path}`;
    const res = await api.call(route.method, path, { token: intruder.token, body: BODIES[key] });
    expect(res.status, key).toBe(404);
    expect(res.headers.get('content-type'), key).toBe('application/problem+json');
  }

  const after = (p: string) => api.call('GET', p, { token: owner.token });
  expect((await after(`/v1/projects/${project.id}`)).body).toMatchObject({ title: 'mine' });
  expect((await after(`/v1/clips/${clip.id}`)).body).toMatchObject({ title: 'mine' });
  expect((await after(`/v1/jobs/${job.id}`)).body.errorMessage).toBeNull();
  expect((await after(`/v1/templates/${template.id}`)).body).toMatchObject({ name: 'mine' });
  expect((await after(`/v1/webhooks/${webhook.id}`)).body).toMatchObject({ url: 'http://127.0.0.1:9/mine' });
  expect((await after('/v1/me')).body.storageUsed).toBe(100);
  expect(await api.env.ctx.reservations.find(upload.uploadId)).toMatchObject({ bytes: 10 });
  expect((await after('/v1/api-keys')).body.items.map((k: { id: string }) => k.id)).toEqual([apiKey.id]);
  expect((await after(`/v1/me/exports/${exported.exportId}`)).body.status).toBe('COMPLETED');
  expect((await api.call('GET', '/v1/projects', { token: apiKey.key })).status).toBe(200);
  expect(
    (await api.call('GET', `/v1/projects/${project.id}/jobs`, { token: owner.token })).body.items,
  ).toHaveLength(1);
});
