/**
 * GET /v1/models through the local server, the refusal of an end-of-life model at submission, and a Luma
 * Ray 2 portrait job (rendered by the stand-in at the model's frame) recorded at its true resolution.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalVideoModel } from '#shared/generation/local.ts';
import type { VideoModel } from '#shared/generation/port.ts';
import { probeClip, submit, waitForJob } from '#test/support/jobs.ts';
import { type LocalApi, startLocalApi } from '#test/support/local-api.ts';

let api: LocalApi;
let user: Awaited<ReturnType<LocalApi['newUser']>>;
let projectId: string;

beforeAll(async () => {
  // Stands in for Luma Ray 2: the local renderer, which draws the frame the registry gives the job.
  let renderer: VideoModel | undefined;
  const luma: VideoModel = {
    id: 'luma-ray2',
    start: (request) => renderer!.start(request),
    // Answers once the render ends, so the poll budget of a Bedrock model never races the renderer.
    async check(handle) {
      for (;;) {
        const status = await renderer!.check(handle);
        if (status.state !== 'running') return status;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
  api = await startLocalApi({ pollMs: 50, models: { 'luma-ray2': luma } });
  renderer = createLocalVideoModel(api.env.ctx.store);
  user = await api.newUser();
  projectId = (await api.call('POST', '/v1/projects', { token: user.token, body: { title: 'models' } })).body
    .id;
});
afterAll(async () => {
  await api?.stop();
});

describe('GET /v1/models', () => {
  it('needs a token', async () => {
    expect((await api.call('GET', '/v1/models')).status).toBe(401);
  });

  it('lists the models with Region, lifecycle, capabilities and availability here', async () => {
    const res = await api.call('GET', '/v1/models', { token: user.token });
    expect(res.status).toBe(200);
    const byId = Object.fromEntries(res.body.items.map((m: { id: string }) => [m.id, m]));
    expect(Object.keys(byId).sort()).toEqual(['local', 'luma-ray2', 'nova-reel']);
    expect(byId.local).toMatchObject({ available: true, lifecycle: 'ACTIVE', region: null });
    expect(byId['luma-ray2']).toMatchObject({
      available: true,
      lifecycle: 'ACTIVE',
      modelId: 'luma.ray-v2:0',
      region: 'us-west-2',
      capabilities: { aspectRatios: expect.arrayContaining(['9:16', '1:1']), loop: true },
    });
    // Amazon Nova Reel v1 reached its end of life on 2026-09-30.
    expect(byId['nova-reel']).toMatchObject({
      available: false,
      lifecycle: 'EOL',
      eolDate: '2026-09-30',
      region: 'us-east-1',
    });
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await api.call('GET', '/v1/openapi.json')).body;
    expect(doc.paths['/v1/models'].get.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/v1/models'].get.responses['200'].content['application/json'].schema).toBeDefined();
  });
});

describe('submission against the registry', () => {
  it('refuses an end-of-life model with a problem that names it and its date', async () => {
    const res = await submit(api, user.token, projectId, {
      jobType: 'GENERATE',
      prompt: 'a lighthouse at dusk',
      parameters: { model: 'nova-reel' },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.detail).toMatch(/Nova Reel \(nova-reel\) reached its end of life on 2026-09-30/);
    expect(res.body.errors).toEqual([
      { path: 'body.parameters.model', message: expect.stringContaining('nova-reel') },
    ]);
  });

  it('keeps a Luma 9:16 video portrait and records its true resolution', async () => {
    const submitted = await submit(api, user.token, projectId, {
      jobType: 'GENERATE',
      prompt: 'a waterfall, vertical',
      parameters: { model: 'luma-ray2', aspectRatio: '9:16', resolution: '960x540', durationSeconds: 5 },
    });
    expect(submitted.status).toBe(202);
    const { job } = await waitForJob(api, user.token, submitted.body.id, 50);
    expect(job).toMatchObject({ status: 'COMPLETED', errorMessage: null });
    const clip = (await api.call('GET', `/v1/clips/${job.clipId}`, { token: user.token })).body;
    expect(clip.resolution).toBe('540x960');
    const probed = await probeClip(api, clip);
    expect({ width: probed.width, height: probed.height }).toEqual({ width: 540, height: 960 });
  }, 240_000);
});
