/**
 * AcquireCapacity waits for a unit as long as the execution may run, so a GENERATE job can time out
 * without ever starting. Its message says that it waited for the model and was not charged, not that the
 * job itself took too long; a job that did start keeps the generic sentence.
 */
import { expect, it } from 'vitest';
import {
  CAPACITY_WAIT_ENDED,
  createPipelineTasks,
  type PipelineDeps,
  type PipelineState,
} from '#shared/pipeline/tasks.ts';
import type { ObjectStore } from '#shared/storage/port.ts';

async function failTimedOut(startedAt: Date | null): Promise<string | undefined> {
  let message: string | undefined;
  const job = {
    id: 'job-1',
    userId: 'user-1',
    projectId: 'project-1',
    jobType: 'GENERATE',
    status: startedAt ? 'PROCESSING' : 'QUEUED',
    startedAt,
    parameters: { prompt: 'a fox', model: 'local' },
  };
  const jobs = {
    getForPipeline: async () => job,
    markFailed: async (_id: string, text: string) => {
      message = text;
      return { ...job, status: 'FAILED' };
    },
  };
  const store = { deletePrefix: async () => 0, deleteKeys: async () => undefined } as unknown as ObjectStore;
  const admission = { release: async () => undefined };
  const tasks = createPipelineTasks({ jobs, store, models: {}, admission } as unknown as PipelineDeps);
  const state: PipelineState = {
    jobId: job.id,
    userId: job.userId,
    projectId: job.projectId,
    jobType: 'GENERATE',
    error: { Error: 'States.Timeout', Cause: 'The job took too long and was stopped.' },
  };
  await tasks.markFailed(state);
  return message;
}

it('tells a GENERATE job that timed out in its model’s line that it waited for capacity', async () => {
  expect(await failTimedOut(null)).toBe(CAPACITY_WAIT_ENDED);
});

it('keeps the generic sentence for a job that had started', async () => {
  expect(await failTimedOut(new Date(0))).toBe('The job took too long and was stopped.');
});
