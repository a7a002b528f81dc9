/**
 * The composition root of the state machine's Lambda tasks and the media event handlers: Aurora through the
 * Data API, S3, Bedrock (a client per model Region) and MediaConvert, created once per execution environment
 * on first use.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createAdmission } from '../capacity/admission.ts';
import { dynamoCapacityStore } from '../capacity/dynamodb-store.ts';
import { capacityFromEnv } from '../capacity/limits.ts';
import { createClipRepository } from '../clips/repository.ts';
import { awsMediaConfig } from '../config.ts';
import { dynamoIdleMarker } from '../events/idle-marker-dynamodb.ts';
import { GenerationFailed } from '../generation/bedrock-async.ts';
import { createBedrockRegions, parseOutputBuckets } from '../generation/bedrock-regions.ts';
import { createLumaRayModel } from '../generation/luma-ray.ts';
import { MODELS, type VideoModelId } from '../generation/models.ts';
import { createNovaReelModel } from '../generation/nova-reel.ts';
import type { VideoModel } from '../generation/port.ts';
import { createJobRepository } from '../jobs/repository.ts';
import { mediaConvertProber } from '../media/mediaconvert-prober.ts';
import { tracedClient } from '../observability/tracing.ts';
import { createGenerationWaits } from '../pipeline/generation-wait.ts';
import { createPipelineTasks } from '../pipeline/tasks.ts';
import { sdkConfig } from '../sdk/sha256.ts';
import type { ObjectStore } from '../storage/port.ts';
import { createS3Store } from '../storage/s3.ts';
import { createUserRepository } from '../users/repository.ts';
import { stepFunctionsTaskTokens } from '../workflow/step-functions.ts';
import { DATA_API_RETRY, dataApiDatabase } from './database-aws.ts';

/** The Bedrock models, each with a client and an output location in its own Region. */
export function bedrockVideoModels(options: {
  store: ObjectStore;
  s3: S3Client;
  mediaBucket: string;
  mediaRegion: string;
  kmsKeyId?: string | undefined;
  outputBuckets: Record<string, string>;
  makeClient?: Parameters<typeof createBedrockRegions>[0]['makeClient'];
}): Record<'nova-reel' | 'luma-ray2', VideoModel> {
  const regions = createBedrockRegions(options);
  // Models are built per call, so a Region without an output bucket fails only the jobs that need it.
  const lazy = (id: 'nova-reel' | 'luma-ray2', build: (region: string) => VideoModel): VideoModel => {
    let model: VideoModel | undefined;
    const get = () => {
      model ??= build(MODELS[id].region!);
      return model;
    };
    return {
      id,
      start: async (request) => get().start(request),
      check: async (handle) => get().check(handle),
    };
  };
  return {
    'nova-reel': lazy('nova-reel', (region) =>
      createNovaReelModel({
        client: regions.clientFor(region),
        ...regions.outputFor(region),
        loadImage: async (key) => {
          const bytes = await options.store.readBytes(key);
          if (!bytes) throw new GenerationFailed('The start image could not be read.');
          return bytes;
        },
      }),
    ),
    'luma-ray2': lazy('luma-ray2', (region) =>
      createLumaRayModel({ client: regions.clientFor(region), ...regions.outputFor(region) }),
    ),
  };
}

function build() {
  const config = awsMediaConfig();
  const db = dataApiDatabase(DATA_API_RETRY.pipeline);
  const s3 = tracedClient(new S3Client(sdkConfig()));
  const store = createS3Store({ client: s3, bucket: config.MEDIA_BUCKET, kmsKeyId: config.MEDIA_KMS_KEY_ID });
  const users = createUserRepository(db);
  const jobs = createJobRepository(db);
  const clips = createClipRepository(db);
  const logger = new Logger({ serviceName: 'ai-video-pipeline' });
  const mediaRegion = process.env.AWS_REGION ?? 'us-east-1';
  const outputBuckets = parseOutputBuckets(process.env.MODEL_OUTPUT_BUCKETS);
  const regions = createBedrockRegions({
    s3,
    mediaBucket: config.MEDIA_BUCKET,
    mediaRegion,
    kmsKeyId: config.MEDIA_KMS_KEY_ID,
    outputBuckets,
  });
  const tokens = stepFunctionsTaskTokens(
    async () => new (await import('@aws-sdk/client-sfn')).SFNClient(sdkConfig()),
  );
  const capacity = capacityFromEnv();
  const capacityTable = process.env.CAPACITY_TABLE;
  // Functions that never touch capacity (the transcode progress handler) run without the table.
  const rateLimitTable = process.env.RATE_LIMIT_TABLE;
  const documents =
    capacityTable || rateLimitTable
      ? DynamoDBDocumentClient.from(tracedClient(new DynamoDBClient(sdkConfig())))
      : undefined;
  const capacityStore =
    documents && capacityTable ? dynamoCapacityStore(documents, capacityTable) : undefined;
  // Only the functions that wake the idle sleepers or are one have it (shared/events/idle-marker.ts).
  const idleMarker = documents && rateLimitTable ? dynamoIdleMarker(documents, rateLimitTable) : undefined;
  const admission = capacityStore
    ? createAdmission({
        store: capacityStore,
        tokens,
        capacityOf: (model) => capacity[model as VideoModelId]?.units ?? 1,
        leaseMsOf: (model) => capacity[model as VideoModelId]?.leaseMs ?? 3_600_000,
      })
    : undefined;
  const tasks = createPipelineTasks({
    logger,
    users,
    jobs,
    clips,
    store,
    prober: mediaConvertProber(
      async () => new (await import('@aws-sdk/client-mediaconvert')).MediaConvertClient(sdkConfig()),
      config.MEDIA_BUCKET,
    ),
    models: bedrockVideoModels({
      store,
      s3,
      mediaBucket: config.MEDIA_BUCKET,
      mediaRegion,
      kmsKeyId: config.MEDIA_KMS_KEY_ID,
      outputBuckets,
    }),
    waits: createGenerationWaits(db),
    tokens,
    ...(admission ? { admission } : {}),
    collectOutput: (bucket, key) => regions.collectFrom(bucket, key),
    ...(process.env.STAGE ? { stage: process.env.STAGE } : {}),
  });
  return { db, store, users, jobs, clips, tasks, logger, admission, capacityStore, idleMarker };
}

let instance: ReturnType<typeof build> | undefined;

export function pipelineRuntime() {
  instance ??= build();
  return instance;
}
