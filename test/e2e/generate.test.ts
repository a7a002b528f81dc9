import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { probe } from '#shared/media/ffmpeg.ts';
import { type LocalApi, startLocalApi } from '#test/support/local-api.ts';

let api: LocalApi;
let tmp: string;
beforeAll(async () => {
  api = await startLocalApi();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'gen-test-'));
});
afterAll(async () => {
  await api?.stop();
  await rm(tmp, { recursive: true, force: true });
});

async function waitForJob(token: string, jobId: string) {
  const seen: number[] = [];
  for (let i = 0; i < 600; i += 1) {
    const job = await api.call('GET', `/v1/jobs/${jobId}`, { token });
    seen.push(job.body.progress);
    if (job.body.status === 'COMPLETED' || job.body.status === 'FAILED') return { job: job.body, seen };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('job did not finish');
}

it('generates a clip with the local model: playable MP4, HLS and thumbnail, storage charged once', async () => {
  const { token } = await api.newUser();
  const project = (await api.call('POST', '/v1/projects', { token, body: { title: 'gen' } })).body;
  const submitted = await api.call('POST', `/v1/projects/${project.id}/jobs`, {
    token,
    body: {
      jobType: 'GENERATE',
      prompt: 'a red fox in snow',
      parameters: { model: 'local', durationSeconds: 2, resolution: '640x360', fps: 24, seed: 7 },
    },
  });
  expect(submitted.status).toBe(202);
  const { job, seen } = await waitForJob(token, submitted.body.id);
  expect(job).toMatchObject({ status: 'COMPLETED', progress: 100, errorMessage: null });
  for (let i = 1; i < seen.length; i += 1) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]!);

  const clip = (await api.call('GET', `/v1/clips/${job.clipId}`, { token })).body;
  expect(clip).toMatchObject({ resolution: '640x360', format: 'mp4' });
  expect(clip.duration).toBeCloseTo(2, 0);
  expect(clip.system).toEqual({
    jobType: 'GENERATE',
    model: 'local',
    notAi: true,
    hasAudio: false,
    hasHls: true,
    hasPoster: true,
    adjustments: [],
  });
  expect(clip.metadata).toEqual({});
  const file = path.join(tmp, 'video.mp4');
  await api.env.ctx.store.downloadToFile(clip.fileUrl, file);
  const probed = await probe(file);
  expect(probed).toMatchObject({ width: 640, height: 360, hasAudio: false });
  expect(probed.duration).toBeCloseTo(2, 0);
  // fileSize is the MP4 itself, what the video link downloads; storageBytes adds HLS and frames.
  expect(clip.fileSize).toBe(probed.size);
  expect((await (await fetch(clip.media.videoUrl)).arrayBuffer()).byteLength).toBe(clip.fileSize);
  expect(clip.storageBytes).toBeGreaterThan(clip.fileSize);

  const playlist = await fetch(clip.media.hlsUrl);
  expect(playlist.status).toBe(200);
  expect(await playlist.text()).toContain('#EXT-X-STREAM-INF');
  const thumb = await fetch(clip.media.thumbnailUrl);
  expect(thumb.status).toBe(200);
  expect(new Uint8Array(await thumb.arrayBuffer()).slice(0, 2)).toEqual(new Uint8Array([0xff, 0xd8]));

  const me = (await api.call('GET', '/v1/me', { token })).body;
  expect(me.storageUsed).toBe(clip.storageBytes);
  const work = await api.env.ctx.store.list(`work/`);
  expect(work).toEqual([]);
});
