/**
 * What the stuck-start sweep does with each start's outcome: a job it started is reported started; one whose
 * start met its execution still running is left to it; one whose execution has ended while the job is still
 * QUEUED is failed through the ended execution's path (MarkFailed's task, then the owner's waiting uploads);
 * one whose execution is not seen yet is looked at again by the next run.
 */
import { expect, it } from 'vitest';
import type { Job } from '#shared/jobs/repository.ts';
import { createStuckStartSweep, ENDED_UNSTARTED_CAUSE } from '#shared/pipeline/stuck-starts.ts';
import { failureMessage, type PipelineState } from '#shared/pipeline/tasks.ts';
import type { ExecutionState } from '#shared/workflow/port.ts';

const job = (n: number) =>
  ({
    id: `00000000-0000-4000-8000-00000000000${n}`,
    userId: `10000000-0000-4000-8000-00000000000${n}`,
    projectId: '20000000-0000-4000-8000-000000000000',
    jobType: n === 1 ? 'GENERATE' : 'TRANSCODE',
    parameters: {},
    createdAt: new Date(0),
  }) as unknown as Job;

function sweepOver(executions: Record<string, ExecutionState>, markFailedFails = new Set<string>()) {
  const jobs = [1, 2, 3, 4].map(job);
  const calls: string[] = [];
  const failedStates: PipelineState[] = [];
  const sweep = createStuckStartSweep({
    jobs: { listQueuedAdmitted: async () => jobs },
    workflow: {
      start: async ({ jobId }) => (executions[jobId] ? 'existing' : 'started'),
      executionState: async (jobId) => {
        calls.push(`describe ${jobId}`);
        return executions[jobId] ?? 'none';
      },
    },
    tasks: {
      markFailed: async (state) => {
        calls.push(`markFailed ${state.jobId}`);
        if (markFailedFails.has(state.jobId)) throw new Error('database asleep');
        failedStates.push(state);
      },
    },
    startWaiting: async (userId) => {
      calls.push(`startWaiting ${userId}`);
      return [];
    },
  });
  return { sweep, jobs, calls, failedStates };
}

it('fails a QUEUED job whose execution ended, as the ended execution would have, and leaves the others', async () => {
  const [one, two, three, four] = [1, 2, 3, 4].map(job) as [Job, Job, Job, Job];
  const { sweep, calls, failedStates } = sweepOver({
    [two.id]: 'ended',
    [three.id]: 'running',
    // The start found an execution that the lookup does not see yet: the next run looks again.
    [four.id]: 'none',
  });
  expect(await sweep()).toEqual({ started: [one.id], failed: [two.id] });
  expect(calls).toEqual([
    `describe ${two.id}`,
    `markFailed ${two.id}`,
    `startWaiting ${two.userId}`,
    `describe ${three.id}`,
    `describe ${four.id}`,
  ]);
  expect(failedStates).toEqual([
    {
      jobId: two.id,
      userId: two.userId,
      projectId: two.projectId,
      jobType: 'TRANSCODE',
      error: { Error: 'Interrupted', Cause: ENDED_UNSTARTED_CAUSE },
    },
  ]);
  // What the user reads: the sentence itself, which says what to do.
  expect(failureMessage(failedStates[0]!.error)).toBe(ENDED_UNSTARTED_CAUSE);
  expect(ENDED_UNSTARTED_CAUSE).toMatch(/submit it again/);
});

it('fails every other ended job when one cannot be failed, and then reports that one', async () => {
  const [one, two, three] = [1, 2, 3].map(job) as [Job, Job, Job];
  const { sweep, failedStates } = sweepOver(
    { [one.id]: 'ended', [two.id]: 'ended', [three.id]: 'ended' },
    new Set([one.id]),
  );
  await expect(sweep()).rejects.toThrow('1 stuck job(s) could not be started or failed.');
  expect(failedStates.map((s) => s.jobId)).toEqual([two.id, three.id]);
});
