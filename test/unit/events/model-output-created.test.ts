/**
 * The Lambda entry points of the output wait: the EventBridge "Object Created" event (AWS's example shape)
 * reaches generationOutputCreated with its bucket and key, and a waitForTaskToken state's payload reaches
 * its task with the token.
 */
import { beforeEach, expect, it, vi } from 'vitest';

const tasks = {
  generationOutputCreated: vi.fn(async () => true),
  startGeneration: vi.fn(async () => ({ handle: 'h', model: 'nova-reel', startedAt: 1, expectedSeconds: 2 })),
  checkGeneration: vi.fn(async () => ({ handle: 'h', model: 'nova-reel', startedAt: 1, expectedSeconds: 2 })),
};
const logged: unknown[] = [];
vi.mock('#shared/runtime/pipeline-aws.ts', () => ({
  pipelineRuntime: () => ({
    tasks,
    logger: {
      appendKeys: (keys: unknown) => logged.push(keys),
      info: (...args: unknown[]) => logged.push(args),
      warn: (...args: unknown[]) => logged.push(args),
    },
  }),
}));
beforeEach(() => {
  logged.length = 0;
  vi.clearAllMocks();
});

const key =
  'work/11111111-2222-4333-8444-555555555555/66666666-7777-4888-9999-000000000000/generation/q1w2e3/output.mp4';

it('hands the created object to the pipeline', async () => {
  const { handler } = await import('#functions/events/model-output-created.ts');
  await handler({
    version: '0',
    id: '17793124-05d4-b198-2fde-7ededc63b103',
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '111122223333',
    time: '2026-11-26T00:00:00Z',
    region: 'us-west-2',
    resources: ['arn:aws:s3:::ai-video-model-out-dev-111122223333-us-west-2'],
    detail: {
      version: '0',
      bucket: { name: 'ai-video-model-out-dev-111122223333-us-west-2' },
      object: {
        key,
        size: 5_242_880,
        etag: 'b1946ac92492d2347c6235b4d2611184',
        sequencer: '00617F08299329D189',
      },
      'request-id': 'N4N7GDK58NMKJ12R',
      requester: '123456789012',
      'source-ip-address': '1.2.3.4',
      reason: 'PutObject',
    },
  } as never);
  expect(tasks.generationOutputCreated).toHaveBeenCalledWith(
    'ai-video-model-out-dev-111122223333-us-west-2',
    key,
  );
});

it('passes a waiting state its task token, and never logs the token', async () => {
  const { waitingPipelineTask } = await import('#functions/pipeline/task.ts');
  const state = { jobId: 'j', userId: 'u', projectId: 'p', jobType: 'GENERATE' as const };
  await waitingPipelineTask('startGeneration')({ state, taskToken: 'secret-token-1' });
  await waitingPipelineTask('checkGeneration')({ state, taskToken: 'secret-token-2' });
  expect(tasks.startGeneration).toHaveBeenCalledWith(state, 'secret-token-1');
  expect(tasks.checkGeneration).toHaveBeenCalledWith(state, 'secret-token-2');
  tasks.checkGeneration.mockRejectedValueOnce(
    Object.assign(new Error('blocked'), { name: 'GenerationFailed' }),
  );
  await expect(
    waitingPipelineTask('checkGeneration')({ state, taskToken: 'secret-token-3' }),
  ).rejects.toMatchObject({
    name: 'GenerationFailed',
  });
  expect(JSON.stringify(logged)).not.toContain('secret-token');
});
