/**
 * Output buckets for video models offered outside the deployment's Region. Bedrock writes a model's video
 * into an S3 bucket given to StartAsyncInvoke; the service keeps that bucket in the model's own Region and
 * copies each finished video into the media bucket (shared/generation/bedrock-regions.ts). One small stack
 * per such Region holds the bucket: private, encrypted, TLS only, objects gone after a day. Its
 * ObjectCreated events for model outputs go to the default event bus of the deployment's Region, where
 * they resume the waiting job as the media bucket's own do (EventBridge delivers to an event bus in
 * another Region of the same account through a rule whose target is that bus).
 */
import { Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { EventBus as EventBusTarget } from 'aws-cdk-lib/aws-events-targets';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { bedrockModels } from '#shared/generation/models.ts';
import type { StageConfig } from '../config.ts';

/** Derived, not exported across stacks (they live in different Regions): the compute stack rebuilds it. */
export const modelOutputBucketName = (stage: string, account: string, region: string) =>
  `ai-video-model-out-${stage}-${account}-${region}`;

/**
 * The keys models write their video to (`work/{user}/{job}/generation/…/output.mp4`), as an EventBridge
 * wildcard; the handler checks the exact shape (shared/pipeline/generation-wait.ts, parseOutputKey).
 */
export const MODEL_OUTPUT_KEY_PATTERN = 'work/*/generation/*output.mp4';

/** The Regions of the stage's enabled Bedrock models other than the deployment's own. */
export function modelOutputRegions(config: StageConfig, deploymentRegion: string): string[] {
  return [...new Set(bedrockModels(config.models.enabled).map((m) => m.region))].filter(
    (region) => region !== deploymentRegion,
  );
}

export class ModelOutputBucket extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: { config: StageConfig }) {
    super(scope, id);
    const stack = Stack.of(this);
    const { config } = props;
    this.bucket = new Bucket(this, 'Bucket', {
      bucketName: modelOutputBucketName(config.stage, stack.account, stack.region),
      // S3-managed keys: Bedrock writes here from its own Region, and no key policy has to follow it there.
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      lifecycleRules: [
        { id: 'expire-model-output', expiration: Duration.days(1) },
        { id: 'abort-incomplete-multipart', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      // Scratch that expires in a day and a fixed name: never retained, or a redeploy after destroy collides.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });
    // EventBridge notifications set on the bucket itself (the L2 option adds a custom resource and its
    // function to do the same).
    (this.bucket.node.defaultChild as CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };
    Validations.of(this.bucket.node.defaultChild!).acknowledge({
      id: 'AwsSolutions::AwsSolutions-S1',
      reason:
        'A staging bucket: each object is a model output copied into the (access-logged) media bucket within minutes and expires after a day; no client reads it.',
    });
  }
}

export interface ModelOutputsStackProps extends StackProps {
  config: StageConfig;
  /** The deployment's Region, whose default event bus receives the output bucket's events. */
  eventsRegion: string;
}

/** The output bucket of one model Region, deployed in that Region, and the rule forwarding its events. */
export class ModelOutputsStack extends Stack {
  readonly outputs: ModelOutputBucket;

  constructor(scope: Construct, id: string, props: ModelOutputsStackProps) {
    super(scope, id, props);
    this.outputs = new ModelOutputBucket(this, 'ModelOutputs', { config: props.config });
    const mainBus = EventBus.fromEventBusArn(
      this,
      'DeploymentRegionBus',
      this.formatArn({
        service: 'events',
        region: props.eventsRegion,
        resource: 'event-bus',
        resourceName: 'default',
      }),
    );
    new Rule(this, 'ForwardModelOutputs', {
      description: "A model's output landed here: tell the deployment's Region, where its job waits",
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [this.outputs.bucket.bucketName] },
          object: { key: [{ wildcard: MODEL_OUTPUT_KEY_PATTERN }] },
        },
      },
      targets: [new EventBusTarget(mainBus)],
    });
  }
}
