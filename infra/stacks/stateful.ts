/**
 * The data of one stage: encryption key, Aurora Serverless v2 (Data API), the media bucket, the idempotency
 * and audit tables, and the Cognito user pool with its post-confirmation trigger (kept here because the
 * pool and its trigger reference each other, and the trigger only needs the database).
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import {
  AccountRecovery,
  FeaturePlan,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolClient,
  UserPoolOperation,
} from 'aws-cdk-lib/aws-cognito';
import {
  AttributeType,
  Billing,
  TableEncryptionV2,
  type TablePropsV2,
  TableV2,
} from 'aws-cdk-lib/aws-dynamodb';
import { FlowLogDestination, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { Key } from 'aws-cdk-lib/aws-kms';
import {
  AuroraPostgresEngineVersion,
  ClusterInstance,
  Credentials,
  DatabaseCluster,
  DatabaseClusterEngine,
} from 'aws-cdk-lib/aws-rds';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  HttpMethods,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { AUDIT_TABLE_KEYS, IDEMPOTENCY_TABLE_KEYS } from '#shared/audit/dynamodb.ts';
import { RATE_LIMIT_TABLE_KEYS } from '#shared/auth/login-limiter.ts';
import type { StageConfig } from '../config.ts';
import { AppFunction } from '../constructs/app-function.ts';

export const DATABASE_NAME = 'aivideo';

/**
 * The media bucket's name, derived rather than exported: the compute stack rebuilds it, so its IAM policies
 * name the bucket in plain text (and cdk-nag's acknowledgements can match them exactly).
 */
export const mediaBucketName = (stack: Stack, stage: string) =>
  `ai-video-media-${stage}-${stack.account}-${stack.region}`;

export interface StatefulStackProps extends StackProps {
  config: StageConfig;
}

export class StatefulStack extends Stack {
  readonly key: Key;
  readonly vpc: Vpc;
  readonly cluster: DatabaseCluster;
  readonly mediaBucket: Bucket;
  readonly config: StageConfig;
  readonly idempotencyTable: TableV2;
  readonly auditTable: TableV2;
  readonly rateLimitTable: TableV2;
  readonly userPool: UserPool;
  readonly userPoolClient: UserPoolClient;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.config = config;
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.key = new Key(this, 'DataKey', {
      description: `ai-video ${config.stage} data key`,
      enableKeyRotation: true,
      removalPolicy,
    });

    // Isolated subnets only: the functions reach Aurora through the Data API, so no NAT gateway is paid for.
    this.vpc = new Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'db', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      flowLogs: { all: { destination: FlowLogDestination.toCloudWatchLogs() } },
    });

    const db = config.database;
    this.cluster = new DatabaseCluster(this, 'Database', {
      engine: DatabaseClusterEngine.auroraPostgres({ version: AuroraPostgresEngineVersion.VER_17_5 }),
      vpc: this.vpc,
      vpcSubnets: { subnetType: SubnetType.PRIVATE_ISOLATED },
      // The secret keeps Secrets Manager's own key: a grant through a customer key would write the compute
      // stack's roles into this stack's key policy, tying the two stacks in a cycle.
      credentials: Credentials.fromGeneratedSecret('app_admin'),
      defaultDatabaseName: DATABASE_NAME,
      enableDataApi: true,
      storageEncrypted: true,
      storageEncryptionKey: this.key,
      serverlessV2MinCapacity: db.minCapacity,
      serverlessV2MaxCapacity: db.maxCapacity,
      ...(db.pauseAfterSeconds
        ? { serverlessV2AutoPauseDuration: Duration.seconds(db.pauseAfterSeconds) }
        : {}),
      writer: ClusterInstance.serverlessV2('writer'),
      readers: db.reader ? [ClusterInstance.serverlessV2('reader', { scaleWithWriter: true })] : [],
      deletionProtection: db.deletionProtection,
      backup: { retention: Duration.days(db.backupRetentionDays) },
      cloudwatchLogsExports: ['postgresql'],
      cloudwatchLogsRetention: config.logRetentionDays,
      iamAuthentication: true,
      port: 5438,
      removalPolicy: config.retainData ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
    });

    const accessLogs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy,
      autoDeleteObjects: !config.retainData,
    });

    this.mediaBucket = new Bucket(this, 'Media', {
      bucketName: mediaBucketName(this, config.stage),
      encryption: BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: config.media.versioned,
      eventBridgeEnabled: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'media/',
      cors: [
        {
          allowedOrigins: config.api.corsOrigins,
          allowedMethods: [HttpMethods.POST, HttpMethods.GET, HttpMethods.HEAD],
          allowedHeaders: ['*'],
          maxAge: 3600,
        },
      ],
      lifecycleRules: [
        { id: 'abort-incomplete-multipart', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        {
          id: 'stale-uploads',
          prefix: 'uploads/',
          expiration: Duration.days(config.media.staleUploadDays),
        },
        {
          id: 'failed-job-artifacts',
          prefix: 'work/',
          expiration: Duration.days(config.media.failedArtifactDays),
        },
        ...(config.media.versioned
          ? [{ id: 'old-versions', noncurrentVersionExpiration: Duration.days(30) }]
          : []),
      ],
      removalPolicy,
      autoDeleteObjects: !config.retainData,
    });

    const table = (
      id: string,
      props: Pick<TablePropsV2, 'partitionKey' | 'sortKey' | 'timeToLiveAttribute'>,
    ) =>
      new TableV2(this, id, {
        billing: Billing.onDemand(),
        encryption: TableEncryptionV2.customerManagedKey(this.key),
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: config.tables.pointInTimeRecovery },
        removalPolicy,
        ...props,
      });
    this.idempotencyTable = table('Idempotency', {
      partitionKey: { name: IDEMPOTENCY_TABLE_KEYS.partition, type: AttributeType.STRING },
      timeToLiveAttribute: IDEMPOTENCY_TABLE_KEYS.ttl,
    });
    this.auditTable = table('Audit', {
      partitionKey: { name: AUDIT_TABLE_KEYS.partition, type: AttributeType.STRING },
      sortKey: { name: AUDIT_TABLE_KEYS.sort, type: AttributeType.STRING },
      timeToLiveAttribute: AUDIT_TABLE_KEYS.ttl,
    });
    // Sign-in and sign-up counters (shared/auth/login-limiter.ts), gone by TTL after their window.
    this.rateLimitTable = table('RateLimit', {
      partitionKey: { name: RATE_LIMIT_TABLE_KEYS.partition, type: AttributeType.STRING },
      timeToLiveAttribute: RATE_LIMIT_TABLE_KEYS.ttl,
    });

    this.userPool = new UserPool(this, 'Users', {
      userPoolName: `ai-video-${config.stage}`,
      selfSignUpEnabled: true,
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      passwordPolicy: {
        minLength: 8,
        requireUppercase: true,
        requireLowercase: true,
        requireDigits: true,
        requireSymbols: false,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: config.threatProtection ? FeaturePlan.PLUS : FeaturePlan.ESSENTIALS,
      ...(config.threatProtection
        ? { standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION }
        : {}),
      deletionProtection: config.retainData,
      removalPolicy,
    });
    this.userPoolClient = this.userPool.addClient('ApiClient', {
      authFlows: { userPassword: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      enableTokenRevocation: true,
    });

    const postConfirmation = new AppFunction(this, 'PostConfirmation', {
      config,
      entry: 'functions/events/cognito-post-confirmation.ts',
      description: 'Creates the users row when a Cognito sign-up is confirmed',
      environment: this.databaseEnvironment(),
    }).fn;
    this.cluster.grantDataApiAccess(postConfirmation);
    this.userPool.addTrigger(UserPoolOperation.POST_CONFIRMATION, postConfirmation);

    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.userPoolClient.userPoolClientId });
    new CfnOutput(this, 'MediaBucketName', { value: this.mediaBucket.bucketName });
  }

  /** What a function needs to reach the database through the Data API. */
  databaseEnvironment(): Record<string, string> {
    return {
      DB_CLUSTER_ARN: this.cluster.clusterArn,
      DB_SECRET_ARN: this.cluster.secret!.secretArn,
      DB_NAME: DATABASE_NAME,
    };
  }
}
