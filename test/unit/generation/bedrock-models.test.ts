import {
  AccessDeniedException,
  BedrockRuntimeClient,
  GetAsyncInvokeCommand,
  StartAsyncInvokeCommand,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-bedrock-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createLumaRayModel } from '#shared/generation/luma-ray.ts';
import { createNovaReelModel } from '#shared/generation/nova-reel.ts';
import type { GenerationRequest } from '#shared/generation/port.ts';

const bedrock = mockClient(BedrockRuntimeClient);
const client = new BedrockRuntimeClient({ region: 'us-east-1' });
const bucket = 'media-bucket';
const ARN = 'arn:aws:bedrock:us-east-1:123456789012:async-invoke/abc123xyz';
const jobId = '11111111-2222-4333-8444-555555555555';

const request = (params: GenerationRequest['params'], prompt = 'a fox in snow'): GenerationRequest => ({
  jobId,
  prompt,
  params,
  outputPrefix: `work/u1/${jobId}/generation/`,
});

beforeEach(() => {
  bedrock.reset();
  bedrock.on(StartAsyncInvokeCommand).resolves({ invocationArn: ARN });
});

const sent = () => bedrock.commandCalls(StartAsyncInvokeCommand)[0]!.args[0].input;

describe('Nova Reel', () => {
  const model = createNovaReelModel({
    client,
    bucket,
    loadImage: async (key) =>
      key === 'users/u/poster.0000000.jpg' ? new Uint8Array([1, 2, 3]) : new Uint8Array(),
  });

  it('starts a 6 s TEXT_VIDEO at 1280x720, 24 fps, with the job id as client token', async () => {
    await expect(model.start(request({ model: 'nova-reel', seed: 7 }))).resolves.toEqual({ handle: ARN });
    expect(sent()).toEqual({
      modelId: 'amazon.nova-reel-v1:1',
      clientRequestToken: jobId,
      modelInput: {
        taskType: 'TEXT_VIDEO',
        textToVideoParams: { text: 'a fox in snow' },
        videoGenerationConfig: { durationSeconds: 6, fps: 24, dimension: '1280x720', seed: 7 },
      },
      outputDataConfig: { s3OutputDataConfig: { s3Uri: `s3://${bucket}/work/u1/${jobId}/generation` } },
    });
  });

  it('sends a start image as base64 bytes', async () => {
    await model.start({
      ...request({ model: 'nova-reel', imageClipId: jobId }),
      image: { key: 'users/u/poster.0000000.jpg', format: 'jpeg' },
    });
    expect(sent().modelInput).toMatchObject({
      textToVideoParams: { images: [{ format: 'jpeg', source: { bytes: 'AQID' } }] },
    });
  });

  it('uses MULTI_SHOT_AUTOMATED beyond 6 s', async () => {
    await model.start(request({ model: 'nova-reel', durationSeconds: 24 }));
    expect(sent().modelInput).toEqual({
      taskType: 'MULTI_SHOT_AUTOMATED',
      multiShotAutomatedParams: { text: 'a fox in snow' },
      videoGenerationConfig: { durationSeconds: 24, fps: 24, dimension: '1280x720', seed: 42 },
    });
  });

  it('refuses a single-shot prompt over 512 characters before calling Bedrock', async () => {
    await expect(model.start(request({ model: 'nova-reel' }, 'x'.repeat(513)))).rejects.toMatchObject({
      name: 'GenerationFailed',
    });
    expect(bedrock.commandCalls(StartAsyncInvokeCommand)).toHaveLength(0);
  });

  it('maps the invocation states and finds output.mp4 in the invocation folder', async () => {
    bedrock
      .on(GetAsyncInvokeCommand)
      .resolvesOnce({ status: 'InProgress' } as never)
      .resolvesOnce({
        status: 'Completed',
        outputDataConfig: { s3OutputDataConfig: { s3Uri: `s3://${bucket}/work/u1/${jobId}/generation` } },
      } as never)
      .resolvesOnce({
        status: 'Failed',
        failureMessage: 'The output was blocked by our content filters.',
      } as never);
    await expect(model.check(ARN)).resolves.toEqual({ state: 'running' });
    await expect(model.check(ARN)).resolves.toEqual({
      state: 'done',
      videoKey: `work/u1/${jobId}/generation/abc123xyz/output.mp4`,
    });
    const failed = await model.check(ARN);
    expect(failed).toMatchObject({ state: 'failed' });
    expect((failed as { message: string }).message).toMatch(/content filters; rephrase/);
    expect(bedrock.commandCalls(GetAsyncInvokeCommand)[0]!.args[0].input).toEqual({ invocationArn: ARN });
  });

  it('turns throttling into a retryable ModelThrottled and access errors into advice', async () => {
    bedrock
      .on(StartAsyncInvokeCommand)
      .rejects(new ThrottlingException({ message: 'Too many requests', $metadata: {} }));
    await expect(model.start(request({ model: 'nova-reel' }))).rejects.toMatchObject({
      name: 'ModelThrottled',
    });
    bedrock
      .on(StartAsyncInvokeCommand)
      .rejects(new AccessDeniedException({ message: "You don't have access to the model", $metadata: {} }));
    await expect(model.start(request({ model: 'nova-reel' }))).rejects.toThrow(/enable model access/);
    bedrock
      .on(StartAsyncInvokeCommand)
      .rejects(new ValidationException({ message: 'seed must be at most 2147483646', $metadata: {} }));
    await expect(model.start(request({ model: 'nova-reel' }))).rejects.toThrow(/rejected the request: seed/);
  });
});

describe('Luma Ray 2', () => {
  const model = createLumaRayModel({ client, bucket });

  it('sends prompt, aspect ratio, loop, duration and resolution in its own vocabulary', async () => {
    await model.start(
      request({
        model: 'luma-ray2',
        durationSeconds: 9,
        resolution: '960x540',
        aspectRatio: '9:16',
        loop: true,
      }),
    );
    expect(sent()).toMatchObject({
      modelId: 'luma.ray-v2:0',
      clientRequestToken: jobId,
      modelInput: {
        prompt: 'a fox in snow',
        aspect_ratio: '9:16',
        loop: true,
        duration: '9s',
        resolution: '540p',
      },
    });
  });

  it('defaults to 5 s, 720p, 16:9, no loop', async () => {
    await model.start(request({ model: 'luma-ray2' }));
    expect(sent().modelInput).toEqual({
      prompt: 'a fox in snow',
      aspect_ratio: '16:9',
      loop: false,
      duration: '5s',
      resolution: '720p',
    });
  });
});
