/**
 * Every job type end to end through the local server: the real ASL on aws-local-stepfunctions, the ffmpeg
 * executor of the MediaConvert settings, s3rver and its upload events.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFfmpeg } from '#shared/media/ffmpeg.ts';
import {
  expectPlayableClip,
  generateClip,
  jobOfUpload as jobOfUploadOf,
  strayObjects,
  submit,
  uploadFile,
  waitForJob,
} from '#test/support/jobs.ts';
import { type LocalApi, startLocalApi } from '#test/support/local-api.ts';

let api: LocalApi;
let user: { userId: string; token: string };
let projectId: string;

beforeAll(async () => {
  api = await startLocalApi({ pollMs: 100 });
  user = await api.newUser();
  projectId = (await api.call('POST', '/v1/projects', { token: user.token, body: { title: 'pipeline' } }))
    .body.id;
});
afterAll(async () => {
  await api?.stop();
});

const me = async () => (await api.call('GET', '/v1/me', { token: user.token })).body;

describe('EDIT, ENHANCE and TRANSCODE of existing clips', () => {
  let a: { id: string; duration: number; resolution: string };
  let b: { id: string; duration: number };
  beforeAll(async () => {
    a = await generateClip(api, user.token, projectId, {
      durationSeconds: 3,
      resolution: '640x360',
      seed: 1,
    });
    b = await generateClip(api, user.token, projectId, {
      durationSeconds: 2,
      resolution: '640x360',
      seed: 2,
    });
  });

  it('stitches trimmed clips in order (EDIT)', async () => {
    const before = (await me()).storageUsed;
    const submitted = await submit(api, user.token, projectId, {
      jobType: 'EDIT',
      prompt: 'cut',
      parameters: { clips: [{ clipId: a.id, start: 1, end: 3 }, { clipId: b.id }] },
    });
    expect(submitted.status).toBe(202);
    const { job } = await waitForJob(api, user.token, submitted.body.id);
    expect(job).toMatchObject({ status: 'COMPLETED', progress: 100 });
    const clip = (await api.call('GET', `/v1/clips/${job.clipId}`, { token: user.token })).body;
    const { problems, probed } = await expectPlayableClip(api, clip, {
      width: 640,
      height: 360,
      duration: 4,
    });
    expect(problems).toEqual([]);
    expect(clip.duration).toBeCloseTo(probed.duration, 0);
    expect((await me()).storageUsed).toBe(before + clip.storageBytes);
  });

  it('upscales and converts the frame rate (ENHANCE)', async () => {
    const submitted = await submit(api, user.token, projectId, {
      jobType: 'ENHANCE',
      prompt: 'sharper',
      sourceClipIds: [b.id],
      parameters: { resolution: '1280x720', fps: 30, interpolation: 'INTERPOLATE', denoise: true },
    });
    expect(submitted.status).toBe(202);
    const { job } = await waitForJob(api, user.token, submitted.body.id);
    expect([job.status, job.errorMessage]).toEqual(['COMPLETED', null]);
    const clip = (await api.call('GET', `/v1/clips/${job.clipId}`, { token: user.token })).body;
    expect(clip.resolution).toBe('1280x720');
    const { problems } = await expectPlayableClip(api, clip, { width: 1280, height: 720, duration: 2 });
    expect(problems).toEqual([]);
  });

  it('re-encodes a clip with an HLS ladder and a thumbnail (TRANSCODE)', async () => {
    const submitted = await submit(api, user.token, projectId, {
      jobType: 'TRANSCODE',
      prompt: 'web copy',
      sourceClipIds: [a.id],
      parameters: { resolution: '640x360' },
    });
    const { job } = await waitForJob(api, user.token, submitted.body.id);
    expect(job.status).toBe('COMPLETED');
    const clip = (await api.call('GET', `/v1/clips/${job.clipId}`, { token: user.token })).body;
    const { problems } = await expectPlayableClip(api, clip, { width: 640, height: 360, duration: 3 });
    expect(problems).toEqual([]);
    expect(clip.system).toMatchObject({ jobType: 'TRANSCODE', hasPoster: true, hasHls: true });
    expect(
      await api.env.ctx.store.head(clip.fileUrl.replace('video.mp4', 'poster.0000000.jpg')),
    ).not.toBeNull();
  });
});

describe('uploads', () => {
  const upload = (file: string, name: string) => uploadFile(api, user.token, projectId, file, name);
  const jobOfUpload = (uploadId: string) => jobOfUploadOf(api, user.token, uploadId);

  it('turns an uploaded portrait video with sound into a clip and removes the upload', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'upload-'));
    const file = path.join(dir, 'phone.mp4');
    await runFfmpeg([
      '-f',
      'lavfi',
      '-i',
      'testsrc2=s=360x640:rate=25:duration=2',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:duration=2',
      '-shortest',
      '-c:v',
      'libx264',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-y',
      file,
    ]);
    const before = (await me()).storageUsed;
    const uploadId = await upload(file, 'phone video.mp4');
    const { job } = await jobOfUpload(uploadId);
    expect(job).toMatchObject({ jobType: 'TRANSCODE', status: 'COMPLETED', progress: 100 });
    const clip = (await api.call('GET', `/v1/clips/${job.clipId}`, { token: user.token })).body;
    expect(clip.resolution).toBe('360x640');
    const { problems, probed } = await expectPlayableClip(api, clip, {
      width: 360,
      height: 640,
      duration: 2,
    });
    expect(problems).toEqual([]);
    expect(probed.hasAudio).toBe(true);
    expect((await me()).storageUsed).toBe(before + clip.storageBytes);
    expect(await api.env.ctx.store.list(`uploads/${user.userId}/`)).toEqual([]);
  });

  it('fails a file that is not a video, with a message, charging nothing and leaving nothing', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'upload-'));
    const file = path.join(dir, 'notes.mp4');
    await import('node:fs/promises').then((fs) => fs.writeFile(file, 'this is not a video'));
    const before = (await me()).storageUsed;
    const { job } = await jobOfUpload(await upload(file, 'notes.mp4'));
    expect(job.status).toBe('FAILED');
    expect(job.errorMessage).toMatch(/not a video/i);
    expect((await me()).storageUsed).toBe(before);
    expect(await api.env.ctx.store.list(`uploads/${user.userId}/`)).toEqual([]);
    expect(await api.env.ctx.store.list(`work/${user.userId}/`)).toEqual([]);
  });
});

describe('tier limits at submission', () => {
  it('refuses a longer or larger clip than the tier allows, and what the model cannot do', async () => {
    const tooLong = await submit(api, user.token, projectId, {
      jobType: 'GENERATE',
      prompt: 'x',
      parameters: { model: 'local', durationSeconds: 31 },
    });
    expect(tooLong.status).toBe(403);
    expect(tooLong.headers.get('content-type')).toContain('application/problem+json');
    const tooBig = await submit(api, user.token, projectId, {
      jobType: 'GENERATE',
      prompt: 'x',
      parameters: { model: 'local', resolution: '3840x2160' },
    });
    expect(tooBig.status).toBe(403);
    const unsupported = await submit(api, user.token, projectId, {
      jobType: 'GENERATE',
      prompt: 'x',
      parameters: { model: 'local', durationSeconds: 0.5 },
    });
    expect(unsupported.status).toBe(400);
    expect(JSON.stringify(unsupported.body)).toContain('"body.parameters.durationSeconds"');
    const clip = (await api.call('GET', `/v1/projects/${projectId}/clips`, { token: user.token })).body
      .items[0];
    const localImage = await submit(api, user.token, projectId, {
      jobType: 'GENERATE',
      prompt: 'x',
      parameters: { model: 'local', imageClipId: clip.id },
    });
    expect(localImage.status).toBe(400);
    expect(JSON.stringify(localImage.body)).toContain('text only');
    const smallImage = await submit(api, user.token, projectId, {
      jobType: 'GENERATE',
      prompt: 'x',
      parameters: { model: 'nova-reel', imageClipId: clip.id },
    });
    // The one model that takes a start image reached its end of life on 2026-09-30.
    expect(smallImage.status).toBe(400);
    expect(JSON.stringify(smallImage.body)).toContain('end of life');
    expect(await strayObjects(api, user.userId, ['users/'])).toEqual([]);
  });
});
