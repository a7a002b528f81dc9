/**
 * The local workflow answers a start and an execution lookup as Step Functions does: a job whose execution
 * runs or has ended (a closed execution's name stays taken) is not run again, and the lookup tells the two
 * apart. The state machine runs for real; its tasks are stand-ins, and MarkProcessing's fails or waits.
 */
import { expect, it, vi } from 'vitest';
import { createLocalWorkflow, TIMED_OUT_CAUSE } from '#infra/local/workflow.ts';
import { failureMessage, type PipelineState, type PipelineTasks } from '#shared/pipeline/tasks.ts';

const JOB = {
  jobId: '11111111-2222-4333-8444-555555555555',
  userId: '66666666-7777-4888-9999-000000000000',
  projectId: '99999999-8888-4777-8666-555555555555',
  jobType: 'EDIT' as const,
};

/** A promise and the function that resolves it. */
function signal() {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

function workflowWith(markProcessing: () => Promise<void>, executionTimeoutSeconds?: number) {
  const failed: PipelineState[] = [];
  const tasks = {
    markProcessing: async () => {
      await markProcessing();
    },
    markFailed: async (state: PipelineState) => {
      failed.push(state);
    },
  } as unknown as PipelineTasks;
  const workflow = createLocalWorkflow({
    tasks,
    store: {} as never,
    jobs: { reportProgress: async () => {} } as never,
    ...(executionTimeoutSeconds !== undefined ? { executionTimeoutSeconds } : {}),
  });
  return { workflow, failed };
}

it('runs a job once: a start while its execution runs, or after it ended, runs nothing', async () => {
  let release = () => {};
  const entered = signal();
  const { workflow, failed } = workflowWith(async () => {
    entered.resolve();
    await new Promise<void>((resolve) => {
      release = resolve;
    });
    throw new Error('the job cannot start');
  });
  expect(await workflow.executionState(JOB.jobId)).toBe('none');
  expect(await workflow.start(JOB)).toBe('started');
  await entered.promise;
  expect(await workflow.executionState(JOB.jobId)).toBe('running');
  expect(await workflow.start(JOB)).toBe('existing');
  release();
  await workflow.idle();
  // MarkProcessing failed: the Catch ran MarkFailed and the execution ended in its Fail state.
  expect(failed.map((s) => s.jobId)).toEqual([JOB.jobId]);
  expect(await workflow.executionState(JOB.jobId)).toBe('ended');
  expect(await workflow.start(JOB)).toBe('existing');
  await workflow.idle();
  expect(failed).toHaveLength(1);
});

it('counts an execution ended as by a crash (no cleanup) as ended', async () => {
  const entered = signal();
  const { workflow, failed } = workflowWith(async () => {
    entered.resolve();
    await new Promise(() => {});
  });
  await workflow.start(JOB);
  await entered.promise;
  await workflow.crash(JOB.jobId);
  expect(failed).toEqual([]);
  expect(await workflow.executionState(JOB.jobId)).toBe('ended');
  expect(await workflow.start(JOB)).toBe('existing');
});

it('times an execution out after the hard timeout, as Step Functions does, and fails its job', async () => {
  const entered = signal();
  // A task that never answers: the execution outlives its limit (a second here, 2 h by default).
  const { workflow, failed } = workflowWith(async () => {
    entered.resolve();
    await new Promise(() => {});
  }, 1);
  await workflow.start(JOB);
  await entered.promise;
  await vi.waitFor(() => expect(failed).toHaveLength(1), { timeout: 5_000 });
  expect(failed[0]).toEqual({ ...JOB, error: { Error: 'States.Timeout', Cause: TIMED_OUT_CAUSE } });
  expect(failureMessage(failed[0]!.error)).toBe('The job took too long and was stopped.');
  await workflow.idle();
  expect(await workflow.executionState(JOB.jobId)).toBe('ended');
});
