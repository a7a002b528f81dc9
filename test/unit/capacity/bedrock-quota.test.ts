/**
 * A Bedrock stand-in with an account quota: StartAsyncInvoke past the quota of running invocations is
 * refused as Bedrock refuses it. The adapter reports that as ModelThrottled; admission keeps starts
 * within the quota, so none is refused.
 */
import {
  BedrockRuntimeClient,
  ServiceQuotaExceededException,
  StartAsyncInvokeCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createAdmission } from '#shared/capacity/admission.ts';
import { memoryCapacityStore } from '#shared/capacity/memory-store.ts';
import { ModelThrottled } from '#shared/generation/bedrock-async.ts';
import { createLumaRayModel } from '#shared/generation/luma-ray.ts';

const QUOTA = 3;
const bedrock = mockClient(BedrockRuntimeClient);
const running = new Set<string>();
let peak = 0;

beforeEach(() => {
  running.clear();
  peak = 0;
  bedrock.reset();
  bedrock.on(StartAsyncInvokeCommand).callsFake((input: { clientRequestToken: string }) => {
    if (running.size >= QUOTA) {
      throw new ServiceQuotaExceededException({ message: 'Too many concurrent invocations', $metadata: {} });
    }
    running.add(input.clientRequestToken);
    peak = Math.max(peak, running.size);
    return {
      invocationArn: `arn:aws:bedrock:us-west-2:123456789012:async-invoke/${input.clientRequestToken}`,
    };
  });
});
afterEach(() => bedrock.reset());

const model = createLumaRayModel({
  client: new BedrockRuntimeClient({ region: 'us-west-2' }),
  bucket: 'media',
});
const start = (jobId: string) =>
  model.start({
    jobId,
    prompt: 'a fox',
    params: { model: 'luma-ray2' },
    outputPrefix: `work/u/${jobId}/generation/`,
  });

it('refuses a start past the quota, which the adapter reports as ModelThrottled', async () => {
  for (let i = 0; i < QUOTA; i++) await start(`job-${i}`);
  await expect(start('one-too-many')).rejects.toBeInstanceOf(ModelThrottled);
});

it('with admission, starts stay within the quota and none is refused', async () => {
  const admitted: string[] = [];
  const admission = createAdmission({
    store: memoryCapacityStore(),
    tokens: {
      async succeed(token) {
        admitted.push(token);
        return true;
      },
      waiting: async () => true,
    },
    capacityOf: () => QUOTA,
    leaseMsOf: () => 60_000,
  });
  const jobs = Array.from({ length: 8 }, (_, i) => `job-${i}`);
  const started = new Set<string>();
  const startAdmitted = async () => {
    for (const jobId of admitted.splice(0)) {
      await start(jobId);
      started.add(jobId);
    }
  };
  for (const jobId of jobs) {
    await admission.enter({
      model: 'luma-ray2',
      jobId,
      userId: `u-${jobId}`,
      enqueuedAt: 1,
      taskToken: jobId,
    });
    await startAdmitted();
  }
  expect(started.size).toBe(QUOTA);
  // Each finished invocation gives its unit to the next job, which then starts.
  while (started.size < jobs.length || running.size) {
    const [done] = running;
    if (!done) break;
    running.delete(done);
    await admission.release('luma-ray2', done);
    await startAdmitted();
  }
  expect(started.size).toBe(jobs.length);
  expect(peak).toBe(QUOTA);
});
