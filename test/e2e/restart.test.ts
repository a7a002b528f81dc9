/**
 * `npm start` after a stop: jobs left QUEUED run, jobs left PROCESSING end FAILED with a message, account
 * tasks accepted and not ended run.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, expect, it } from 'vitest';
import { startLocalEnvironment } from '#infra/local/environment.ts';
import { startLocalS3 } from '#infra/local/s3.ts';
import { bareEnvironmentOptions } from '#test/support/local-environment.ts';

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'restart-'));
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

it('resumes QUEUED jobs and fails interrupted ones after a restart', async () => {
  // The template seeds the first start only: the second finds the database it left and must keep it.
  const options = await bareEnvironmentOptions(dataDir);
  const first = await startLocalEnvironment(options);
  const user = await first.ctx.users.create({ email: 'r@example.com', username: 'restart_user' });
  const project = await first.ctx.projects.create(user.id, { title: 'restart' });
  const job = (name: string) =>
    first.ctx.jobs.create({
      userId: user.id,
      projectId: project.id,
      jobType: 'GENERATE',
      prompt: name,
      parameters: { model: 'local', durationSeconds: 1, resolution: '640x360' },
      concurrentLimit: 10,
    });
  // Rows as a crash would leave them: one never started, one mid-run with a scratch file.
  const queued = await job('queued');
  const interrupted = await job('interrupted');
  await first.ctx.jobs.markProcessing(interrupted.id);
  await first.ctx.store.putBytes(
    `work/${user.id}/${interrupted.id}/generation/partial.mp4`,
    'x',
    'video/mp4',
  );
  await first.stop();

  const second = await startLocalEnvironment(options);
  try {
    await second.idle();
    const after = await second.ctx.jobs.get(user.id, interrupted.id);
    expect(after).toMatchObject({ status: 'FAILED' });
    expect(after.errorMessage).toMatch(/local server stopped while this job ran/);
    expect(await second.ctx.store.list(`work/${user.id}/`)).toEqual([]);
    const resumed = await second.ctx.jobs.get(user.id, queued.id);
    expect(resumed.status).toBe('COMPLETED');
    expect(resumed.clipId).toBe(queued.id);
  } finally {
    await second.stop();
  }
});

it('tells the owner of an upload whose transcode a crash interrupted to upload the file again', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'restart-upload-'));
  try {
    const options = await bareEnvironmentOptions(dir);
    const first = await startLocalEnvironment(options);
    const user = await first.ctx.users.create({ email: 'u@example.com', username: 'upload_user' });
    const project = await first.ctx.projects.create(user.id, { title: 'upload' });
    const uploadId = randomUUID();
    const key = `uploads/${user.id}/${project.id}/${uploadId}/fox.mp4`;
    await first.ctx.store.putBytes(key, 'x', 'video/mp4');
    // The upload's TRANSCODE job as a crash mid-transcode leaves it.
    await first.ctx.jobs.create({
      id: uploadId,
      userId: user.id,
      projectId: project.id,
      jobType: 'TRANSCODE',
      prompt: 'Upload fox.mp4',
      parameters: { upload: { key, fileName: 'fox.mp4', size: 1 } },
      concurrentLimit: 10,
    });
    await first.ctx.jobs.markProcessing(uploadId);
    await first.stop();

    const second = await startLocalEnvironment(options);
    try {
      await second.idle();
      const after = await second.ctx.jobs.get(user.id, uploadId);
      expect(after.status).toBe('FAILED');
      // The file went with the job: there is no job to submit again, only the file to upload again.
      expect(after.errorMessage).toBe(
        'The local server stopped while this upload was transcoded; upload the file again.',
      );
      expect(await second.ctx.store.list(`uploads/${user.id}/`)).toEqual([]);
    } finally {
      await second.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it("handles at the next start what a crash left in the bucket: ended jobs' files, an upload's unseen file", async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'restart-leftovers-'));
  try {
    const options = await bareEnvironmentOptions(dir);
    const first = await startLocalEnvironment(options);
    const user = await first.ctx.users.create({ email: 'l@example.com', username: 'leftover_user' });
    const project = await first.ctx.projects.create(user.id, { title: 'leftovers' });
    const done = await first.ctx.jobs.create({
      userId: user.id,
      projectId: project.id,
      jobType: 'GENERATE',
      prompt: 'done',
      parameters: { model: 'local', durationSeconds: 1, resolution: '640x360' },
      concurrentLimit: 10,
    });
    const input = { userId: user.id, projectId: project.id, jobType: 'GENERATE' as const };
    await first.ctx.workflow.start({ jobId: done.id, ...input });
    await first.idle();
    expect((await first.ctx.jobs.get(user.id, done.id)).status).toBe('COMPLETED');
    const clipObjects = await first.ctx.store.list(`users/${user.id}/`);
    // An upload's transcode that failed: the row says so, its files had not gone yet.
    const failedId = randomUUID();
    const failedKey = `uploads/${user.id}/${project.id}/${failedId}/fox.mp4`;
    await first.ctx.jobs.create({
      id: failedId,
      userId: user.id,
      projectId: project.id,
      jobType: 'TRANSCODE',
      prompt: 'Upload fox.mp4',
      parameters: { upload: { key: failedKey, fileName: 'fox.mp4', size: 1 } },
      concurrentLimit: 10,
    });
    await first.ctx.jobs.markProcessing(failedId);
    await first.ctx.jobs.markFailed(failedId, 'The video could not be transcoded.');
    // An upload whose file landed as the server was killed, before its event was handled.
    const landedId = randomUUID();
    await first.ctx.reservations.create({
      id: landedId,
      userId: user.id,
      projectId: project.id,
      bytes: 1,
      ttlSeconds: 3600,
      fileName: 'cat.mp4',
    });
    await first.stop();
    // The bucket alone, as the crash left it: written, no event handled.
    const s3 = await startLocalS3({ directory: path.join(dir, 's3'), bucket: 'media' });
    const put = (key: string) =>
      s3.client.send(
        new PutObjectCommand({ Bucket: 'media', Key: key, Body: 'x', ContentType: 'video/mp4' }),
      );
    await put(`work/${user.id}/${done.id}/generation/output.mp4`);
    await put(failedKey);
    await put(`work/${user.id}/${failedId}/transcode/part.mp4`);
    await put(`users/${user.id}/projects/${project.id}/clips/${failedId}/video.mp4`);
    await put(`uploads/${user.id}/${project.id}/${landedId}/cat.mp4`);
    await s3.stop();

    const second = await startLocalEnvironment(options);
    try {
      await second.idle();
      expect(await second.ctx.store.list(`work/${user.id}/`)).toEqual([]);
      expect(await second.ctx.store.list(`uploads/${user.id}/`)).toEqual([]);
      expect(await second.ctx.store.list(`users/${user.id}/`)).toEqual(clipObjects);
      // The landed file became its job (one byte is no video: it fails saying so, and nothing is kept).
      const landed = await second.ctx.jobs.get(user.id, landedId);
      expect(landed).toMatchObject({ jobType: 'TRANSCODE', status: 'FAILED' });
      expect(landed.errorMessage).not.toMatch(/server stopped/);
    } finally {
      await second.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it('erases, at the next start, an account whose erasure a crash interrupted', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'restart-erase-'));
  try {
    const options = await bareEnvironmentOptions(dir);
    const first = await startLocalEnvironment(options);
    const user = await first.ctx.users.create({ email: 'e@example.com', username: 'erase_user' });
    const project = await first.ctx.projects.create(user.id, { title: 'erase' });
    await first.ctx.store.putBytes(`users/${user.id}/${project.id}/clip.mp4`, 'x', 'video/mp4');
    await first.stop();
    // What a crash leaves when DELETE /v1/me had answered 202 and its erasure had not run yet.
    await writeFile(
      path.join(dir, 'account-tasks.json'),
      JSON.stringify({ [randomUUID()]: { kind: 'erase', userId: user.id } }),
    );

    const second = await startLocalEnvironment(options);
    try {
      await second.idle();
      await expect(second.ctx.users.getById(user.id)).rejects.toThrow();
      expect(await second.ctx.store.list(`users/${user.id}/`)).toEqual([]);
      expect(JSON.parse(await readFile(path.join(dir, 'account-tasks.json'), 'utf8'))).toEqual({});
    } finally {
      await second.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
