/**
 * The composition root of the state machine's Lambda tasks and the media event handlers: Aurora through the
 * Data API, S3, Bedrock and MediaConvert, created once per execution environment on first use.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { MediaConvertClient } from '@aws-sdk/client-mediaconvert';
import { S3Client } from '@aws-sdk/client-s3';
import { createClipRepository } from '../clips/repository.ts';
import { awsMediaConfig } from '../config.ts';
import { GenerationFailed } from '../generation/bedrock-async.ts';
import { createLumaRayModel } from '../generation/luma-ray.ts';
import { createNovaReelModel } from '../generation/nova-reel.ts';
import { createJobRepository } from '../jobs/repository.ts';
import { mediaConvertProber } from '../media/mediaconvert-prober.ts';
import { createPipelineTasks } from '../pipeline/tasks.ts';
import { createS3Store } from '../storage/s3.ts';
import { createUserRepository } from '../users/repository.ts';
import { dataApiDatabase } from './database-aws.ts';

function build() {
  const config = awsMediaConfig();
  const db = dataApiDatabase();
  const store = createS3Store({
    client: new S3Client({}),
    bucket: config.MEDIA_BUCKET,
    kmsKeyId: config.MEDIA_KMS_KEY_ID,
  });
  const bedrock = new BedrockRuntimeClient({});
  const users = createUserRepository(db);
  const jobs = createJobRepository(db);
  const clips = createClipRepository(db);
  const logger = new Logger({ serviceName: 'ai-video-pipeline' });
  const tasks = createPipelineTasks({
    logger,
    users,
    jobs,
    clips,
    store,
    prober: mediaConvertProber(new MediaConvertClient({}), config.MEDIA_BUCKET),
    models: {
      'nova-reel': createNovaReelModel({
        client: bedrock,
        bucket: config.MEDIA_BUCKET,
        loadImage: async (key) => {
          const bytes = await store.readBytes(key);
          if (!bytes) throw new GenerationFailed('The start image could not be read.');
          return bytes;
        },
      }),
      'luma-ray2': createLumaRayModel({ client: bedrock, bucket: config.MEDIA_BUCKET }),
    },
  });
  return { db, store, users, jobs, clips, tasks, logger };
}

let instance: ReturnType<typeof build> | undefined;

export function pipelineRuntime() {
  instance ??= build();
  return instance;
}
