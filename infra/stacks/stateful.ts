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
  UserPoolEmail,
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
import { Grant, type IGrantable, Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import {
  AuroraPostgresEngineVersion,
  ClusterInstance,
  Credentials,
  DatabaseCluster,
  DatabaseClusterEngine,
  DatabaseSecret,
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
import { CAPACITY_TABLE_KEYS } from '#shared/capacity/dynamodb-store.ts';
import { APP_ROLE_USERNAME } from '#shared/db/app-role.ts';
import { MEDIA_CORS } from '#shared/http/cors.ts';
import type { StageConfig } from '../config.ts';
import { AppFunction } from '../constructs/app-function.ts';
import { ConsoleSite } from '../constructs/console-site.ts';

export const DATABASE_NAME = 'aivideo';

/** What a function may do on the cluster through the Data API (the actions of CDK's own grant). */
const DATA_API_ACTIONS = [
  'rds-data:BatchExecuteStatement',
  'rds-data:BeginTransaction',
  'rds-data:CommitTransaction',
  'rds-data:ExecuteStatement',
  'rds-data:RollbackTransaction',
];

/**
 * Who a function is in the database: `app` is the application role (DML on the app's tables,
 * shared/db/app-role.ts), `admin` the cluster's master user, for migrations only.
 */
export type DatabaseUser = 'app' | 'admin';

export interface StatefulStackProps extends StackProps {
  config: StageConfig;
}

export class StatefulStack extends Stack {
  readonly key: Key;
  readonly vpc: Vpc;
  readonly cluster: DatabaseCluster;
  /** The application role's credentials; the migration step creates the role with this password. */
  readonly appDatabaseSecret: DatabaseSecret;
  readonly mediaBucket: Bucket;
  readonly config: StageConfig;
  readonly idempotencyTable: TableV2;
  readonly auditTable: TableV2;
  readonly rateLimitTable: TableV2;
  readonly capacityTable: TableV2;
  readonly userPool: UserPool;
  readonly userPoolClient: UserPoolClient;
  /** The web console's bucket and distribution; the compute stack deploys the build into it. */
  readonly consoleSite: ConsoleSite;

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
      flowLogs: {
        all: {
          destination: FlowLogDestination.toCloudWatchLogs(
            new LogGroup(this, 'VpcFlowLogs', { retention: config.logRetentionDays, removalPolicy }),
          ),
        },
      },
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
    // Generated here, set in the database by the migration custom resource (functions/deploy/migrate.ts).
    this.appDatabaseSecret = new DatabaseSecret(this, 'AppDatabaseUser', { username: APP_ROLE_USERNAME });
    this.appDatabaseSecret.applyRemovalPolicy(removalPolicy);

    const accessLogs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy,
      autoDeleteObjects: !config.retainData,
    });

    this.consoleSite = new ConsoleSite(this, 'Console', { logBucket: accessLogs, stage: config.stage });

    // No fixed name: a retained bucket left by `cdk destroy` must not block the next deploy.
    this.mediaBucket = new Bucket(this, 'Media', {
      encryption: BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: config.media.versioned,
      eventBridgeEnabled: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'media/',
      // The same rule as s3rver's in `npm start` (shared/http/cors.ts).
      cors: [
        {
          allowedOrigins: [...config.api.corsOrigins, this.consoleSite.origin],
          allowedMethods: MEDIA_CORS.allowedMethods.map((m) => HttpMethods[m]),
          allowedHeaders: MEDIA_CORS.allowedHeaders,
          exposedHeaders: MEDIA_CORS.exposedHeaders,
          maxAge: MEDIA_CORS.maxAgeSeconds,
        },
      ],
      lifecycleRules: [
        { id: 'abort-incomplete-multipart', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        {
          id: 'stale-uploads',
          prefix: 'uploads/',
          expiration: Duration.days(config.media.staleUploadDays),
        },
        // Account exports (shared/account/exports.ts) last a day; their links say so.
        { id: 'account-exports', prefix: 'exports/', expiration: Duration.days(1) },
        {
          id: 'failed-job-artifacts',
          prefix: 'work/',
          expiration: Duration.days(config.media.failedArtifactDays),
        },
        ...(config.media.versioned
          ? [
              {
                id: 'old-versions',
                noncurrentVersionExpiration: Duration.days(30),
                // A deleted clip's delete marker outlives its last version: under users/ no rule expires
                // current versions, which alone would clear it (S3 User Guide, "Managing delete markers").
                expiredObjectDeleteMarker: true,
              },
            ]
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

    // Model capacity units and the jobs waiting for them (shared/capacity/dynamodb-store.ts).
    this.capacityTable = table('ModelCapacity', {
      partitionKey: { name: CAPACITY_TABLE_KEYS.partition, type: AttributeType.STRING },
      sortKey: { name: CAPACITY_TABLE_KEYS.sort, type: AttributeType.STRING },
      // Only the users' last-grant records expire; units and waiters carry no TTL attribute.
      timeToLiveAttribute: CAPACITY_TABLE_KEYS.ttl,
    });

    this.userPool = new UserPool(this, 'Users', {
      userPoolName: `ai-video-${config.stage}`,
      selfSignUpEnabled: true,
      signInAliases: { email: true },
      autoVerify: { email: true },
      // Any signed-in user may call UpdateUserAttributes with their own access token (the app client can write
      // the email it sends at sign-up). Without this, Cognito applies a new email at once, unverified: the
      // sign-in name would move to an address nobody proved, and taking it would keep its owner from signing
      // up. With it the old email stays until the new one's code is confirmed.
      keepOriginal: { email: true },
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
      ...(config.email
        ? {
            email: UserPoolEmail.withSES({
              fromEmail: config.email.fromEmail,
              fromName: config.email.fromName,
              ...(config.email.replyTo ? { replyTo: config.email.replyTo } : {}),
              ...(config.email.sesVerifiedDomain
                ? { sesVerifiedDomain: config.email.sesVerifiedDomain }
                : {}),
              ...(config.email.sesRegion ? { sesRegion: config.email.sesRegion } : {}),
            }),
          }
        : {}),
    });
    // The API signs users in through the backend (ADMIN_USER_PASSWORD_AUTH, which carries the user's address
    // to threat protection); there is no hosted UI, so no OAuth flows, scopes or callback URLs. The public
    // USER_PASSWORD_AUTH flow stays off: with it, anyone holding the (public) client id could try passwords
    // against Cognito directly, past the API's login limiter.
    this.userPoolClient = this.userPool.addClient('ApiClient', {
      authFlows: { adminUserPassword: true },
      disableOAuth: true,
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
      // Cognito waits 5 s for a trigger; running longer only burns time after Cognito has given up.
      timeout: Duration.seconds(5),
      environment: this.databaseEnvironment(),
    }).fn;
    this.grantDatabase(postConfirmation);
    this.userPool.addTrigger(UserPoolOperation.POST_CONFIRMATION, postConfirmation);
    // A new account's email may be held by the row of an account that changed its address: the trigger asks
    // the pool (AdminGetUser). An inline policy of its own, not the role's default one, which the function
    // depends on: the pool needs the function first (CDK's cognito README, "Trigger Permissions").
    postConfirmation.role!.attachInlinePolicy(
      new Policy(this, 'PostConfirmationReadsUsers', {
        statements: [
          new PolicyStatement({
            actions: ['cognito-idp:AdminGetUser'],
            resources: [this.userPool.userPoolArn],
          }),
        ],
      }),
    );

    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.userPoolClient.userPoolClientId });
    // Exported under fixed names and imported by name (not through CDK's generated references), so the
    // compute stack's policies read the same before and after synthesis and cdk-nag can match them.
    new CfnOutput(this, 'MediaBucketName', {
      value: this.mediaBucket.bucketName,
      exportName: this.mediaBucketExports.name,
    });
    new CfnOutput(this, 'MediaBucketArn', {
      value: this.mediaBucket.bucketArn,
      exportName: this.mediaBucketExports.arn,
    });
    new CfnOutput(this, 'ConsoleBucketName', {
      value: this.consoleSite.bucket.bucketName,
      exportName: this.consoleBucketExports.name,
    });
    new CfnOutput(this, 'ConsoleBucketArn', {
      value: this.consoleSite.bucket.bucketArn,
      exportName: this.consoleBucketExports.arn,
    });
  }

  /** The export names of the console bucket's name and ARN (imported by name, as the media bucket's). */
  get consoleBucketExports() {
    return { name: `${this.stackName}-ConsoleBucketName`, arn: `${this.stackName}-ConsoleBucketArn` };
  }

  /** The export names of the media bucket's name and ARN. */
  get mediaBucketExports() {
    return { name: `${this.stackName}-MediaBucketName`, arn: `${this.stackName}-MediaBucketArn` };
  }

  /** What a function needs to reach the database through the Data API, as `user`. */
  databaseEnvironment(user: DatabaseUser = 'app'): Record<string, string> {
    return {
      DB_CLUSTER_ARN: this.cluster.clusterArn,
      DB_SECRET_ARN: this.databaseSecret(user).secretArn,
      DB_NAME: DATABASE_NAME,
    };
  }

  /** The Data API on this cluster and the secret of `user` (only the migrations read the master secret). */
  grantDatabase(grantee: IGrantable, user: DatabaseUser = 'app'): void {
    Grant.addToPrincipal({ grantee, actions: DATA_API_ACTIONS, resourceArns: [this.cluster.clusterArn] });
    this.databaseSecret(user).grantRead(grantee);
  }

  private databaseSecret(user: DatabaseUser) {
    return user === 'admin' ? this.cluster.secret! : this.appDatabaseSecret;
  }
}
