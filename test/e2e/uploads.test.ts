/**
 * Uploads through the local server: the POST policy bound to the declared size (the local S3 refuses a
 * larger file, and the trigger refuses and deletes one that reaches the bucket anyway), reservations
 * against the quota, their release, and the tier's concurrent-job limit for uploads.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRows } from '#shared/db/sql.ts';
import { runFfmpeg } from '#shared/media/ffmpeg.ts';
import { waitForAudit } from '#test/support/audit.ts';
import { probeClip, waitForJob } from '#test/support/jobs.ts';
import { type LocalApi, startLocalApi } from '#test/support/local-api.ts';
import { makeSource } from '#test/support/media.ts';

const MiB = 1024 ** 2;

let api: LocalApi;
let mostRunning = 0;
/** Only this test's uploads count: executions of earlier tests may still be ending. */
let watched = new Set<string>();

beforeAll(async () => {
  api = await startLocalApi({
    pollMs: 50,
    // The database is the truth of what runs: before every task of a watched job, count its owner's
    // PROCESSING jobs (event logs arrive late, so counting executions would overlap their last steps).
    beforeTask: async (_name, input) => {
      if (!watched.has(input.jobId)) return;
      const [row] = await rawRows<{ n: number }>(
        api.env.ctx.db,
        sql`SELECT count(*)::int AS n FROM generation_jobs WHERE user_id = ${input.userId}::uuid AND status = 'PROCESSING'`,
      );
      mostRunning = Math.max(mostRunning, row?.n ?? 0);
    },
  });
});
afterAll(async () => {
  await api?.stop();
});

/** A small H.264 file of an ffmpeg test source (lavfi), written with any extra output options. */
async function lavfiVideo(name: string, source: string, format: string[] = []) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'uploads-'));
  const file = path.join(dir, name);
  await runFfmpeg([
    '-f',
    'lavfi',
    '-i',
    source,
    '-c:v',
    'libx264',
    '-pix_fmt',
    'yuv420p',
    ...format,
    '-y',
    file,
  ]);
  return new Uint8Array(await readFile(file));
}

async function newProject() {
  const user = await api.newUser();
  const project = await api.call('POST', '/v1/projects', { token: user.token, body: { title: 'uploads' } });
  return { user, projectId: project.body.id as string };
}

const presign = (token: string, projectId: string, fileSize: number, fileName = 'clip.mp4') =>
  api.call('POST', `/v1/projects/${projectId}/uploads`, {
    token,
    body: { fileName, contentType: 'video/mp4', fileSize },
  });

function send(grant: { url: string; fields: Record<string, string> }, bytes: Uint8Array) {
  const form = new FormData();
  for (const [k, v] of Object.entries(grant.fields)) form.append(k, v);
  form.append('file', new Blob([bytes], { type: 'video/mp4' }), 'clip.mp4');
  return fetch(grant.url, { method: 'POST', body: form });
}

async function post(grant: { url: string; fields: Record<string, string> }, bytes: Uint8Array) {
  expect((await send(grant, bytes)).status).toBeLessThan(300);
}

async function jobOfUpload(token: string, uploadId: string) {
  for (let i = 0; i < 400; i += 1) {
    if ((await api.call('GET', `/v1/jobs/${uploadId}`, { token })).status === 200) {
      return (await waitForJob(api, token, uploadId)).job;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no job was created for the upload');
}

const totals = (userId: string) => api.env.ctx.reservations.totals(userId);

describe('uploads', () => {
  it('refuses a file larger than declared, at the bucket and again at the trigger', async () => {
    const { user, projectId } = await newProject();
    const grant = await presign(user.token, projectId, 1000);
    expect(grant.status).toBe(201);
    expect(grant.body.maxBytes).toBe(1000);
    const refused = await send(grant.body, new Uint8Array(2000));
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('<Code>EntityTooLarge</Code>');
    expect(await api.env.ctx.store.list(`uploads/${user.userId}/`)).toEqual([]);
    // Should a larger file reach the bucket all the same, the trigger refuses and deletes it.
    await api.env.ctx.store.putBytes(grant.body.fields.key, new Uint8Array(2000), 'video/mp4');
    const job = await jobOfUpload(user.token, grant.body.uploadId);
    expect(job).toMatchObject({ status: 'FAILED', jobType: 'TRANSCODE' });
    expect(job.errorMessage).toMatch(/larger than the .* declared for it; it was deleted/);
    expect(await api.env.ctx.store.list(`uploads/${user.userId}/`)).toEqual([]);
    expect(await totals(user.userId)).toMatchObject({ reserved: 0, used: 0 });
  });

  it('reserves declared bytes, so presigned uploads together cannot exceed the quota', async () => {
    const { user, projectId } = await newProject();
    expect((await presign(user.token, projectId, 600 * MiB)).status).toBe(201);
    const over = await presign(user.token, projectId, 500 * MiB);
    expect(over.status).toBe(413);
    expect(over.headers.get('content-type')).toContain('application/problem+json');
    expect((await presign(user.token, projectId, 424 * MiB)).status).toBe(201);
    expect((await presign(user.token, projectId, 1)).status).toBe(413);
    expect(await totals(user.userId)).toMatchObject({ reserved: 1024 * MiB, used: 0 });
  });

  it('releases the reservation when the upload fails', async () => {
    const { user, projectId } = await newProject();
    const bytes = new TextEncoder().encode('this is not a video');
    const grant = await presign(user.token, projectId, bytes.byteLength);
    expect(await totals(user.userId)).toMatchObject({ reserved: bytes.byteLength });
    await post(grant.body, bytes);
    const job = await jobOfUpload(user.token, grant.body.uploadId);
    expect(job.status).toBe('FAILED');
    expect(await totals(user.userId)).toMatchObject({ reserved: 0, used: 0 });
    expect(await api.env.ctx.store.list(`uploads/${user.userId}/`)).toEqual([]);
  });

  it('runs 6 parallel uploads of a FREE user at most 2 at a time, all to COMPLETED', async () => {
    const { user, projectId } = await newProject();
    const bytes = await lavfiVideo('clip.mp4', 'testsrc2=s=160x120:rate=10:duration=1');
    mostRunning = 0;
    const grants = await Promise.all(
      Array.from({ length: 6 }, (_, i) => presign(user.token, projectId, bytes.byteLength, `clip${i}.mp4`)),
    );
    for (const g of grants) expect(g.status).toBe(201);
    watched = new Set(grants.map((g) => g.body.uploadId as string));
    await Promise.all(grants.map((g) => post(g.body, bytes)));
    const jobs = await Promise.all(grants.map((g) => jobOfUpload(user.token, g.body.uploadId)));
    await api.env.idle();
    for (const job of jobs) expect(job).toMatchObject({ status: 'COMPLETED', errorMessage: null });
    expect(mostRunning).toBeGreaterThan(0);
    expect(mostRunning).toBeLessThanOrEqual(2);
    const me = (await api.call('GET', '/v1/me', { token: user.token })).body;
    const clips = (await api.call('GET', `/v1/projects/${projectId}/clips`, { token: user.token })).body
      .items;
    expect(clips).toHaveLength(6);
    expect(await totals(user.userId)).toMatchObject({ reserved: 0, used: me.storageUsed });
    expect(me.storageUsed).toBeGreaterThan(0);
    expect(await api.env.ctx.store.list(`uploads/${user.userId}/`)).toEqual([]);
  });
});

describe('cancelling an upload', () => {
  /** Until the local trigger has dealt with what landed under the user's upload area. */
  async function uploadAreaEmpty(userId: string) {
    for (let i = 0; i < 400; i += 1) {
      if ((await api.env.ctx.store.list(`uploads/${userId}/`)).length === 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the uploaded file was never dealt with');
  }

  it('gives the reservation back at once, and deletes a file still sent with the cancelled POST', async () => {
    const { user, projectId } = await newProject();
    const bytes = await lavfiVideo('clip.mp4', 'testsrc2=s=160x120:rate=10:duration=1');
    const grant = await presign(user.token, projectId, 600 * MiB);
    expect((await presign(user.token, projectId, 500 * MiB)).status).toBe(413);
    const cancelled = await api.call('DELETE', `/v1/uploads/${grant.body.uploadId}`, { token: user.token });
    expect(cancelled.status, cancelled.text).toBe(204);
    expect(await totals(user.userId)).toMatchObject({ reserved: 0, used: 0 });
    const audited = await waitForAudit(api, user.userId, (items) =>
      items.some((i) => i.action === 'upload.cancel'),
    );
    expect(audited.find((i) => i.action === 'upload.cancel')).toMatchObject({
      resourceType: 'upload',
      resourceIds: [grant.body.uploadId],
      outcome: 'success',
      status: 204,
    });
    expect((await presign(user.token, projectId, 500 * MiB)).status).toBe(201);

    // Sent again (say its answer was lost): the same answer, and nothing given back twice.
    const again = await api.call('DELETE', `/v1/uploads/${grant.body.uploadId}`, { token: user.token });
    expect(again.status).toBe(204);
    expect(await totals(user.userId)).toMatchObject({ reserved: 500 * MiB, used: 0 });
    const unknown = await api.call('DELETE', `/v1/uploads/${randomUUID()}`, { token: user.token });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');

    // The presigned POST itself stays valid until it expires: what it sends is deleted on arrival.
    const late = await presign(user.token, projectId, bytes.byteLength, 'late.mp4');
    expect(
      (await api.call('DELETE', `/v1/uploads/${late.body.uploadId}`, { token: user.token })).status,
    ).toBe(204);
    await post(late.body, bytes);
    await uploadAreaEmpty(user.userId);
    await api.env.idle();
    expect((await api.call('GET', `/v1/jobs/${late.body.uploadId}`, { token: user.token })).status).toBe(404);
    const clips = await api.call('GET', `/v1/projects/${projectId}/clips`, { token: user.token });
    expect(clips.body.items).toEqual([]);
    expect(await totals(user.userId)).toMatchObject({ reserved: 500 * MiB, used: 0 });
  });

  it('lists the uploads in progress, with what it takes to find and cancel one', async () => {
    const { user, projectId } = await newProject();
    const grant = await presign(user.token, projectId, 1000, 'lost.mp4');
    const list = () => api.call('GET', `/v1/projects/${projectId}/uploads`, { token: user.token });
    const listed = await list();
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body).toEqual({
      items: [
        {
          uploadId: grant.body.uploadId,
          fileName: 'lost.mp4',
          fileSize: 1000,
          state: 'awaiting-file',
          expiresAt: expect.any(String),
          createdAt: expect.any(String),
        },
      ],
      nextCursor: null,
    });
    // The link's expiry as the POST was signed, to the second.
    const listedExpiry = Date.parse(listed.body.items[0].expiresAt);
    expect(Math.abs(listedExpiry - Date.parse(grant.body.expiresAt))).toBeLessThan(1000);
    await api.call('DELETE', `/v1/uploads/${grant.body.uploadId}`, { token: user.token });
    expect((await list()).body.items).toEqual([]);
  });

  it('a cancel sent while the file arrives: either cancelled and deleted, or a job, never both nor neither', async () => {
    const { user, projectId } = await newProject();
    const bytes = new TextEncoder().encode('this is not a video');
    for (let round = 0; round < 6; round += 1) {
      const grant = await presign(user.token, projectId, bytes.byteLength, `race${round}.mp4`);
      const uploadId = grant.body.uploadId as string;
      const cancel = (async () => {
        // After the file is sent, with a varying pause, so the cancel meets the trigger at different steps.
        await new Promise((r) => setTimeout(r, round * 5));
        return api.call('DELETE', `/v1/uploads/${uploadId}`, { token: user.token });
      })();
      const [cancelled] = await Promise.all([cancel, post(grant.body, bytes)]);
      if (cancelled.status === 204) {
        await uploadAreaEmpty(user.userId);
        await api.env.idle();
        expect((await api.call('GET', `/v1/jobs/${uploadId}`, { token: user.token })).status).toBe(404);
      } else {
        expect(cancelled.status, cancelled.text).toBe(409);
        // The job ends (the bytes are no video), and it is the only trace.
        expect((await jobOfUpload(user.token, uploadId)).status).toBe('FAILED');
      }
    }
    await api.env.idle();
    expect(await totals(user.userId)).toMatchObject({ reserved: 0, used: 0 });
    expect(await api.env.ctx.store.list(`uploads/${user.userId}/`)).toEqual([]);
  });

  it("answers 404 for another user's upload and leaves it alone", async () => {
    const { user, projectId } = await newProject();
    const intruder = await api.newUser();
    const grant = await presign(user.token, projectId, 1000);
    const res = await api.call('DELETE', `/v1/uploads/${grant.body.uploadId}`, { token: intruder.token });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await totals(user.userId)).toMatchObject({ reserved: 1000 });
  });

  it('answers 409 once the file has arrived, naming the job to cancel instead', async () => {
    const { user, projectId } = await newProject();
    const bytes = new TextEncoder().encode('this is not a video');
    const grant = await presign(user.token, projectId, bytes.byteLength);
    await post(grant.body, bytes);
    const job = await jobOfUpload(user.token, grant.body.uploadId);
    const res = await api.call('DELETE', `/v1/uploads/${grant.body.uploadId}`, { token: user.token });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.detail).toContain(`POST /v1/jobs/${job.id}/cancel`);
  });
});

describe('the tier’s longest clip, for uploads', () => {
  /** 60 s of video (twice the FREE tier's 30 s) in a few KB, written by ffmpeg with these output options. */
  const longVideo = (name: string, format: string[]) =>
    lavfiVideo(name, 'color=c=blue:s=64x64:rate=1:duration=60', format);

  it.each([
    [
      'a Matroska file written as a live stream (no duration in its header)',
      'long.mkv',
      ['-live', '1', '-f', 'matroska'],
    ],
    ['a raw H.264 stream (no container at all)', 'long.h264', ['-f', 'h264']],
  ])('refuses %s rather than transcoding past the tier’s limit', async (_what, name, format) => {
    const { user, projectId } = await newProject();
    const bytes = await longVideo(name, format);
    const grant = await presign(user.token, projectId, bytes.byteLength, name);
    expect(grant.status).toBe(201);
    await post(grant.body, bytes);
    const job = await jobOfUpload(user.token, grant.body.uploadId);
    expect(job.status, job.errorMessage ?? '').toBe('FAILED');
    expect(job.errorMessage).toMatch(/does not say how long it lasts.*FREE tier.*30 s/);
    expect(job.clipId).toBeNull();
    const clips = await api.call('GET', `/v1/projects/${projectId}/clips`, { token: user.token });
    expect(clips.body.items).toEqual([]);
    expect(await totals(user.userId)).toMatchObject({ reserved: 0, used: 0 });
  });

  it('fails a file whose header understates its length once the transcode shows it, storing nothing', async () => {
    const { user, projectId } = await newProject();
    const bytes = await longVideo('liar.mkv', ['-f', 'matroska']);
    // The segment's Duration (element 0x4489, an 8-byte float in milliseconds) rewritten to 10 s.
    const at = Buffer.from(bytes).indexOf(Buffer.from([0x44, 0x89, 0x88]));
    expect(at).toBeGreaterThan(0);
    new DataView(bytes.buffer, bytes.byteOffset).setFloat64(at + 3, 10_000);
    const grant = await presign(user.token, projectId, bytes.byteLength, 'liar.mkv');
    await post(grant.body, bytes);
    const job = await jobOfUpload(user.token, grant.body.uploadId);
    expect(job).toMatchObject({ status: 'FAILED', clipId: null });
    expect(job.errorMessage).toBe(
      'The uploaded video lasts 60 s, longer than its file states; the FREE tier accepts up to 30 s.',
    );
    await api.env.idle();
    expect(await totals(user.userId)).toMatchObject({ reserved: 0, used: 0 });
    expect(await api.env.ctx.store.list(`users/${user.userId}/`)).toEqual([]);
    expect(await api.env.ctx.store.list(`uploads/${user.userId}/`)).toEqual([]);
  });

  it('refuses a file whose header states its length, when that is past the limit', async () => {
    const { user, projectId } = await newProject();
    const bytes = await longVideo('long.mp4', ['-f', 'mp4']);
    const grant = await presign(user.token, projectId, bytes.byteLength, 'long.mp4');
    await post(grant.body, bytes);
    const job = await jobOfUpload(user.token, grant.body.uploadId);
    expect(job).toMatchObject({ status: 'FAILED', clipId: null });
    expect(job.errorMessage).toBe('The uploaded video lasts 60 s; the FREE tier accepts up to 30 s.');
  });
});

describe('the frame rate of uploads', () => {
  it('writes a source of more than 60 frames a second at 60, as every other job type is bound, and says so', async () => {
    const { user, projectId } = await newProject();
    const bytes = await lavfiVideo('fast.mp4', 'testsrc2=s=160x120:rate=240:duration=1');
    const grant = await presign(user.token, projectId, bytes.byteLength, 'fast.mp4');
    await post(grant.body, bytes);
    const job = await jobOfUpload(user.token, grant.body.uploadId);
    expect(job.status, job.errorMessage ?? '').toBe('COMPLETED');
    const clip = (await api.call('GET', `/v1/clips/${job.clipId}`, { token: user.token })).body;
    const probed = await probeClip(api, clip);
    expect(probed.frameRate.numerator / probed.frameRate.denominator).toBe(60);
    expect(clip.system.adjustments).toEqual([
      'The upload runs at 240 frames a second; the clip was written at 60, the most a clip may have.',
    ]);
  });
});

describe('MPEG-TS uploads', () => {
  it('turns an H.264 + AAC transport stream into a clip, though the local ffprobe crashes on MPEG-TS', async () => {
    const { user, projectId } = await newProject();
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'uploads-')), 'camera.ts');
    await makeSource(file, { size: '320x240', rate: '25', seconds: 3, toneHz: 440 });
    const bytes = new Uint8Array(await readFile(file));
    const grant = await presign(user.token, projectId, bytes.byteLength, 'camera.ts');
    await post(grant.body, bytes);
    const job = await jobOfUpload(user.token, grant.body.uploadId);
    expect(job.status, job.errorMessage ?? '').toBe('COMPLETED');
    const clip = (await api.call('GET', `/v1/clips/${job.clipId}`, { token: user.token })).body;
    const probed = await probeClip(api, clip);
    expect([probed.width, probed.height]).toEqual([320, 240]);
    expect(probed.hasAudio).toBe(true);
    expect(Math.abs(probed.duration - 3)).toBeLessThanOrEqual(0.1);
  });
});
