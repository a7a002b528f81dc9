/**
 * The user metadata of a transcode names the stage: MediaConvert sends every job's state changes in the
 * account and Region to EventBridge, so a stage's progress rule tells its own jobs by it (stages may share
 * an account, and another stage's Aurora would otherwise be resumed by every progress update).
 */
import { describe, expect, it } from 'vitest';
import { createPipelineTasks, type PipelineDeps } from '#shared/pipeline/tasks.ts';

const job = {
  id: 'job-1',
  userId: 'u1',
  projectId: 'p1',
  jobType: 'GENERATE',
  parameters: { model: 'luma-ray2', resolution: '1280x720' },
  sourceClipIds: [],
};
const state = {
  jobId: 'job-1',
  userId: 'u1',
  projectId: 'p1',
  jobType: 'GENERATE' as const,
  generation: {
    handle: 'h',
    model: 'luma-ray2',
    startedAt: 0,
    expectedSeconds: 1,
    videoKey: 'work/u1/job-1/generation/abc/output.mp4',
  },
};
const deps = (stage?: string) =>
  ({
    jobs: { getForPipeline: async () => job, reportProgress: async () => {} },
    clips: { getMany: async () => [] },
    store: { bucket: 'media' },
    models: {},
    ...(stage ? { stage } : {}),
  }) as unknown as PipelineDeps;

describe('the user metadata of a transcode', () => {
  it('names the job, its clip and the stage', async () => {
    const { userMetadata } = await createPipelineTasks(deps('prod')).buildTranscodeSettings(state);
    expect(userMetadata).toEqual({ jobId: 'job-1', clipId: 'job-1', stage: 'prod' });
  });

  it('names no stage where none is set (locally)', async () => {
    const { userMetadata } = await createPipelineTasks(deps()).buildTranscodeSettings(state);
    expect(userMetadata).toEqual({ jobId: 'job-1', clipId: 'job-1' });
  });
});
