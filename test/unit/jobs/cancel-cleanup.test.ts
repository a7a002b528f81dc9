/**
 * Cancelling the job of an upload deletes the uploaded file; when that deletion fails, the cancel still
 * answers with the cancelled job (a 500 would make the client retry into a 409), and the failure is reported.
 */
import { expect, it, vi } from 'vitest';
import type { Job } from '#shared/jobs/repository.ts';
import { createJobService } from '#shared/jobs/service.ts';

const job = {
  id: '6b0f3c1e-7d2a-4f7b-9a51-3c2d8e9f0a11',
  jobType: 'TRANSCODE',
  status: 'FAILED',
  parameters: { upload: { key: 'uploads/u/p/6b0f3c1e-7d2a-4f7b-9a51-3c2d8e9f0a11/clip.mp4' } },
} as unknown as Job;

function service(deleteKeys: (keys: string[]) => Promise<void>, onCleanupError = vi.fn()) {
  const jobs = { cancel: vi.fn(async () => job) };
  const workflow = { stop: vi.fn(async () => undefined) };
  return {
    onCleanupError,
    jobs,
    svc: createJobService({
      users: {},
      clips: {},
      templates: {},
      jobs,
      workflow,
      store: { deleteKeys },
      onCleanupError,
    } as unknown as Parameters<typeof createJobService>[0]),
  };
}

it('deletes the uploaded file of a cancelled upload job', async () => {
  const deleteKeys = vi.fn(async () => undefined);
  const { svc, onCleanupError } = service(deleteKeys);
  await expect(svc.cancel('user', job.id)).resolves.toBe(job);
  expect(deleteKeys).toHaveBeenCalledWith(['uploads/u/p/6b0f3c1e-7d2a-4f7b-9a51-3c2d8e9f0a11/clip.mp4']);
  expect(onCleanupError).not.toHaveBeenCalled();
});

it('answers with the cancelled job when the file cannot be deleted, and reports the failure', async () => {
  const failure = new Error('S3 unavailable');
  const { svc, onCleanupError } = service(async () => {
    throw failure;
  });
  await expect(svc.cancel('user', job.id)).resolves.toBe(job);
  expect(onCleanupError).toHaveBeenCalledWith('cancelled upload file not deleted', failure);
});
