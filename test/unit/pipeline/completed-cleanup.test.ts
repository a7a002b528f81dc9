/**
 * RegisterClip registers the clip, then removes the job's scratch folder and its uploaded source. When that
 * removal fails, the execution goes to MarkFailed (or RegisterClip runs again), which finds the job
 * COMPLETED: the clip must stay, and the scratch files and the upload must still go.
 */
import { expect, it } from 'vitest';
import { createPipelineTasks, type PipelineDeps, type PipelineState } from '#shared/pipeline/tasks.ts';
import type { ObjectStore } from '#shared/storage/port.ts';

const job = {
  id: 'job-1',
  userId: 'user-1',
  projectId: 'project-1',
  jobType: 'TRANSCODE',
  status: 'COMPLETED',
  clipId: 'job-1',
  startedAt: new Date(0),
  parameters: { upload: { key: 'uploads/user-1/project-1/job-1/film.mov', fileName: 'film.mov', size: 10 } },
};

function setup() {
  const removed: string[] = [];
  const store = {
    bucket: 'media',
    deletePrefix: async (prefix: string) => {
      removed.push(prefix);
      return 1;
    },
    deleteKeys: async (keys: readonly string[]) => {
      removed.push(...keys);
    },
  } as unknown as ObjectStore;
  const jobs = {
    getForPipeline: async () => job,
    markFailed: () => Promise.reject(new Error('a completed job is not failed')),
  };
  const tasks = createPipelineTasks({ jobs, store, models: {} } as unknown as PipelineDeps);
  const state: PipelineState = {
    jobId: job.id,
    userId: job.userId,
    projectId: job.projectId,
    jobType: 'TRANSCODE',
    error: { Error: 'InternalError', Cause: 'S3 failed while clearing up' },
  };
  return { tasks, state, removed };
}

const left = ['uploads/user-1/project-1/job-1/film.mov', 'work/user-1/job-1/'];

it('MarkFailed on a job whose clip was registered removes its scratch files and upload, not its clip', async () => {
  const { tasks, state, removed } = setup();
  await tasks.markFailed(state);
  expect(removed.sort()).toEqual(left);
});

it('a RegisterClip retried after the clip was registered clears up what the first attempt left', async () => {
  const { tasks, state, removed } = setup();
  expect(await tasks.registerClip(state)).toEqual({ clipId: job.clipId });
  expect(removed.sort()).toEqual(left);
});
