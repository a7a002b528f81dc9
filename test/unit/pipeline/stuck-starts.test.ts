/**
 * What the stuck-start sweep does with each start's outcome: a job it started is reported started; one whose
 * start met its execution still running is left to it; one whose execution has ended while the job is still
 * QUEUED is failed through the ended execution's path (MarkFailed's task, then the owner's waiting uploads);
 * one whose execution is not seen yet is looked at again by the next run.
 */
import { describe, expect, it } from 'vitest';
import type { SweepCandidate as Job } from '#shared/jobs/repository.ts';
import {
  createStuckStartSweep,
  ENDED_UNSTARTED_CAUSE,
  OVERRAN_CAUSE,
  OVERRUN_AFTER_MS,
} from '#shared/pipeline/stuck-starts.ts';
import { failureMessage, type PipelineState } from '#shared/pipeline/tasks.ts';
import { EXECUTION_TIMEOUT_SECONDS } from '#shared/workflow/execution-timeout.ts';
import type { ExecutionState } from '#shared/workflow/port.ts';

const job = (n: number) =>
  ({
    id: `00000000-0000-4000-8000-00000000000${n}`,
    userId: `10000000-0000-4000-8000-00000000000${n}`,
    projectId: '20000000-0000-4000-8000-000000000000',
    jobType: n === 1 ? 'GENERATE' : 'TRANSCODE',
    model: null,
    createdAt: new Date(0),
    startedAt: null,
  }) as Job;

function sweepOver(executions: Record<string, ExecutionState>, markFailedFails = new Set<string>()) {
  const jobs = [1, 2, 3, 4].map(job);
  const calls: string[] = [];
  const failedStates: PipelineState[] = [];
  const sweep = createStuckStartSweep({
    jobs: { listQueuedAdmitted: async () => jobs, listProcessingStartedBefore: async () => [] },
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
  expect(await sweep()).toEqual({ started: [one.id], failed: [two.id], overran: [] });
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

describe('a job PROCESSING past its execution timeout', () => {
  const HOUR = 3_600_000;
  /** PROCESSING jobs started the given hours before the clock's start, read as the repository reads them. */
  function overrunSweep(startedHoursAgo: number[], executions: Record<string, ExecutionState> = {}) {
    let clock = Date.parse('2026-01-01T12:00:00Z');
    const jobs = startedHoursAgo.map((hours, i) => ({
      ...job(i + 1),
      status: 'PROCESSING',
      startedAt: new Date(clock - hours * HOUR),
    })) as (Job & { status: string })[];
    const failedStates: PipelineState[] = [];
    const reads: number[] = [];
    const sweep = createStuckStartSweep({
      jobs: {
        listQueuedAdmitted: async () => [],
        listProcessingStartedBefore: async (before, limit, after) => {
          reads.push(limit);
          return jobs
            .filter((j) => j.status === 'PROCESSING' && j.startedAt! < before)
            .filter(
              (j) =>
                !after ||
                j.startedAt! > after.startedAt! ||
                (+j.startedAt! === +after.startedAt! && j.id > after.id),
            )
            .sort((a, b) => +a.startedAt! - +b.startedAt! || a.id.localeCompare(b.id))
            .slice(0, limit);
        },
      },
      workflow: {
        start: async () => expect.fail('nothing PROCESSING is started again'),
        executionState: async (jobId) => executions[jobId] ?? 'ended',
      },
      tasks: {
        markFailed: async (state) => {
          failedStates.push(state);
          Object.assign(jobs.find((j) => j.id === state.jobId)!, { status: 'FAILED' });
        },
      },
      startWaiting: async () => [],
      now: () => clock,
      pageSize: 2,
    });
    return { sweep, jobs, failedStates, reads, tick: (ms: number) => (clock += ms) };
  }

  it('waits the execution timeout and a margin, then fails it with a sentence that says what to do', async () => {
    expect(OVERRUN_AFTER_MS).toBeGreaterThan(EXECUTION_TIMEOUT_SECONDS * 1000);
    const { sweep, jobs, failedStates, tick } = overrunSweep([1]);
    expect((await sweep()).overran).toEqual([]);
    // One minute short of the limit, it is still the execution's.
    tick(OVERRUN_AFTER_MS - HOUR - 60_000);
    expect((await sweep()).overran).toEqual([]);
    tick(120_000);
    expect(await sweep()).toEqual({ started: [], failed: [], overran: [jobs[0]!.id] });
    expect(failedStates).toEqual([
      {
        jobId: jobs[0]!.id,
        userId: jobs[0]!.userId,
        projectId: jobs[0]!.projectId,
        jobType: 'GENERATE',
        error: { Error: 'Interrupted', Cause: OVERRAN_CAUSE },
      },
    ]);
    expect(failureMessage(failedStates[0]!.error)).toBe(OVERRAN_CAUSE);
    expect(OVERRAN_CAUSE).toMatch(/time limit.*submit it again/);
  });

  it('fails every overdue job page by page, leaving one whose execution is still seen running', async () => {
    const executions: Record<string, ExecutionState> = {};
    const { sweep, jobs, reads } = overrunSweep([9, 8, 7, 6, 1], executions);
    const [a, b, c, d, fresh] = jobs as [Job, Job, Job, Job, Job & { status: string }];
    // Clocks apart: its execution still runs, so it is left to end on its own.
    executions[c.id] = 'running';
    expect((await sweep()).overran).toEqual([a.id, b.id, d.id]);
    expect(reads.length).toBeGreaterThan(1);
    delete executions[c.id];
    expect((await sweep()).overran).toEqual([c.id]);
    expect(fresh.status).toBe('PROCESSING');
  });
});
