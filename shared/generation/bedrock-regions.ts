/**
 * Bedrock in each model's Region: one BedrockRuntimeClient per Region, made on first use, and the place each
 * model writes its video.
 *
 * StartAsyncInvoke takes only an s3Uri (with an optional bucket owner and KMS key) for its output; AWS
 * documents no way to name the bucket's Region, and every AWS example writes to a bucket in the Region the
 * model is called in (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_AsyncInvokeS3OutputDataConfig.html).
 * So a model whose Region is not the media bucket's writes into an output bucket in its own Region
 * (MODEL_OUTPUT_BUCKETS, created by the CDK app), and the video is copied into the media bucket (a
 * cross-Region CopyObject by a client in the media bucket's Region) before it is transcoded.
 */
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { S3Client } from '@aws-sdk/client-s3';
import * as z from '../schema/zod.ts';
import { clientGetter } from '../sdk/lazy-client.ts';
import { sdkConfig } from '../sdk/sha256.ts';
import type { ModelOutput } from './bedrock-async.ts';

export interface BedrockRegionsOptions {
  /** The media bucket and its Region (the Lambda's Region). */
  mediaBucket: string;
  mediaRegion: string;
  /** The data key of the media bucket, for the copies written into it. */
  kmsKeyId?: string | undefined;
  /** Output buckets by Region, for models outside the media bucket's Region. */
  outputBuckets: Readonly<Record<string, string>>;
  /** An S3 client in the media bucket's Region. */
  s3: S3Client;
  /** Makes the client of a Region (tests pass their own). */
  makeClient?: (region: string) => BedrockRuntimeClient | Promise<BedrockRuntimeClient>;
}

export function createBedrockRegions(options: BedrockRegionsOptions) {
  const clients = new Map<string, () => Promise<BedrockRuntimeClient>>();
  // The package is imported when a model is first started or checked, not when the function loads.
  const make =
    options.makeClient ??
    (async (region: string) =>
      new (await import('@aws-sdk/client-bedrock-runtime')).BedrockRuntimeClient(sdkConfig({ region })));
  const encryption = options.kmsKeyId
    ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: options.kmsKeyId }
    : {};
  const regions = {
    /** The client of a Region, made on first use and kept. */
    clientFor(region: string): () => Promise<BedrockRuntimeClient> {
      let client = clients.get(region);
      if (!client) {
        client = clientGetter(async () => make(region));
        clients.set(region, client);
      }
      return client;
    },

    outputFor(region: string): ModelOutput {
      if (region === options.mediaRegion) return { bucket: options.mediaBucket };
      const bucket = options.outputBuckets[region];
      if (!bucket) {
        throw new Error(
          `No output bucket is configured for ${region} (MODEL_OUTPUT_BUCKETS); models there cannot run.`,
        );
      }
      return {
        bucket,
        collect: async (key) => {
          const { CopyObjectCommand } = await import('@aws-sdk/client-s3');
          await options.s3.send(
            new CopyObjectCommand({
              Bucket: options.mediaBucket,
              Key: key,
              CopySource: `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`,
              ContentType: 'video/mp4',
              MetadataDirective: 'REPLACE',
              ...encryption,
            }),
          );
        },
      };
    },

    /** Copies a video that landed in one of the output buckets into the media bucket (same key). */
    async collectFrom(bucket: string, key: string): Promise<void> {
      const region = Object.keys(options.outputBuckets).find((r) => options.outputBuckets[r] === bucket);
      if (!region) throw new Error(`${bucket} is not a model output bucket of this service.`);
      await regions.outputFor(region).collect?.(key);
    },
  };
  return regions;
}

export type BedrockRegions = ReturnType<typeof createBedrockRegions>;

/** MODEL_OUTPUT_BUCKETS: a JSON object of Region to bucket name, e.g. {"us-west-2":"ai-video-model-out-…"}. */
export function parseOutputBuckets(value: string | undefined): Record<string, string> {
  if (!value) return {};
  const parsed = z
    .record(z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d$/)), z.string().check(z.minLength(3)))
    .safeParse(JSON.parse(value));
  if (!parsed.success) throw new Error('MODEL_OUTPUT_BUCKETS must map AWS Regions to bucket names');
  return parsed.data;
}
