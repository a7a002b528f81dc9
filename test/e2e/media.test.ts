/**
 * Media correctness through the local server: the real ASL, the tasks that probe sources and build the
 * Settings, and the ffmpeg executor. Sound across a stitch of uploads and a silent generated clip, shapes
 * kept through EDIT, ENHANCE and TRANSCODE, fractional trims, and sources the pipeline cannot use.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFfmpeg } from '#shared/media/ffmpeg.ts';
import { AUDIO_ONLY, NOT_A_VIDEO } from '#shared/media/prober.ts';
import {
  generateClip,
  jobOfUpload,
  probeClip,
  strayObjects,
  submit,
  uploadFile,
  waitForJob,
} from '#test/support/jobs.ts';
import { type LocalApi, startLocalApi } from '#test/support/local-api.ts';
import { loudness, makeSource } from '#test/support/media.ts';

let api: LocalApi;
let user: { userId: string; token: string };
let projectId: string;
let dir: string;

beforeAll(async () => {
  api = await startLocalApi({ pollMs: 100 });
  user = await api.newUser();
  projectId = (await api.call('POST', '/v1/projects', { token: user.token, body: { title: 'media' } })).body
    .id;
  dir = await mkdtemp(path.join(os.tmpdir(), 'media-e2e-'));
});
afterAll(async () => {
  await api?.stop();
});

const getClip = async (id: string) => (await api.call('GET', `/v1/clips/${id}`, { token: user.token })).body;

/** Uploads a generated file and answers the clip it became. */
async function uploadedClip(name: string, options: Parameters<typeof makeSource>[1]) {
  const file = path.join(dir, name);
  await makeSource(file, options);
  const { job } = await jobOfUpload(
    api,
    user.token,
    await uploadFile(api, user.token, projectId, file, name),
  );
  expect([job.status, job.errorMessage]).toEqual(['COMPLETED', null]);
  return getClip(job.clipId);
}

async function runJob(body: Record<string, unknown>) {
  const submitted = await submit(api, user.token, projectId, { prompt: 'media', ...body });
  expect(submitted.status, submitted.text).toBe(202);
  return (await waitForJob(api, user.token, submitted.body.id)).job;
}

describe('stitching sound, shapes and trims', () => {
  let portraitTone: { id: string; resolution: string; system: { hasAudio: boolean } };
  let landscapeTone: { id: string };
  let silent: { id: string; system: { hasAudio: boolean } };
  beforeAll(async () => {
    portraitTone = await uploadedClip('portrait-tone.mp4', {
      size: '180x320',
      rate: '25',
      seconds: 2,
      toneHz: 440,
    });
    landscapeTone = await uploadedClip('landscape-tone.mp4', {
      size: '320x180',
      rate: '30000/1001',
      seconds: 2,
      toneHz: 660,
    });
    silent = await generateClip(api, user.token, projectId, {
      durationSeconds: 2,
      resolution: '640x360',
      seed: 3,
    });
  });

  it("keeps the tone where the uploads have one and silence for the generated clip, in the first clip's shape", async () => {
    expect(portraitTone.resolution).toBe('180x320');
    expect([portraitTone.system.hasAudio, silent.system.hasAudio]).toEqual([true, false]);
    const job = await runJob({
      jobType: 'EDIT',
      parameters: {
        clips: [{ clipId: portraitTone.id }, { clipId: silent.id }, { clipId: landscapeTone.id }],
      },
    });
    expect([job.status, job.errorMessage]).toEqual(['COMPLETED', null]);
    const clip = await getClip(job.clipId);
    expect(clip.system.hasAudio).toBe(true);
    // The first clip is portrait: the landscape ones are letterboxed into it.
    const probed = await probeClip(api, clip);
    expect([probed.width, probed.height]).toEqual([180, 320]);
    expect(probed.duration).toBeCloseTo(6, 0);
    const file = path.join(dir, 'stitched.mp4');
    await api.env.ctx.store.downloadToFile(clip.fileUrl, file);
    const levels = await loudness(file, 0.5);
    // 0-2 s the first upload's tone, 2-4 s the silent clip, 4-6 s the second upload's tone.
    for (const i of [0, 1, 2]) expect(levels[i], `window ${i}`).toBeGreaterThan(-30);
    for (const i of [5, 6]) expect(levels[i], `window ${i}`).toBeLessThan(-60);
    for (const i of [9, 10, 11]) expect(levels[i], `window ${i}`).toBeGreaterThan(-30);
  });

  it('trims 0.2-0.8 s of a 29.97 fps clip to 0.6 s, within one frame', async () => {
    const job = await runJob({
      jobType: 'EDIT',
      parameters: { clips: [{ clipId: landscapeTone.id, start: 0.2, end: 0.8 }] },
    });
    expect(job.status).toBe('COMPLETED');
    const probed = await probeClip(api, await getClip(job.clipId));
    // One video frame, plus one AAC frame (1024 samples at 48 kHz): the file's duration is its longer track's.
    expect(Math.abs(probed.duration - 0.6)).toBeLessThanOrEqual(1001 / 30000 + 1024 / 48000);
  });

  it("keeps a trim that runs past its clip to the clip's end", async () => {
    const past = await runJob({
      jobType: 'EDIT',
      parameters: { clips: [{ clipId: portraitTone.id, start: 1.5, end: 9 }] },
    });
    expect([past.status, past.errorMessage]).toEqual(['COMPLETED', null]);
    const probed = await probeClip(api, await getClip(past.clipId));
    expect(probed.duration).toBeCloseTo(0.5, 1);
  });

  it('keeps a portrait clip portrait through ENHANCE and TRANSCODE when a landscape size is asked', async () => {
    const enhanced = await runJob({
      jobType: 'ENHANCE',
      sourceClipIds: [portraitTone.id],
      parameters: { resolution: '640x360' },
    });
    expect(enhanced.status).toBe('COMPLETED');
    expect((await getClip(enhanced.clipId)).resolution).toBe('360x640');
    const transcoded = await runJob({
      jobType: 'TRANSCODE',
      sourceClipIds: [portraitTone.id],
      parameters: { resolution: '854x480' },
    });
    expect(transcoded.status).toBe('COMPLETED');
    const clip = await getClip(transcoded.clipId);
    expect(clip.resolution).toBe('480x854');
    const probed = await probeClip(api, clip);
    expect([probed.width, probed.height]).toEqual([480, 854]);
  });

  it('keeps a square clip square', async () => {
    const square = await generateClip(api, user.token, projectId, {
      durationSeconds: 1,
      resolution: '480x480',
      seed: 4,
    });
    const job = await runJob({
      jobType: 'TRANSCODE',
      sourceClipIds: [square.id],
      parameters: { resolution: '1280x720' },
    });
    expect(job.status).toBe('COMPLETED');
    const probed = await probeClip(api, await getClip(job.clipId));
    expect([probed.width, probed.height]).toEqual([720, 720]);
  });
});

describe('sources the pipeline cannot use', () => {
  it('fails an audio-only upload with a message that asks for a video track', async () => {
    const file = path.join(dir, 'song.m4a');
    await runFfmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-c:a', 'aac', file]);
    const before = (await api.call('GET', '/v1/me', { token: user.token })).body.storageUsed;
    const { job } = await jobOfUpload(
      api,
      user.token,
      await uploadFile(api, user.token, projectId, file, 'song.mp4'),
    );
    expect([job.status, job.errorMessage]).toEqual(['FAILED', AUDIO_ONLY]);
    expect((await api.call('GET', '/v1/me', { token: user.token })).body.storageUsed).toBe(before);
  });

  it('fails a cut-off MP4 with a message that says to check it plays and upload it again', async () => {
    const whole = path.join(dir, 'whole.mp4');
    // Without faststart the index comes last, so the cut-off copy has none.
    await makeSource(whole, { size: '320x180', rate: '25', seconds: 2 });
    const bytes = await readFile(whole);
    const cut = path.join(dir, 'cut.mp4');
    await writeFile(cut, bytes.subarray(0, Math.floor(bytes.byteLength / 2)));
    const { job } = await jobOfUpload(
      api,
      user.token,
      await uploadFile(api, user.token, projectId, cut, 'cut.mp4'),
    );
    expect([job.status, job.errorMessage]).toEqual(['FAILED', NOT_A_VIDEO]);
  });

  it('enhances a ProRes clip without the denoise it cannot have, and says so on the clip', async () => {
    const clip = await generateClip(api, user.token, projectId, {
      durationSeconds: 1,
      resolution: '640x360',
      seed: 5,
    });
    // A clip whose stored video is ProRes, as a file from an editing suite would be.
    const prores = path.join(dir, 'prores.mov');
    await makeSource(prores, {
      size: '640x360',
      rate: '25',
      seconds: 1,
      codec: ['-c:v', 'prores_ks', '-profile:v', '0'],
    });
    await api.env.ctx.store.putFile(clip.fileUrl, prores, 'video/quicktime');
    const job = await runJob({
      jobType: 'ENHANCE',
      sourceClipIds: [clip.id],
      parameters: { denoise: true },
    });
    expect([job.status, job.errorMessage]).toEqual(['COMPLETED', null]);
    const enhanced = await getClip(job.clipId);
    expect(enhanced.system.adjustments).toEqual([
      expect.stringMatching(/Noise reduction was skipped.*PRORES/),
    ]);
    expect(clip.system.adjustments).toEqual([]);
    expect(await strayObjects(api, user.userId, ['users/'])).toEqual([]);
  });
});
