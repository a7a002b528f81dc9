/**
 * The capacity sweeper's entry point: it reclaims leases and starts the jobs whose start was lost (or fails
 * those whose execution had ended), each even when the other fails, and fails the invocation (so its errors
 * alarm) when either did; the second asks the database nothing while it rests on the idle marker.
 */
import { beforeEach, expect, it, vi } from 'vitest';
import { memoryIdleMarker } from '#shared/events/idle-marker.ts';

const STUCK = {
  id: '11111111-2222-4333-8444-555555555555',
  userId: '66666666-7777-4888-9999-000000000000',
  projectId: '99999999-8888-4777-8666-555555555555',
  jobType: 'EDIT',
};
const admission = { sweep: vi.fn(async (_model: string): Promise<string[]> => []) };
const jobs = {
  listQueuedAdmitted: vi.fn(async () => [STUCK]),
  listProcessingStartedBefore: vi.fn(async () => []),
  anyActive: vi.fn(async () => true),
};
const idleMarker = memoryIdleMarker(() => Date.now() + 3_600_000);
const start = vi.fn(async (_input: unknown): Promise<'started' | 'existing'> => 'started');
const executionState = vi.fn(async (_jobId: string) => 'ended' as const);
const markFailed = vi.fn(async (_state: unknown) => {});
const startWaiting = vi.fn(async (_userId: string) => []);
const logged: unknown[] = [];
vi.mock('#shared/runtime/pipeline-aws.ts', () => ({
  pipelineRuntime: () => ({
    admission,
    jobs,
    idleMarker,
    tasks: { markFailed },
    logger: { warn: (...args: unknown[]) => logged.push(args) },
  }),
}));
vi.mock('#shared/workflow/step-functions.ts', () => ({
  stepFunctionsWorkflow: () => ({ start, stop: async () => {} }),
  stepFunctionsExecutions: () => ({ executionState }),
}));
vi.mock('#shared/uploads/ingest.ts', () => ({ createUploadIngest: () => ({ startWaiting }) }));
beforeEach(() => {
  process.env.STATE_MACHINE_ARN =
    'arn:aws:states:us-east-1:111122223333:stateMachine:ai-video-dev-generation-job';
  logged.length = 0;
  vi.clearAllMocks();
});

it('starts a job whose start was lost, and logs it', async () => {
  const { handler } = await import('#functions/events/capacity-sweeper.ts');
  await handler({} as never);
  expect(admission.sweep).toHaveBeenCalledWith('local');
  expect(start).toHaveBeenCalledWith({
    jobId: STUCK.id,
    userId: STUCK.userId,
    projectId: STUCK.projectId,
    jobType: 'EDIT',
  });
  expect(logged).toEqual([
    ['admitted jobs QUEUED with no execution seen were started', { jobIds: [STUCK.id] }],
  ]);
});

it('fails a job still QUEUED whose execution had ended, starts the waiting uploads, and logs it', async () => {
  start.mockResolvedValueOnce('existing');
  const { handler } = await import('#functions/events/capacity-sweeper.ts');
  await handler({} as never);
  expect(executionState).toHaveBeenCalledWith(STUCK.id);
  expect(markFailed).toHaveBeenCalledWith(
    expect.objectContaining({ jobId: STUCK.id, error: expect.objectContaining({ Error: 'Interrupted' }) }),
  );
  expect(startWaiting).toHaveBeenCalledWith(STUCK.userId);
  expect(logged).toEqual([['jobs QUEUED whose execution had ended were failed', { jobIds: [STUCK.id] }]]);
});

it('starts lost starts even when reclaiming leases fails, and still fails the invocation', async () => {
  admission.sweep.mockRejectedValueOnce(new Error('capacity table unreachable'));
  const { handler } = await import('#functions/events/capacity-sweeper.ts');
  await expect(handler({} as never)).rejects.toThrow('capacity table unreachable');
  expect(start).toHaveBeenCalledTimes(1);
});

it('reclaims leases even when the job lookup fails', async () => {
  jobs.listQueuedAdmitted.mockRejectedValueOnce(new Error('database asleep'));
  const { handler } = await import('#functions/events/capacity-sweeper.ts');
  await expect(handler({} as never)).rejects.toThrow('database asleep');
  expect(admission.sweep).toHaveBeenCalledWith('local');
});

it('rests the lost-start sweep once no job is QUEUED, and still reclaims leases', async () => {
  jobs.anyActive.mockResolvedValueOnce(false);
  const { handler } = await import('#functions/events/capacity-sweeper.ts');
  await handler({} as never);
  expect(jobs.listQueuedAdmitted).toHaveBeenCalledTimes(1);
  vi.clearAllMocks();
  await handler({} as never);
  expect(jobs.listQueuedAdmitted).not.toHaveBeenCalled();
  expect(jobs.anyActive).not.toHaveBeenCalled();
  expect(admission.sweep).toHaveBeenCalledWith('local');
  await idleMarker.wake();
  await handler({} as never);
  expect(jobs.listQueuedAdmitted).toHaveBeenCalledTimes(1);
});
