/**
 * `npm start` after a stop: jobs left QUEUED run, jobs left PROCESSING end FAILED with a message, account
 * tasks accepted and not ended run.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startLocalEnvironment } from '#infra/local/environment.ts';
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
