/**
 * What each Lambda function's code calls on AWS and reads from its environment, by function (the names of
 * FUNCTION_ENTRIES). `npm start` checks no IAM and builds its environment itself, so nothing else would see a
 * grant or a variable the stack forgot: test/infra/function-needs.test.ts holds the synthesised stack to this
 * table (every grant here and no other, every variable here), and this table to the code (each function's
 * bundle: the variables and the SDK commands it holds).
 *
 * Resources are named by what they are in the stacks; actions are written as the CDK grant that gives them
 * (the grant's whole list, since that is what the role holds).
 */

/** What a function's role may be allowed on, by name (see `resourceLabel` in the test for the mapping). */
export type Resource =
  | '*'
  | 'database'
  | 'app-db-secret'
  | 'admin-db-secret'
  | 'data-key'
  | 'table:capacity'
  | 'table:rate-limit'
  | 'table:idempotency'
  | 'table:audit'
  | 'media-bucket'
  | 'media:users/'
  | 'media:uploads/'
  | 'media:work/'
  | 'media:exports/'
  | 'model-outputs:work/'
  | 'bedrock-models'
  | 'bedrock-invocations'
  | 'state-machine'
  | 'executions'
  | 'user-pool'
  | 'hls-link-key'
  | 'pseudonym-key'
  | 'account-worker'
  | `queue:${string}`;

export interface FunctionNeeds {
  /** Variables the code reads and that must be set (beyond the ones every AppFunction sets). */
  env: readonly string[];
  /** Variables the bundle names but this function may run without, each with why. */
  unset?: Readonly<Record<string, string>>;
  grants: Readonly<Partial<Record<Resource, readonly string[]>>>;
  /** Actions of clients the function builds (its bundle holds the command) but never calls, each with why. */
  unreached?: Readonly<Record<string, string>>;
}

// The action lists of the CDK grants the stacks use.
const XRAY = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
const DATA_API = [
  'rds-data:BatchExecuteStatement',
  'rds-data:BeginTransaction',
  'rds-data:CommitTransaction',
  'rds-data:ExecuteStatement',
  'rds-data:RollbackTransaction',
];
const SECRET_READ = ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'];
/** The data key's grantEncryptDecrypt; the tables' grants add DescribeKey. */
const KEY_USE = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'];
const KEY_ENCRYPT_DECRYPT = [
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:Encrypt',
  'kms:GenerateDataKey*',
  'kms:ReEncrypt*',
];
const TABLE_READ_WRITE = [
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DeleteItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:UpdateItem',
];
const TABLE_READ = [
  'dynamodb:BatchGetItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:Query',
  'dynamodb:Scan',
];
const QUEUE_SEND = ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'];
const QUEUE_CONSUME = [
  'sqs:ChangeMessageVisibility',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
  'sqs:GetQueueUrl',
  'sqs:ReceiveMessage',
];

/** Every function that reads Aurora: the Data API as the application role. */
const DATABASE = {
  '*': XRAY,
  database: DATA_API,
  'app-db-secret': SECRET_READ,
} as const;

const DB_ENV = ['DB_CLUSTER_ARN', 'DB_SECRET_ARN', 'DB_NAME'];
const MEDIA_ENV = ['MEDIA_BUCKET', 'MEDIA_KMS_KEY_ID'];

/**
 * The API functions' runtime (shared/runtime/aws.ts, awsRuntimeConfig): every one parses these, and core
 * builds the login limiter on the rate limit table (any route may be called with an API key).
 */
const API_ENV = [
  ...DB_ENV,
  ...MEDIA_ENV,
  'STAGE',
  'ENABLED_MODELS',
  'IDEMPOTENCY_TABLE',
  'AUDIT_TABLE',
  'RATE_LIMIT_TABLE',
  'USER_POOL_ID',
  'USER_POOL_CLIENT_ID',
  'STATE_MACHINE_ARN',
];
/** Optional in awsRuntimeConfig, read only by the features that need them. */
const API_UNSET = {
  CAPACITY_TABLE: 'only the jobs feature reads waiting jobs’ places',
  HLS_LINK_SECRET_ARN: 'only the clips feature signs HLS links',
  ACCOUNT_WORKER_FUNCTION: 'only the me function starts account tasks',
  AUDIT_PSEUDONYM_SECRET_ARN: 'only the account feature pseudonymises audit entries',
  WEBHOOK_TARGETS: 'local only: lets webhooks point at the laptop',
} as const;
/** Whoever creates users rows or follows a sign-in's email asks the pool about the holder of an email. */
const READ_ACCOUNT = ['cognito-idp:AdminGetUser'];
const API = {
  ...DATABASE,
  // Every route but the event stream may create the caller's users row (shared/users/provision.ts).
  'user-pool': READ_ACCOUNT,
  // Failed API-key checks are counted per address, and the idle marker is read before a wake (the table is
  // encrypted with the data key).
  'table:rate-limit': TABLE_READ_WRITE,
  'data-key': KEY_ENCRYPT_DECRYPT,
} as const;

/** The pipeline runtime (shared/runtime/pipeline-aws.ts): database, media bucket, models, capacity. */
const PIPELINE_ENV = [...DB_ENV, ...MEDIA_ENV, 'MODEL_OUTPUT_BUCKETS'];
const PIPELINE_UNSET = {
  CAPACITY_TABLE:
    'the runtime builds admission only with it; only the tasks that admit or hand on units use it',
  LOCAL_MODEL_CAPACITY: 'local only: the stand-in model’s capacity',
  LOCAL_MODEL_LEASE_SECONDS: 'local only: the stand-in model’s lease',
  MODEL_CAPACITY: 'set only when the stage gives a model a quota',
  STAGE: 'metrics fall back to "local" and transcodes name no stage; every AppFunction sets it',
  RATE_LIMIT_TABLE: 'the runtime builds the idle marker only with it; only its sleepers and wakers use it',
} as const;
/** The idle marker (shared/events/idle-marker.ts): read and rested on by its sleepers, woken by the upload ingest. */
const IDLE_REST = { 'table:rate-limit': TABLE_READ_WRITE, 'data-key': KEY_ENCRYPT_DECRYPT } as const;
const IDLE_WAKE = { 'table:rate-limit': TABLE_READ_WRITE, 'data-key': KEY_ENCRYPT_DECRYPT } as const;
const CAPACITY = { 'table:capacity': TABLE_READ_WRITE, 'data-key': KEY_ENCRYPT_DECRYPT } as const;
/**
 * Whoever gives a capacity unit back or grants free ones hands it on to the next job's waiting task, and
 * asks whether a state still waits on the token of a waiter a grant put back in line (SendTaskHeartbeat).
 * Neither action has resource-level permissions, so both are granted on "*", beside X-Ray.
 */
const HAND_ON = { '*': [...XRAY, 'states:SendTaskHeartbeat', 'states:SendTaskSuccess'] } as const;

/** Core builds the Cognito adapter in every API function; few routes reach its admin calls. */
const API_UNREACHED = {
  'cognito-idp:AdminInitiateAuth': 'only sign-ins (auth, and the password check of me) call it',
  'cognito-idp:AdminDeleteUser':
    'only erasure (me, the account worker) and a sign-up replacing an unconfirmed account (auth) call it',
};
const STREAM_CREATES_NO_ROW = 'the event stream only reads: it never creates a users row';
/** The pipeline runtime builds every task's clients in each function that uses it; its grants say which it calls. */
const RUNTIME_CLIENTS =
  'the pipeline runtime holds every task’s clients; this function’s grants are its own calls';
const PIPELINE_UNREACHED = Object.fromEntries(
  [
    'dynamodb:',
    's3:GetObject',
    's3:PutObject',
    's3:DeleteObject',
    's3:ListBucket',
    'states:SendTaskSuccess',
    'states:SendTaskHeartbeat',
    'bedrock:InvokeModel',
    'bedrock:StartAsyncInvoke',
    'bedrock:GetAsyncInvoke',
    'mediaconvert:Probe',
  ].map((action) => [action, RUNTIME_CLIENTS]),
);
/** The upload ingest's workflow adapter can stop executions too; the ingest only starts them. */
const INGEST_UNREACHED = { 'states:StopExecution': 'the upload ingest only starts executions' };

type Unreached = Record<string, string>;
const api = (
  grants: FunctionNeeds['grants'] = {},
  env: string[] = [],
  unset = {},
  unreached: Unreached = {},
): FunctionNeeds => ({
  env: [...API_ENV, ...env],
  unset: { ...API_UNSET, ...unset },
  grants: { ...API, ...grants },
  unreached: { ...API_UNREACHED, ...unreached },
});
const pipeline = (
  grants: FunctionNeeds['grants'] = {},
  env: string[] = [],
  unreached: Unreached = {},
): FunctionNeeds => ({
  env: [...PIPELINE_ENV, ...env],
  unset: PIPELINE_UNSET,
  grants: { ...DATABASE, ...grants },
  unreached: { ...PIPELINE_UNREACHED, ...unreached },
});
const withoutEnv = (needs: FunctionNeeds, ...names: string[]): FunctionNeeds => ({
  ...needs,
  env: needs.env.filter((name) => !names.includes(name)),
});
const without = (unset: Record<string, string>, ...names: string[]) =>
  Object.fromEntries(Object.entries(unset).filter(([name]) => !names.includes(name)));

export const FUNCTION_NEEDS: Readonly<Record<string, FunctionNeeds>> = {
  'api-projects': api(
    {
      // Deleting a project empties its folders after stopping its running jobs' executions.
      'media-bucket': ['s3:ListBucket'],
      'media:users/': ['s3:DeleteObject'],
      'media:uploads/': ['s3:DeleteObject'],
      'media:work/': ['s3:DeleteObject'],
      executions: ['states:StopExecution'],
    },
    [],
    {},
    {
      's3:GetObject': 'the store can read; deleting a project only lists and deletes',
      's3:PutObject': 'the store can write; deleting a project only lists and deletes',
      'states:StartExecution': 'the workflow can start; deleting a project only stops',
    },
  ),
  'api-clips': api(
    {
      // Signed links and HLS playlists read clips; deleting a clip empties its folder.
      'media-bucket': ['s3:ListBucket'],
      'media:users/': ['s3:DeleteObject', 's3:GetObject'],
      'hls-link-key': SECRET_READ,
    },
    ['HLS_LINK_SECRET_ARN'],
    without(API_UNSET, 'HLS_LINK_SECRET_ARN'),
    { 's3:PutObject': 'the signer also presigns upload POSTs; clips are only read and deleted' },
  ),
  'api-jobs': api(
    {
      'table:idempotency': TABLE_READ_WRITE,
      // queuePosition of waiting jobs.
      'table:capacity': TABLE_READ,
      'state-machine': ['states:StartExecution'],
      executions: ['states:StopExecution'],
      // Cancelling the job of an upload deletes the uploaded file (one still waiting has no execution).
      'media:uploads/': ['s3:DeleteObject'],
    },
    ['CAPACITY_TABLE'],
    without(API_UNSET, 'CAPACITY_TABLE'),
    {
      's3:GetObject': 'the store can read; cancelling a job only deletes an uploaded file',
      's3:PutObject': 'the store can write; cancelling a job only deletes an uploaded file',
      's3:ListBucket': 'the store can list; cancelling a job deletes one named file',
    },
  ),
  'api-templates': api(),
  'api-uploads': api(
    {
      'table:idempotency': TABLE_READ_WRITE,
      // The presigned POST is signed with the function's credentials.
      'media:uploads/': ['s3:PutObject'],
    },
    [],
    {},
    { 's3:GetObject': 'the signer also signs GET links; uploads only presign POSTs' },
  ),
  'api-auth': api({
    // Sign-ins are counted by the login limiter, and go through AdminInitiateAuth. A sign-up replaces an
    // account of its email never confirmed (AdminGetUser, AdminDeleteUser).
    'table:rate-limit': TABLE_READ_WRITE,
    'user-pool': ['cognito-idp:AdminDeleteUser', 'cognito-idp:AdminGetUser', 'cognito-idp:AdminInitiateAuth'],
  }),
  'api-me': api(
    {
      'table:rate-limit': TABLE_READ_WRITE,
      // The password check of DELETE /v1/me signs in; the identity goes at once.
      'user-pool': [
        'cognito-idp:AdminDeleteUser',
        'cognito-idp:AdminGetUser',
        'cognito-idp:AdminInitiateAuth',
      ],
      'account-worker': ['lambda:InvokeFunction'],
      'pseudonym-key': SECRET_READ,
      // The export's signed link.
      'media:exports/': ['s3:GetObject'],
    },
    ['ACCOUNT_WORKER_FUNCTION', 'AUDIT_PSEUDONYM_SECRET_ARN'],
    without(API_UNSET, 'ACCOUNT_WORKER_FUNCTION', 'AUDIT_PSEUDONYM_SECRET_ARN'),
    Object.fromEntries(
      [
        's3:PutObject',
        's3:DeleteObject',
        's3:ListBucket',
        'states:StartExecution',
        'states:StopExecution',
      ].map((action) => [
        action,
        'the account feature’s store and workflow; the account worker writes, deletes and stops',
      ]),
    ),
  ),
  'api-keys': api(),
  'api-webhooks': api(),
  'api-events': api(
    { 'user-pool': undefined },
    [],
    {},
    { 'cognito-idp:AdminGetUser': STREAM_CREATES_NO_ROW },
  ),
  'api-system': api(),

  // It also asks whether its own waiting state is still there (a late attempt leaves the line again).
  'pipeline-acquire-capacity': pipeline({ ...CAPACITY, ...HAND_ON }, ['CAPACITY_TABLE']),
  'pipeline-mark-processing': pipeline(),
  'pipeline-start-generation': pipeline(
    {
      ...CAPACITY,
      // StartAsyncInvoke depends on InvokeModel (Service Authorization Reference, Amazon Bedrock).
      'bedrock-models': ['bedrock:InvokeModel', 'bedrock:StartAsyncInvoke'],
      // Bedrock writes the output with the caller's permissions; start images are read from clips.
      'media:work/': ['s3:PutObject'],
      'media:users/': ['s3:GetObject'],
      'model-outputs:work/': ['s3:PutObject'],
    },
    ['CAPACITY_TABLE'],
  ),
  'pipeline-check-generation': pipeline(
    {
      ...CAPACITY,
      ...HAND_ON,
      'bedrock-invocations': ['bedrock:GetAsyncInvoke'],
      // An output written in another Region is copied into the media bucket.
      'model-outputs:work/': ['s3:GetObject'],
      'media:work/': ['s3:PutObject'],
    },
    ['CAPACITY_TABLE'],
  ),
  'pipeline-build-transcode-settings': pipeline({
    '*': [...XRAY, 'mediaconvert:Probe'],
    'media:uploads/': ['s3:GetObject'],
    'media:users/': ['s3:GetObject'],
    'data-key': ['kms:Decrypt'],
  }),
  'pipeline-register-clip': pipeline({
    'media-bucket': ['s3:ListBucket'],
    'media:users/': ['s3:GetObject'],
    'media:work/': ['s3:DeleteObject'],
    'media:uploads/': ['s3:DeleteObject'],
  }),
  'pipeline-mark-failed': pipeline(
    {
      ...CAPACITY,
      ...HAND_ON,
      'media-bucket': ['s3:ListBucket'],
      'media:users/': ['s3:DeleteObject'],
      'media:work/': ['s3:DeleteObject'],
      'media:uploads/': ['s3:DeleteObject'],
    },
    ['CAPACITY_TABLE'],
  ),

  'cognito-post-confirmation': {
    env: DB_ENV,
    // The pool is the event's own (userPoolId), so no variable names it.
    grants: { ...DATABASE, 'user-pool': READ_ACCOUNT },
  },
  'upload-trigger': pipeline(
    {
      ...IDLE_WAKE,
      'state-machine': ['states:StartExecution'],
      'media:uploads/': ['s3:DeleteObject'],
      'queue:UploadTriggerFailures': QUEUE_SEND,
    },
    ['STATE_MACHINE_ARN', 'RATE_LIMIT_TABLE'],
    INGEST_UNREACHED,
  ),
  'upload-dead-letter': pipeline(
    {
      ...IDLE_WAKE,
      'state-machine': ['states:StartExecution'],
      'media:uploads/': ['s3:DeleteObject'],
      'queue:UploadTriggerFailures': QUEUE_CONSUME,
    },
    ['STATE_MACHINE_ARN', 'RATE_LIMIT_TABLE'],
    INGEST_UNREACHED,
  ),
  'mediaconvert-state-change': pipeline({ 'queue:MediaConvertProgressFailures': QUEUE_SEND }),
  'execution-ended': pipeline(
    {
      ...CAPACITY,
      ...HAND_ON,
      'state-machine': ['states:StartExecution'],
      'media-bucket': ['s3:ListBucket'],
      'media:users/': ['s3:DeleteObject'],
      'media:work/': ['s3:DeleteObject'],
      'media:uploads/': ['s3:DeleteObject'],
      'queue:ExecutionEndedFailures': QUEUE_SEND,
    },
    ['CAPACITY_TABLE'],
    INGEST_UNREACHED,
  ),
  // It serves the enabled models' lines only, starts again the admitted jobs whose start was lost, and fails
  // (as execution-ended would) those still QUEUED whose execution has ended.
  'capacity-sweeper': pipeline(
    {
      ...CAPACITY,
      ...IDLE_REST,
      ...HAND_ON,
      'state-machine': ['states:StartExecution'],
      executions: ['states:DescribeExecution'],
      'media-bucket': ['s3:ListBucket'],
      'media:users/': ['s3:DeleteObject'],
      'media:work/': ['s3:DeleteObject'],
      'media:uploads/': ['s3:DeleteObject'],
    },
    ['CAPACITY_TABLE', 'ENABLED_MODELS', 'STATE_MACHINE_ARN', 'RATE_LIMIT_TABLE'],
    { 'states:StopExecution': 'the workflow can stop; the sweep only starts' },
  ),
  'model-output-created': pipeline(
    {
      ...CAPACITY,
      ...HAND_ON,
      'model-outputs:work/': ['s3:GetObject'],
      'media:work/': ['s3:PutObject'],
      'queue:ModelOutputCreatedFailures': QUEUE_SEND,
    },
    ['CAPACITY_TABLE'],
  ),
  // Its own runtime (shared/runtime/account-worker-aws.ts): no request path, no model list.
  'account-worker': withoutEnv(
    api(
      {
        // It authenticates nobody: no login limiter, so no rate limit table.
        'table:rate-limit': undefined,
        'data-key': KEY_USE,
        'media-bucket': ['s3:ListBucket'],
        'media:users/': ['s3:DeleteObject'],
        'media:uploads/': ['s3:DeleteObject'],
        'media:work/': ['s3:DeleteObject'],
        'media:exports/': ['s3:DeleteObject', 's3:PutObject'],
        executions: ['states:StopExecution'],
        'user-pool': ['cognito-idp:AdminDeleteUser'],
        'table:audit': ['dynamodb:BatchWriteItem', 'dynamodb:Query'],
        'table:idempotency': ['dynamodb:BatchWriteItem', 'dynamodb:Scan'],
        'pseudonym-key': SECRET_READ,
        'queue:AccountWorkerFailures': QUEUE_SEND,
      },
      ['AUDIT_PSEUDONYM_SECRET_ARN'],
      without(API_UNSET, 'AUDIT_PSEUDONYM_SECRET_ARN'),
      {
        'cognito-idp:AdminGetUser': 'it creates no users row and signs no one in',
        's3:GetObject': 'an export lists the user’s objects, never reads them',
        'states:StartExecution': 'erasure only stops executions',
      },
    ),
    'ENABLED_MODELS',
  ),
  'audit-writer': {
    env: ['AUDIT_TABLE', 'AUDIT_PSEUDONYM_SECRET_ARN'],
    grants: {
      '*': XRAY,
      'table:audit': ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'],
      'data-key': KEY_USE,
      'pseudonym-key': SECRET_READ,
      'queue:AuditWriterFailures': QUEUE_SEND,
    },
  },
  'webhook-relay': {
    env: [...DB_ENV, 'WEBHOOK_QUEUE_URL', 'RATE_LIMIT_TABLE'],
    grants: { ...DATABASE, ...IDLE_REST, 'queue:WebhookDeliveries': QUEUE_SEND },
  },
  'webhook-sender': {
    env: DB_ENV,
    unset: {
      WEBHOOK_RETRY_DELAYS_MS: 'tests shorten the retry schedule; deployed, the default holds',
      WEBHOOK_TARGETS: 'local only: lets webhooks point at the laptop',
    },
    grants: { ...DATABASE, 'queue:WebhookDeliveries': QUEUE_CONSUME },
  },
  migrate: {
    env: [...DB_ENV, 'APP_DB_SECRET_ARN', 'MIGRATIONS_DIR'],
    grants: { ...DATABASE, 'admin-db-secret': SECRET_READ },
  },
};
