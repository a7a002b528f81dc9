import {
  AccessDeniedException,
  BedrockRuntimeClient,
  GetAsyncInvokeCommand,
  InternalServerException,
  ServiceQuotaExceededException,
  StartAsyncInvokeCommand,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-bedrock-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  bedrockError,
  explainBedrockFailure,
  GenerationFailed,
  ModelThrottled,
  outputVideoKey,
} from '#shared/generation/bedrock-async.ts';
import { createLumaRayModel } from '#shared/generation/luma-ray.ts';
import { createNovaReelModel } from '#shared/generation/nova-reel.ts';
import type { GenerationRequest } from '#shared/generation/port.ts';

const bedrock = mockClient(BedrockRuntimeClient);
const client = new BedrockRuntimeClient({ region: 'us-east-1' });
const bucket = 'media-bucket';
const INVOCATION_ID = 'abc123xyz';
const ARN = `arn:aws:bedrock:us-east-1:123456789012:async-invoke/${INVOCATION_ID}`;
const jobId = '11111111-2222-4333-8444-555555555555';
const imageClipId = '66666666-7777-4888-9999-aaaaaaaaaaaa';
const folder = `work/u1/${jobId}/generation`;
const POSTER = 'users/u1/clips/c1/poster.0000000.jpg';

const request = (params: GenerationRequest['params'], prompt = 'a fox in snow'): GenerationRequest => ({
  jobId,
  prompt,
  params,
  outputPrefix: `${folder}/`,
});

const started = () => bedrock.commandCalls(StartAsyncInvokeCommand)[0]!.args[0].input;
const awsError = <T>(Type: new (o: { message: string; $metadata: object }) => T, message: string) =>
  new Type({ message, $metadata: {} });

beforeEach(() => {
  bedrock.reset();
  bedrock.on(StartAsyncInvokeCommand).resolves({ invocationArn: ARN });
});

describe('Nova Reel', () => {
  const loaded: string[] = [];
  const model = createNovaReelModel({
    client,
    bucket,
    loadImage: async (key) => {
      loaded.push(key);
      return new Uint8Array([1, 2, 3]);
    },
  });

  it('starts a 6 s TEXT_VIDEO at 1280x720 and 24 fps into the job folder, with the job id as token', async () => {
    await expect(model.start(request({ model: 'nova-reel', seed: 7 }))).resolves.toEqual({ handle: ARN });
    expect(started()).toEqual({
      modelId: 'amazon.nova-reel-v1:1',
      clientRequestToken: jobId,
      modelInput: {
        taskType: 'TEXT_VIDEO',
        textToVideoParams: { text: 'a fox in snow' },
        videoGenerationConfig: { durationSeconds: 6, fps: 24, dimension: '1280x720', seed: 7 },
      },
      outputDataConfig: { s3OutputDataConfig: { s3Uri: `s3://${bucket}/${folder}` } },
    });
  });

  it('uses seed 42 when the job gives none', async () => {
    await model.start(request({ model: 'nova-reel' }));
    expect(started().modelInput).toMatchObject({ videoGenerationConfig: { seed: 42 } });
  });

  it('sends the start image, read from the bucket, as base64 bytes', async () => {
    loaded.length = 0;
    await model.start({
      ...request({ model: 'nova-reel', imageClipId }),
      image: { key: POSTER, format: 'jpeg' },
    });
    expect(loaded).toEqual([POSTER]);
    expect(started().modelInput).toEqual({
      taskType: 'TEXT_VIDEO',
      textToVideoParams: {
        text: 'a fox in snow',
        images: [{ format: 'jpeg', source: { bytes: 'AQID' } }],
      },
      videoGenerationConfig: { durationSeconds: 6, fps: 24, dimension: '1280x720', seed: 42 },
    });
  });

  it('uses MULTI_SHOT_AUTOMATED from 12 s, with prompts up to 4000 characters', async () => {
    const prompt = 'x'.repeat(1500);
    await model.start(request({ model: 'nova-reel', durationSeconds: 24, seed: 3 }, prompt));
    expect(started().modelInput).toEqual({
      taskType: 'MULTI_SHOT_AUTOMATED',
      multiShotAutomatedParams: { text: prompt },
      videoGenerationConfig: { durationSeconds: 24, fps: 24, dimension: '1280x720', seed: 3 },
    });
  });

  it('refuses, before calling Bedrock, what the model would reject', async () => {
    await expect(model.start(request({ model: 'nova-reel' }, 'x'.repeat(513)))).rejects.toThrow(
      /at most 512 characters for a 6 s video; this one has 513/,
    );
    await expect(
      model.start({
        ...request({ model: 'nova-reel', durationSeconds: 12, imageClipId }),
        image: { key: POSTER, format: 'jpeg' },
      }),
    ).rejects.toThrow(/only with a 6 s/);
    await expect(model.start(request({ model: 'nova-reel', imageClipId }))).rejects.toThrow(
      /start image could not be found/,
    );
    const noImages = createNovaReelModel({ client, bucket });
    await expect(
      noImages.start({
        ...request({ model: 'nova-reel', imageClipId }),
        image: { key: POSTER, format: 'png' },
      }),
    ).rejects.toBeInstanceOf(GenerationFailed);
    expect(bedrock.commandCalls(StartAsyncInvokeCommand)).toHaveLength(0);
  });

  it('maps InProgress, Completed and Failed, finding output.mp4 in the invocation folder', async () => {
    bedrock
      .on(GetAsyncInvokeCommand)
      .resolvesOnce({ status: 'InProgress' } as never)
      .resolvesOnce({
        status: 'Completed',
        outputDataConfig: { s3OutputDataConfig: { s3Uri: `s3://${bucket}/${folder}/${INVOCATION_ID}` } },
      } as never)
      .resolvesOnce({
        status: 'Completed',
        outputDataConfig: { s3OutputDataConfig: { s3Uri: `s3://${bucket}/${folder}` } },
      } as never)
      .resolvesOnce({
        status: 'Failed',
        failureMessage: 'The generated video has been blocked by our content filters.',
      } as never)
      .resolvesOnce({ status: 'Failed', failureMessage: 'Internal failure while rendering.' } as never);
    await expect(model.check(ARN)).resolves.toEqual({ state: 'running' });
    const done = { state: 'done', videoKey: `${folder}/${INVOCATION_ID}/output.mp4` };
    await expect(model.check(ARN)).resolves.toEqual(done);
    await expect(model.check(ARN)).resolves.toEqual(done);
    await expect(model.check(ARN)).resolves.toMatchObject({
      state: 'failed',
      message:
        "The generated video was blocked by Nova Reel's content filters; rephrase the prompt and submit the job again.",
    });
    // The model's words go to the log (detail), never into the user's message.
    await expect(model.check(ARN)).resolves.toEqual({
      state: 'failed',
      message:
        'Nova Reel could not make the video; submit the job again, and if it keeps failing, contact support.',
      detail: 'Internal failure while rendering.',
    });
    expect(bedrock.commandCalls(GetAsyncInvokeCommand)[0]!.args[0].input).toEqual({ invocationArn: ARN });
  });

  it('explains a prompt blocked by the content filters', async () => {
    bedrock
      .on(StartAsyncInvokeCommand)
      .rejects(
        awsError(
          ValidationException,
          'This request has been blocked by our content filters. Please adjust your text prompt to submit a new request.',
        ),
      );
    const error = await model.start(request({ model: 'nova-reel' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GenerationFailed);
    expect(error).toMatchObject({
      name: 'GenerationFailed',
      message:
        "The prompt or image was blocked by Nova Reel's content filters; rephrase it and submit the job again.",
    });
  });

  it('turns throttling into a retryable ModelThrottled, from both start and check', async () => {
    bedrock.on(StartAsyncInvokeCommand).rejects(awsError(ThrottlingException, 'Too many requests'));
    await expect(model.start(request({ model: 'nova-reel' }))).rejects.toMatchObject({
      name: 'ModelThrottled',
      message: expect.stringMatching(/try again in a few minutes/),
    });
    bedrock
      .on(StartAsyncInvokeCommand)
      .rejects(awsError(ServiceQuotaExceededException, 'Too many concurrent invocations'));
    await expect(model.start(request({ model: 'nova-reel' }))).rejects.toBeInstanceOf(ModelThrottled);
    bedrock.on(GetAsyncInvokeCommand).rejects(awsError(ThrottlingException, 'Rate exceeded'));
    await expect(model.check(ARN)).rejects.toMatchObject({ name: 'ModelThrottled' });
  });

  it('explains missing model access, and passes validation messages through', async () => {
    bedrock
      .on(StartAsyncInvokeCommand)
      .rejects(
        awsError(AccessDeniedException, "You don't have access to the model with the specified model ID."),
      );
    await expect(model.start(request({ model: 'nova-reel' }))).rejects.toMatchObject({
      name: 'GenerationFailed',
      message: expect.stringMatching(
        /not enabled for this service's AWS account.*enable access to the model/,
      ),
    });
    bedrock
      .on(StartAsyncInvokeCommand)
      .rejects(awsError(ValidationException, 'Input image must be 1280x720.'));
    await expect(model.start(request({ model: 'nova-reel' }))).rejects.toMatchObject({
      name: 'GenerationFailed',
      message:
        'Nova Reel rejected the request; check the prompt, the start image and the parameters, then submit the job again.',
      cause: expect.objectContaining({ message: 'Input image must be 1280x720.' }),
    });
  });
});

describe('Luma Ray 2', () => {
  const model = createLumaRayModel({ client, bucket });

  it('sends prompt, aspect ratio, loop, duration and resolution in its own vocabulary', async () => {
    await expect(
      model.start(
        request({
          model: 'luma-ray2',
          durationSeconds: 9,
          resolution: '960x540',
          aspectRatio: '9:16',
          loop: true,
        }),
      ),
    ).resolves.toEqual({ handle: ARN });
    expect(started()).toEqual({
      modelId: 'luma.ray-v2:0',
      clientRequestToken: jobId,
      modelInput: {
        prompt: 'a fox in snow',
        aspect_ratio: '9:16',
        loop: true,
        duration: '9s',
        resolution: '540p',
      },
      outputDataConfig: { s3OutputDataConfig: { s3Uri: `s3://${bucket}/${folder}` } },
    });
  });

  it('defaults to 5 s, 720p, 16:9, no loop', async () => {
    await model.start(request({ model: 'luma-ray2' }));
    expect(started().modelInput).toEqual({
      prompt: 'a fox in snow',
      aspect_ratio: '16:9',
      loop: false,
      duration: '5s',
      resolution: '720p',
    });
  });

  it('refuses what Luma cannot make before calling Bedrock', async () => {
    await expect(model.start(request({ model: 'luma-ray2', durationSeconds: 6 }))).rejects.toThrow(
      /5 s or 9 s/,
    );
    await expect(model.start(request({ model: 'luma-ray2', resolution: '1920x1080' }))).rejects.toThrow(
      /540p.*720p/,
    );
    await expect(model.start(request({ model: 'luma-ray2', imageClipId }))).rejects.toThrow(
      /text prompts only/,
    );
    await expect(model.start(request({ model: 'luma-ray2' }, 'x'.repeat(5001)))).rejects.toThrow(
      /at most 5000 characters/,
    );
    expect(bedrock.commandCalls(StartAsyncInvokeCommand)).toHaveLength(0);
  });

  it('polls like Nova Reel and explains its failures under its own name', async () => {
    bedrock
      .on(GetAsyncInvokeCommand)
      .resolvesOnce({
        status: 'Completed',
        outputDataConfig: { s3OutputDataConfig: { s3Uri: `s3://${bucket}/${folder}/${INVOCATION_ID}` } },
      } as never)
      .rejectsOnce(awsError(AccessDeniedException, 'Access denied'));
    await expect(model.check(ARN)).resolves.toEqual({
      state: 'done',
      videoKey: `${folder}/${INVOCATION_ID}/output.mp4`,
    });
    await expect(model.check(ARN)).rejects.toThrow(/^Luma Ray 2 is not enabled/);
  });
});

describe('Bedrock failures', () => {
  it('explains failure messages of failed invocations, which carry no exception name', () => {
    expect(explainBedrockFailure('Nova Reel', 'Rate exceeded')).toMatchObject({ retryable: true });
    expect(explainBedrockFailure('Nova Reel', '')).toEqual({
      retryable: false,
      message:
        'Nova Reel could not make the video; submit the job again, and if it keeps failing, contact support.',
    });
  });

  it('retries server faults and keeps errors it already made', () => {
    expect(bedrockError('Nova Reel', awsError(InternalServerException, 'oops'))).toBeInstanceOf(
      ModelThrottled,
    );
    const mine = new GenerationFailed('already explained');
    expect(bedrockError('Nova Reel', mine)).toBe(mine);
    expect(bedrockError('Nova Reel', 'weird')).toMatchObject({ name: 'GenerationFailed' });
  });

  it('finds the video whether or not the returned s3Uri names the invocation folder', () => {
    expect(outputVideoKey(bucket, ARN, `s3://${bucket}/${folder}/${INVOCATION_ID}/`)).toBe(
      `${folder}/${INVOCATION_ID}/output.mp4`,
    );
    expect(outputVideoKey(bucket, ARN, `s3://${bucket}`)).toBe(`${INVOCATION_ID}/output.mp4`);
    expect(outputVideoKey(bucket, ARN, `s3://${bucket}-other/${folder}`)).toBeUndefined();
    expect(outputVideoKey(bucket, ARN, undefined)).toBeUndefined();
  });
});
