import {
  BedrockRuntimeClient,
  GetAsyncInvokeCommand,
  StartAsyncInvokeCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { CopyObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseOutputBuckets } from '#shared/generation/bedrock-regions.ts';
import type { GenerationRequest } from '#shared/generation/port.ts';
import { bedrockVideoModels } from '#shared/runtime/pipeline-aws.ts';
import type { ObjectStore } from '#shared/storage/port.ts';

const bedrock = mockClient(BedrockRuntimeClient);
const s3Mock = mockClient(S3Client);
const MEDIA = 'ai-video-media-dev-123456789012-us-east-1';
const OUT_WEST = 'ai-video-model-out-dev-123456789012-us-west-2';
const KMS = 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555';
const jobId = '11111111-2222-4333-8444-555555555555';
const request = (params: GenerationRequest['params']): GenerationRequest => ({
  jobId,
  prompt: 'a fox in snow',
  params,
  outputPrefix: `work/u1/${jobId}/generation/`,
});

const models = (outputBuckets: Record<string, string> = { 'us-west-2': OUT_WEST }) =>
  bedrockVideoModels({
    store: {} as ObjectStore,
    s3: new S3Client({ region: 'us-east-1' }),
    mediaBucket: MEDIA,
    mediaRegion: 'us-east-1',
    kmsKeyId: KMS,
    outputBuckets,
  });

/** The Region of the client that sent the n-th call of a command. */
async function regionOf(command: 'start' | 'get', n = 0) {
  const calls =
    command === 'start'
      ? bedrock.commandCalls(StartAsyncInvokeCommand)
      : bedrock.commandCalls(GetAsyncInvokeCommand);
  const client = calls[n]!.thisValue as BedrockRuntimeClient;
  return client.config.region();
}

beforeEach(() => {
  bedrock.reset();
  s3Mock.reset();
});

describe('Bedrock per model Region', () => {
  it('calls Luma Ray 2 in us-west-2 and has it write into the us-west-2 output bucket', async () => {
    bedrock
      .on(StartAsyncInvokeCommand)
      .resolves({ invocationArn: 'arn:aws:bedrock:us-west-2:123456789012:async-invoke/inv1' });
    await models()['luma-ray2'].start(request({ model: 'luma-ray2', aspectRatio: '9:16' }));
    const input = bedrock.commandCalls(StartAsyncInvokeCommand)[0]!.args[0].input;
    expect(await regionOf('start')).toBe('us-west-2');
    expect(input.modelId).toBe('luma.ray-v2:0');
    expect(input.outputDataConfig?.s3OutputDataConfig?.s3Uri).toBe(
      `s3://${OUT_WEST}/work/u1/${jobId}/generation`,
    );
    expect(input.modelInput).toMatchObject({ aspect_ratio: '9:16', resolution: '720p', duration: '5s' });
  });

  it('copies a finished video across Regions into the media bucket before reporting it done', async () => {
    const arn = 'arn:aws:bedrock:us-west-2:123456789012:async-invoke/inv1';
    bedrock.on(GetAsyncInvokeCommand).resolves({
      status: 'Completed',
      outputDataConfig: {
        s3OutputDataConfig: { s3Uri: `s3://${OUT_WEST}/work/u1/${jobId}/generation/inv1` },
      },
    });
    s3Mock.on(CopyObjectCommand).resolves({});
    const status = await models()['luma-ray2'].check(arn);
    const key = `work/u1/${jobId}/generation/inv1/output.mp4`;
    expect(status).toEqual({ state: 'done', videoKey: key });
    expect(await regionOf('get')).toBe('us-west-2');
    const copies = s3Mock.commandCalls(CopyObjectCommand);
    expect(copies).toHaveLength(1);
    expect(copies[0]!.args[0].input).toMatchObject({
      Bucket: MEDIA,
      Key: key,
      CopySource: `${OUT_WEST}/${key}`,
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: KMS,
    });
    expect(await (copies[0]!.thisValue as S3Client).config.region()).toBe('us-east-1');
  });

  it('has a model in the media bucket’s Region write straight into the media bucket, with nothing to copy', async () => {
    bedrock
      .on(StartAsyncInvokeCommand)
      .resolves({ invocationArn: 'arn:aws:bedrock:us-east-1:123456789012:async-invoke/inv2' });
    bedrock.on(GetAsyncInvokeCommand).resolves({
      status: 'Completed',
      outputDataConfig: { s3OutputDataConfig: { s3Uri: `s3://${MEDIA}/work/u1/${jobId}/generation/inv2` } },
    });
    const nova = models()['nova-reel'];
    await nova.start(request({ model: 'nova-reel' }));
    expect(await regionOf('start')).toBe('us-east-1');
    expect(
      bedrock.commandCalls(StartAsyncInvokeCommand)[0]!.args[0].input.outputDataConfig?.s3OutputDataConfig
        ?.s3Uri,
    ).toBe(`s3://${MEDIA}/work/u1/${jobId}/generation`);
    expect(await nova.check('arn:aws:bedrock:us-east-1:123456789012:async-invoke/inv2')).toMatchObject({
      state: 'done',
    });
    expect(s3Mock.commandCalls(CopyObjectCommand)).toHaveLength(0);
  });

  it('makes one client per Region and reuses it', async () => {
    bedrock.on(StartAsyncInvokeCommand).resolves({ invocationArn: 'arn:x/inv' });
    const built = models();
    await built['luma-ray2'].start(request({ model: 'luma-ray2' }));
    await built['luma-ray2'].start(request({ model: 'luma-ray2' }));
    await built['nova-reel'].start(request({ model: 'nova-reel' }));
    const [a, b, c] = bedrock.commandCalls(StartAsyncInvokeCommand).map((call) => call.thisValue);
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it('fails a job whose model Region has no output bucket, naming the Region', async () => {
    await expect(models({})['luma-ray2'].start(request({ model: 'luma-ray2' }))).rejects.toThrow(
      /No output bucket is configured for us-west-2/,
    );
    expect(bedrock.commandCalls(StartAsyncInvokeCommand)).toHaveLength(0);
  });

  it('reads MODEL_OUTPUT_BUCKETS as Region to bucket JSON', () => {
    expect(parseOutputBuckets(JSON.stringify({ 'us-west-2': OUT_WEST }))).toEqual({ 'us-west-2': OUT_WEST });
    expect(parseOutputBuckets(undefined)).toEqual({});
    expect(() => parseOutputBuckets('{"nowhere":"b"}')).toThrow(/MODEL_OUTPUT_BUCKETS/);
  });
});
