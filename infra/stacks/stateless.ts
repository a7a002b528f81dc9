/**
 * The compute of one stage: the API functions behind an HTTP API, the generation-job state machine with its
 * Lambda tasks and MediaConvert role, the event handlers (uploads, MediaConvert progress, ended executions),
 * database migrations on deploy, alarms and a dashboard.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CfnOutput, CustomResource, Duration, Fn, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  type HttpMethod,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { type IGrantable, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  FunctionUrlAuthType,
  type IFunction,
  InvokeMode,
  HttpMethod as LambdaHttpMethod,
} from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { FilterPattern, LogGroup, SubscriptionFilter } from 'aws-cdk-lib/aws-logs';
import { LambdaDestination } from 'aws-cdk-lib/aws-logs-destinations';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption, type QueueProps } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Provider } from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import { AUDIT_FILTER_PATTERN } from '#shared/audit/line.ts';
import { bedrockModels } from '#shared/generation/models.ts';
import {
  API_CORS_ALLOW_HEADERS,
  API_CORS_EXPOSE_HEADERS,
  API_CORS_METHODS,
  CORS_MAX_AGE_SECONDS,
} from '#shared/http/cors.ts';
import { API_FUNCTIONS, API_ROUTES } from '#shared/http/routes.ts';
import { DIMENSION, METRIC, METRICS_NAMESPACE, METRICS_SERVICE } from '#shared/observability/metrics.ts';
import { EXECUTION_TIMEOUT_SECONDS } from '#shared/workflow/execution-timeout.ts';
import type { StageConfig } from '../config.ts';
import { ensureConsoleBuilt } from '../console/build.ts';
import { AppFunction, PROJECT_ROOT } from '../constructs/app-function.ts';
import { deployConsole } from '../constructs/console-site.ts';
import {
  MODEL_OUTPUT_KEY_PATTERN,
  modelOutputBucketName,
  modelOutputRegions,
} from '../constructs/model-outputs.ts';
import { ServiceObjectives } from '../constructs/service-objectives.ts';
import { PIPELINE_TASKS } from '../functions.ts';
import type { StatefulStack } from './stateful.ts';

export interface StatelessStackProps extends StackProps {
  config: StageConfig;
  data: StatefulStack;
}

function migrationsHash(): string {
  const dir = path.join(PROJECT_ROOT, 'shared/db/migrations');
  const hash = createHash('sha256');
  for (const file of readdirSync(dir, { recursive: true }).map(String).sort()) {
    if (file.endsWith('.sql') || file.endsWith('.json'))
      hash.update(file).update(readFileSync(path.join(dir, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

/** HTTP API access log fields ($context variables of HTTP APIs). */
export const API_ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  integrationError: '$context.integrationErrorMessage',
};

export class StatelessStack extends Stack {
  readonly api: HttpApi;
  readonly stateMachine: StateMachine;
  readonly functions: Record<string, NodejsFunction> = {};
  readonly mediaConvertRole: Role;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, data } = props;
    const bucket = Bucket.fromBucketAttributes(this, 'MediaBucket', {
      bucketArn: Fn.importValue(data.mediaBucketExports.arn),
      bucketName: Fn.importValue(data.mediaBucketExports.name),
    });
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const dbEnv = data.databaseEnvironment('app');
    const mediaEnv = { MEDIA_BUCKET: bucket.bucketName, MEDIA_KMS_KEY_ID: data.key.keyArn };
    // Video models: each is called in its own Region; outside this one it writes to an output bucket there.
    const models = bedrockModels(config.models.enabled);
    const outputBuckets = Object.fromEntries(
      modelOutputRegions(config, this.region).map((r) => [
        r,
        modelOutputBucketName(config.stage, this.account, r),
      ]),
    );
    // The models a job may ask for: the API checks them; of the pipeline, only the capacity sweeper reads them.
    const enabledModelsEnv = { ENABLED_MODELS: config.models.enabled.join(',') };
    const modelEnv = {
      MODEL_OUTPUT_BUCKETS: this.toJsonString(outputBuckets),
      // Each model's quota of concurrent generations, when the stage sets one (shared/capacity/limits.ts).
      ...(config.models.capacity ? { MODEL_CAPACITY: JSON.stringify(config.models.capacity) } : {}),
    };

    const make = (name: string, entry: string, environment: Record<string, string>, timeout = 29) => {
      const fn = new AppFunction(this, name, {
        config,
        entry,
        environment,
        timeout: Duration.seconds(timeout),
      }).fn;
      this.functions[name] = fn;
      data.grantDatabase(fn, 'app');
      return fn;
    };
    const s3 = (grantee: IGrantable, actions: string[], prefixes: string[]) =>
      grantee.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({ actions, resources: prefixes.map((p) => bucket.arnForObjects(`${p}*`)) }),
      );
    const list = (grantee: IGrantable) =>
      grantee.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
      );

    // The model capacity table and the grant on it go together: the pipeline runtime builds admission only
    // when CAPACITY_TABLE is set (shared/runtime/pipeline-aws.ts), so no function can reach it ungranted.
    const useCapacity = (fn: NodejsFunction) => {
      data.capacityTable.grantReadWriteData(fn);
      fn.addEnvironment('CAPACITY_TABLE', data.capacityTable.tableName);
    };

    // The idle marker (shared/events/idle-marker.ts) is an item of the rate limit table: the webhook relay and
    // the capacity sweeper read it and rest on it, and what gives them work reads it and wakes them (every API
    // function may already use the table; of the event functions, the upload ingest's two).
    const useIdleMarker = (fn: NodejsFunction) => {
      data.rateLimitTable.grantReadWriteData(fn);
      fn.addEnvironment('RATE_LIMIT_TABLE', data.rateLimitTable.tableName);
    };

    // --- The state machine's Lambda tasks ---------------------------------------------------------------
    const pipelineEnv = { ...dbEnv, ...mediaEnv, ...modelEnv };
    const task: Record<string, NodejsFunction> = {};
    for (const t of PIPELINE_TASKS) {
      task[t.file] = make(`Pipeline-${t.file}`, `functions/pipeline/${t.file}.ts`, pipelineEnv, 60);
    }
    const startGeneration = task['start-generation']!;
    const checkGeneration = task['check-generation']!;
    // Each model's grants name its own Region (shared/generation/models.ts).
    if (models.length) {
      startGeneration.addToRolePolicy(
        new PolicyStatement({
          actions: ['bedrock:InvokeModel', 'bedrock:StartAsyncInvoke'],
          resources: models.map(
            (m) => `arn:${this.partition}:bedrock:${m.region}::foundation-model/${m.modelId}`,
          ),
        }),
      );
      checkGeneration.addToRolePolicy(
        new PolicyStatement({
          actions: ['bedrock:GetAsyncInvoke'],
          resources: [...new Set(models.map((m) => m.region))].map(
            (r) => `arn:${this.partition}:bedrock:${r}:${this.account}:async-invoke/*`,
          ),
        }),
      );
    }
    // Bedrock writes the model's output with the caller's permissions; start images are read from clips.
    s3(startGeneration, ['s3:PutObject'], ['work/']);
    s3(startGeneration, ['s3:GetObject'], ['users/']);
    data.key.grantEncryptDecrypt(startGeneration);
    // Output buckets in other Regions: written through Bedrock, read back by the copy into the media bucket.
    const outputObjects = Object.values(outputBuckets).map((b) => `arn:${this.partition}:s3:::${b}/work/*`);
    if (outputObjects.length) {
      startGeneration.addToRolePolicy(
        new PolicyStatement({ actions: ['s3:PutObject'], resources: outputObjects }),
      );
      checkGeneration.addToRolePolicy(
        new PolicyStatement({ actions: ['s3:GetObject'], resources: outputObjects }),
      );
      s3(checkGeneration, ['s3:PutObject'], ['work/']);
      data.key.grantEncrypt(checkGeneration);
    }
    const buildSettings = task['build-transcode-settings']!;
    buildSettings.addToRolePolicy(new PolicyStatement({ actions: ['mediaconvert:Probe'], resources: ['*'] }));
    // Probe reads uploads, and the clips an EDIT trims (their frame rate) or an ENHANCE denoises (their codec).
    s3(buildSettings, ['s3:GetObject'], ['uploads/', 'users/']);
    data.key.grantDecrypt(buildSettings);
    for (const name of ['register-clip', 'mark-failed'] as const) {
      list(task[name]!);
      s3(
        task[name]!,
        ['s3:DeleteObject'],
        ['work/', 'uploads/', ...(name === 'mark-failed' ? ['users/'] : [])],
      );
    }
    s3(task['register-clip']!, ['s3:GetObject'], ['users/']);

    // --- MediaConvert ------------------------------------------------------------------------------------
    this.mediaConvertRole = new Role(this, 'MediaConvertRole', {
      assumedBy: new ServicePrincipal('mediaconvert.amazonaws.com'),
      description: 'Lets MediaConvert read job sources and write clip outputs in the media bucket',
    });
    s3(this.mediaConvertRole, ['s3:GetObject'], ['work/', 'uploads/', 'users/']);
    s3(this.mediaConvertRole, ['s3:PutObject'], ['users/']);
    data.key.grantEncryptDecrypt(this.mediaConvertRole);

    // --- State machine -----------------------------------------------------------------------------------
    const stateMachineName = `ai-video-${config.stage}-generation-job`;
    // CheckGeneration hands a finished run over itself; the output event's handler does it otherwise. The
    // functions that answer task tokens all serve capacity lines too: a grant that put a waiter back in
    // line (shared/capacity/) asks with SendTaskHeartbeat whether its state still waits, as does an
    // AcquireCapacity attempt that leaves its job in line.
    // SendTaskSuccess and SendTaskHeartbeat have no resource-level permissions (Service Authorization
    // Reference, AWS Step Functions: no resource type): a statement naming the state machine would never
    // match, and every call would be denied. A task token is the secret that names the waiting state.
    const answerTokens = (grantee: IGrantable) =>
      grantee.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['states:SendTaskSuccess', 'states:SendTaskHeartbeat'],
          resources: ['*'],
        }),
      );
    answerTokens(checkGeneration);
    // Admission control (shared/capacity/): AcquireCapacity resumes its own token or waits; whoever gives
    // a unit back (the model's output is in, a failure, a failed model run) hands it on with SendTaskSuccess;
    // StartGeneration and CheckGeneration renew the job's lease.
    for (const name of ['acquire-capacity', 'start-generation', 'check-generation', 'mark-failed'] as const) {
      useCapacity(task[name]!);
    }
    answerTokens(task['acquire-capacity']!);
    answerTokens(task['mark-failed']!);
    // Under /aws/vendedlogs/: Step Functions adds any other log group to the account's CloudWatch Logs
    // resource policy, whose 5120 characters fill up with stages and state machines (Step Functions
    // Developer Guide, "Avoiding Amazon CloudWatch Logs resource policy size restrictions"). The stack id's
    // last part, new at each creation of the stack, keeps a group retained by `cdk destroy` or a
    // rolled-back create from blocking a deploy.
    const machineLogs = new LogGroup(this, 'StateMachineLogs', {
      logGroupName: `/aws/vendedlogs/states/${stateMachineName}-${Fn.select(2, Fn.split('/', this.stackId))}`,
      retention: config.logRetentionDays,
      removalPolicy,
    });
    this.stateMachine = new StateMachine(this, 'GenerationJob', {
      stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      // CDK drops `timeout` for a definition read from a file, so the hard timeout goes into the definition.
      definitionBody: DefinitionBody.fromString(
        JSON.stringify({
          ...JSON.parse(
            readFileSync(path.join(PROJECT_ROOT, 'state-machines/generation-job.asl.json'), 'utf8'),
          ),
          TimeoutSeconds: EXECUTION_TIMEOUT_SECONDS,
        }),
      ),
      definitionSubstitutions: {
        ...Object.fromEntries(PIPELINE_TASKS.map((t) => [t.placeholder, task[t.file]!.functionArn])),
        MediaConvertRoleArn: this.mediaConvertRole.roleArn,
      },
      tracingEnabled: true,
      logs: {
        destination: machineLogs,
        level: config.stateMachineLogs.level === 'ALL' ? LogLevel.ALL : LogLevel.ERROR,
        includeExecutionData: config.stateMachineLogs.includeExecutionData,
      },
    });
    for (const fn of Object.values(task)) fn.grantInvoke(this.stateMachine);
    // AWS Step Functions Developer Guide, "IAM policies for AWS Elemental MediaConvert", Run a Job (.sync):
    // MediaConvert supports resource-level permissions only partially, so CreateJob, GetJob and CancelJob
    // must be allowed on "Resource": "*". Step Functions tags every job it creates
    // (ManagedByService: AWSStepFunctions, "Create an AWS Elemental MediaConvert job with Step Functions"),
    // and CreateJob with tags also needs mediaconvert:TagResource (Service Authorization Reference).
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({
        actions: [
          'mediaconvert:CreateJob',
          'mediaconvert:GetJob',
          'mediaconvert:CancelJob',
          'mediaconvert:TagResource',
        ],
        resources: ['*'],
      }),
    );
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.mediaConvertRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'mediaconvert.amazonaws.com' } },
      }),
    );
    // The .sync integration watches the job through this managed rule.
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [
          `arn:${this.partition}:events:${this.region}:${this.account}:rule/StepFunctionsGetEventsForMediaConvertJobRule`,
        ],
      }),
    );

    // --- API -----------------------------------------------------------------------------------------------
    const apiEnv = {
      ...dbEnv,
      ...mediaEnv,
      ...enabledModelsEnv,
      IDEMPOTENCY_TABLE: data.idempotencyTable.tableName,
      AUDIT_TABLE: data.auditTable.tableName,
      RATE_LIMIT_TABLE: data.rateLimitTable.tableName,
      USER_POOL_ID: data.userPool.userPoolId,
      USER_POOL_CLIENT_ID: data.userPoolClient.userPoolClientId,
      STATE_MACHINE_ARN: this.stateMachine.stateMachineArn,
    };
    // Signs the links of HLS playlists (shared/media/hls-links.ts); only the clips function reads it.
    const hlsLinkKey = new Secret(this, 'HlsLinkKey', {
      description: 'HMAC key of HLS playlist links',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    // Keys erased users' ids into audit pseudonyms (shared/account/erase.ts).
    const pseudonymKey = new Secret(this, 'AuditPseudonymKey', {
      description: 'HMAC key of erased users’ pseudonyms in the audit log',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    const apiFns: Record<string, NodejsFunction> = {};
    for (const name of API_FUNCTIONS) {
      const fn = make(
        `Api-${name}`,
        `functions/api/${name}.ts`,
        name === 'clips' ? { ...apiEnv, HLS_LINK_SECRET_ARN: hlsLinkKey.secretArn } : apiEnv,
        // A stream lasts up to 14 minutes, then the client resumes with Last-Event-ID.
        name === 'events' ? 15 * 60 : 29,
      );
      // Any route may be called with an API key, whose failed checks are counted per address; the routes that
      // may give the webhook relay or the stuck-start sweep work read the idle marker before waking them.
      data.rateLimitTable.grantReadWriteData(fn);
      apiFns[name] = fn;
    }
    for (const name of ['uploads', 'jobs'] as const) data.idempotencyTable.grantReadWriteData(apiFns[name]!);
    // A waiting job's queuePosition is read from the capacity table.
    data.capacityTable.grantReadData(apiFns.jobs!);
    apiFns.jobs!.addEnvironment('CAPACITY_TABLE', data.capacityTable.tableName);
    data.rateLimitTable.grantReadWriteData(apiFns.auth!);
    s3(apiFns.uploads!, ['s3:PutObject'], ['uploads/']);
    data.key.grantEncrypt(apiFns.uploads!);
    s3(apiFns.clips!, ['s3:GetObject', 's3:DeleteObject'], ['users/']);
    hlsLinkKey.grantRead(apiFns.clips!);
    list(apiFns.clips!);
    data.key.grantDecrypt(apiFns.clips!);
    // Deleting a project empties its clips' folder, its pending uploads and its running jobs' scratch space.
    s3(apiFns.projects!, ['s3:DeleteObject'], ['users/', 'uploads/', 'work/']);
    list(apiFns.projects!);
    // ...after stopping the executions of its running jobs (shared/projects/service.ts).
    this.stateMachine.grantExecution(apiFns.projects!, 'states:StopExecution');
    this.stateMachine.grantStartExecution(apiFns.jobs!);
    this.stateMachine.grantExecution(apiFns.jobs!, 'states:StopExecution');
    s3(apiFns.jobs!, ['s3:DeleteObject'], ['uploads/']);

    // --- Account worker: exports and erasure, invoked asynchronously by the me function -------------------
    const deleteIdentity = new PolicyStatement({
      actions: ['cognito-idp:AdminDeleteUser'],
      resources: [data.userPool.userPoolArn],
    });
    const accountWorker = make(
      'AccountWorker',
      'functions/events/account-worker.ts',
      // Its runtime reads no model list (shared/runtime/account-worker-aws.ts).
      {
        ...Object.fromEntries(Object.entries(apiEnv).filter(([name]) => name !== 'ENABLED_MODELS')),
        AUDIT_PSEUDONYM_SECRET_ARN: pseudonymKey.secretArn,
      },
      300,
    );
    list(accountWorker);
    s3(accountWorker, ['s3:DeleteObject'], ['users/', 'uploads/', 'work/', 'exports/']);
    s3(accountWorker, ['s3:PutObject'], ['exports/']);
    this.stateMachine.grantExecution(accountWorker, 'states:StopExecution');
    accountWorker.addToRolePolicy(deleteIdentity);
    // Audit entries move under a pseudonym (Query, BatchWriteItem, the erasure marker too); idempotency
    // records are found by Scan.
    accountWorker.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query', 'dynamodb:BatchWriteItem'],
        resources: [data.auditTable.tableArn],
      }),
    );
    accountWorker.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:Scan', 'dynamodb:BatchWriteItem'],
        resources: [data.idempotencyTable.tableArn],
      }),
    );
    data.key.grantEncryptDecrypt(accountWorker);
    pseudonymKey.grantRead(accountWorker);
    const me = apiFns.me!;
    // Sign-ins (POST /v1/auth/login, and the password check of DELETE /v1/me) go through AdminInitiateAuth.
    const signIn = new PolicyStatement({
      actions: ['cognito-idp:AdminInitiateAuth'],
      resources: [data.userPool.userPoolArn],
    });
    apiFns.auth!.addToRolePolicy(signIn);
    me.addToRolePolicy(signIn);
    // Creating a users row (on an account's first request) and following a sign-in's email may have to ask
    // the pool whether the account holding that email still signs in with it. The event stream creates no row.
    const readAccount = new PolicyStatement({
      actions: ['cognito-idp:AdminGetUser'],
      resources: [data.userPool.userPoolArn],
    });
    for (const name of API_FUNCTIONS) if (name !== 'events') apiFns[name]!.addToRolePolicy(readAccount);
    me.addEnvironment('ACCOUNT_WORKER_FUNCTION', accountWorker.functionName);
    me.addEnvironment('AUDIT_PSEUDONYM_SECRET_ARN', pseudonymKey.secretArn);
    accountWorker.grantInvoke(me);
    me.addToRolePolicy(deleteIdentity);
    // A sign-up takes the place of an account of its email that was never confirmed (shared/auth/cognito.ts).
    apiFns.auth!.addToRolePolicy(deleteIdentity);
    pseudonymKey.grantRead(me);
    // The export's signed link is signed with the function's own credentials.
    s3(me, ['s3:GetObject'], ['exports/']);
    data.key.grantDecrypt(me);
    // DELETE /v1/me checks the password with a sign-in, counted by the login limiter.
    data.rateLimitTable.grantReadWriteData(me);

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: config.logRetentionDays,
      removalPolicy,
    });
    this.api = new HttpApi(this, 'Api', {
      apiName: `ai-video-${config.stage}`,
      createDefaultStage: false,
      // The same rules as the local server's (shared/http/cors.ts).
      corsPreflight: {
        allowOrigins: [...config.api.corsOrigins, data.consoleSite.origin],
        allowMethods: API_CORS_METHODS.map((m) => CorsHttpMethod[m]),
        allowHeaders: API_CORS_ALLOW_HEADERS,
        exposeHeaders: API_CORS_EXPOSE_HEADERS,
        maxAge: Duration.seconds(CORS_MAX_AGE_SECONDS),
      },
    });
    new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: config.api.rateLimit, burstLimit: config.api.burstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // The route key, never the path: HLS playlist paths carry a signed token.
        format: AccessLogFormat.custom(JSON.stringify(API_ACCESS_LOG_FIELDS)),
      },
    });
    // No gateway authorizer: every function checks the bearer itself (shared/http/authenticate.ts), a
    // Cognito access token or an API key, which API Gateway's JWT authorizer cannot check. A Lambda
    // authorizer would add an invocation and a second cache (a revoked key's grace) to every request.
    const integrations = Object.fromEntries(
      API_FUNCTIONS.map((name) => [name, new HttpLambdaIntegration(`Integration-${name}`, apiFns[name]!)]),
    );
    // Event streams go through the events function's URL instead: HTTP APIs buffer whole responses.
    for (const route of API_ROUTES.filter((r) => !r.stream)) {
      this.api.addRoutes({
        path: route.path,
        methods: [route.method as HttpMethod],
        integration: integrations[route.fn]!,
      });
    }

    // --- Events ----------------------------------------------------------------------------------------------
    // Every queue here is encrypted with SSE-SQS: EventBridge (a service principal) and Lambda's
    // destinations can send to it with sqs:SendMessage alone. The AWS managed key aws/sqs cannot be granted
    // to EventBridge, and the data key (a customer key) would need its policy edited in the data stack.
    const queue = (id: string, props: QueueProps = {}) =>
      new Queue(this, id, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        ...props,
      });
    // Events EventBridge could not hand to Lambda at all.
    const deadLetters = queue('EventDeadLetters');
    // Events Lambda accepted but the handler failed on after its retries: Lambda sends the event, with the
    // error, to the function's on-failure destination instead of discarding it.
    const failureQueues: Record<string, Queue> = {};
    const onFailure = (fn: NodejsFunction, id: string, maxEventAge: Duration, target?: Queue) => {
      failureQueues[id] = target ?? queue(id);
      fn.configureAsyncInvoke({
        onFailure: new SqsDestination(failureQueues[id]),
        retryAttempts: 2,
        maxEventAge,
      });
    };
    const target = (fn: IFunction) =>
      new LambdaFunction(fn, {
        deadLetterQueue: deadLetters,
        retryAttempts: 4,
        maxEventAge: Duration.hours(2),
      });
    // A scheduled tick that EventBridge could not hand over at once is not worth handing over late: the next
    // minute's tick does its work, and a late one would run beside it. One minute is the shortest event age
    // a target's retry policy takes (EventBridge user guide, "Event retry policy").
    const tick = (fn: IFunction) =>
      new LambdaFunction(fn, {
        deadLetterQueue: deadLetters,
        retryAttempts: 0,
        maxEventAge: Duration.minutes(1),
      });

    const uploadTrigger = make('UploadTrigger', 'functions/events/upload-trigger.ts', {
      ...pipelineEnv,
      STATE_MACHINE_ARN: this.stateMachine.stateMachineArn,
    });
    this.stateMachine.grantStartExecution(uploadTrigger);
    s3(uploadTrigger, ['s3:DeleteObject'], ['uploads/']);
    useIdleMarker(uploadTrigger);
    // An upload whose processing could not start ends as a FAILED job: its failure records are consumed
    // by upload-dead-letter, whose own failures go to a further queue after five receives.
    const uploadDeadLetterFailures = queue('UploadDeadLetterFailures');
    failureQueues.UploadDeadLetterFailures = uploadDeadLetterFailures;
    const uploadFailures = queue('UploadTriggerFailures', {
      // Shorter than its dead-letter queue's 14 days: a message moved there keeps its first enqueue time
      // (SQS Developer Guide, "Setting-up dead-letter queue retention in Amazon SQS").
      retentionPeriod: Duration.days(7),
      visibilityTimeout: Duration.minutes(3), // six times the consumer's timeout, as Lambda advises
      deadLetterQueue: { queue: uploadDeadLetterFailures, maxReceiveCount: 5 },
    });
    // A cancelled upload is remembered for as long as this path may still bring its file's event
    // (CANCELLATION_MARGIN_SECONDS in shared/uploads/reservations.ts): lengthen both together.
    onFailure(uploadTrigger, 'UploadTriggerFailures', Duration.hours(1), uploadFailures);
    // Closing an upload may free its owner's slot, and then starts their waiting uploads (shared/uploads/ingest.ts).
    const uploadDeadLetter = make('UploadDeadLetter', 'functions/events/upload-dead-letter.ts', {
      ...pipelineEnv,
      STATE_MACHINE_ARN: this.stateMachine.stateMachineArn,
    });
    this.stateMachine.grantStartExecution(uploadDeadLetter);
    useIdleMarker(uploadDeadLetter);
    // The handler answers with batchItemFailures; without this setting Lambda would ignore them.
    uploadDeadLetter.addEventSource(
      new SqsEventSource(uploadFailures, { batchSize: 1, reportBatchItemFailures: true }),
    );
    s3(uploadDeadLetter, ['s3:DeleteObject'], ['uploads/']);
    new Rule(this, 'UploadCreated', {
      description: 'A finished upload becomes a TRANSCODE job',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [bucket.bucketName] }, object: { key: [{ prefix: 'uploads/' }] } },
      },
      targets: [target(uploadTrigger)],
    });

    // A video model's output landed (in the media bucket, or forwarded from an output bucket's Region by
    // the rule of its ModelOutputsStack): the job waiting for it resumes.
    const modelOutput = make('ModelOutputCreated', 'functions/events/model-output-created.ts', pipelineEnv);
    answerTokens(modelOutput);
    useCapacity(modelOutput);
    if (outputObjects.length) {
      modelOutput.addToRolePolicy(
        new PolicyStatement({ actions: ['s3:GetObject'], resources: outputObjects }),
      );
      s3(modelOutput, ['s3:PutObject'], ['work/']);
      data.key.grantEncrypt(modelOutput);
    }
    new Rule(this, 'ModelOutputCreatedRule', {
      description: "A video model's output landed: its job stops waiting and goes on to transcode",
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [bucket.bucketName, ...Object.values(outputBuckets)] },
          object: { key: [{ wildcard: MODEL_OUTPUT_KEY_PATTERN }] },
        },
      },
      targets: [target(modelOutput)],
    });
    // A lost event costs only time: the safety-net poll finds the output within minutes.
    onFailure(modelOutput, 'ModelOutputCreatedFailures', Duration.minutes(30));

    const progress = make(
      'MediaConvertProgress',
      'functions/events/mediaconvert-state-change.ts',
      pipelineEnv,
    );
    new Rule(this, 'MediaConvertStatusUpdate', {
      description: 'Transcode progress moves the job progress',
      eventPattern: {
        source: ['aws.mediaconvert'],
        detailType: ['MediaConvert Job State Change'],
        // MediaConvert sends every job's events in the account and Region: another stage's too, whose
        // progress updates would otherwise resume this stage's database every 10 seconds. Jobs end through
        // the .sync integration's own rule (COMPLETE/ERROR), which this filter does not touch: a transcode
        // submitted before the stage tag existed only stops moving its progress bar until it ends.
        detail: {
          status: ['STATUS_UPDATE'],
          userMetadata: { jobId: [{ exists: true }], stage: [config.stage] },
        },
      },
      targets: [target(progress)],
    });
    // A progress update is superseded by the next one within seconds; an old one is not worth retrying.
    onFailure(progress, 'MediaConvertProgressFailures', Duration.minutes(10));

    const ended = make('ExecutionEnded', 'functions/events/execution-ended.ts', pipelineEnv);
    list(ended);
    // A stopped or timed-out execution's capacity unit, or its place in line, goes to the next job.
    useCapacity(ended);
    answerTokens(ended);
    // Every ending frees a slot, so the owner's uploads waiting for one are started from here.
    this.stateMachine.grantStartExecution(ended);
    s3(ended, ['s3:DeleteObject'], ['work/', 'uploads/', 'users/']);
    new Rule(this, 'ExecutionEndedRule', {
      description:
        'Closes jobs whose execution was stopped, timed out or failed outside its Catch, and starts waiting uploads',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: {
          stateMachineArn: [this.stateMachine.stateMachineArn],
          status: ['SUCCEEDED', 'ABORTED', 'TIMED_OUT', 'FAILED'],
        },
      },
      targets: [target(ended)],
    });
    onFailure(ended, 'ExecutionEndedFailures', Duration.hours(1));

    // The capacity sweeper: leases that ran out come back, and free units go to jobs in line.
    // It also starts again the admitted jobs whose execution was never started (a start lost to a crash).
    const sweeper = make(
      'CapacitySweeper',
      'functions/events/capacity-sweeper.ts',
      { ...pipelineEnv, ...enabledModelsEnv, STATE_MACHINE_ARN: this.stateMachine.stateMachineArn },
      60,
    );
    useCapacity(sweeper);
    useIdleMarker(sweeper);
    answerTokens(sweeper);
    this.stateMachine.grantStartExecution(sweeper);
    // A start that meets the job's execution asks whether it still runs; a job whose execution has ended
    // unhandled is failed here as ExecutionEnded would have, its objects removed.
    this.stateMachine.grantExecution(sweeper, 'states:DescribeExecution');
    list(sweeper);
    s3(sweeper, ['s3:DeleteObject'], ['work/', 'uploads/', 'users/']);
    // The next minute's run does what a failed one would have; a retry would only run beside it.
    sweeper.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });
    new Rule(this, 'CapacitySweeperSchedule', {
      description:
        'Reclaims expired model capacity leases, serves jobs waiting for capacity and starts jobs whose start was lost',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [tick(sweeper)],
    });
    // A failed export or erasure is retried twice; then the event waits here (erasure can be repeated).
    onFailure(accountWorker, 'AccountWorkerFailures', Duration.hours(6));

    // --- Audit: the API functions' audit log lines, stored by the audit writer ----------------------------------
    // Each API function writes its audit entries as log lines (shared/audit/line.ts); a subscription filter
    // on its log group hands those lines, and no others, to the writer.
    const auditWriter = new AppFunction(this, 'AuditWriter', {
      config,
      entry: 'functions/events/audit-writer.ts',
      environment: {
        AUDIT_TABLE: data.auditTable.tableName,
        AUDIT_PSEUDONYM_SECRET_ARN: pseudonymKey.secretArn,
      },
      timeout: Duration.seconds(60),
      description: 'Stores the API functions’ audit log lines in the audit table',
    }).fn;
    this.functions.AuditWriter = auditWriter;
    // Puts, and moves of an erased user's entries (put and delete); reads of erasure markers.
    auditWriter.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:BatchWriteItem', 'dynamodb:BatchGetItem'],
        resources: [data.auditTable.tableArn],
      }),
    );
    data.key.grantEncryptDecrypt(auditWriter);
    pseudonymKey.grantRead(auditWriter);
    // CloudWatch Logs invokes it asynchronously: two retries, then the payload waits in the queue (alarmed
    // below) for a replay; the lines also stay in the API function's log group for its retention.
    onFailure(auditWriter, 'AuditWriterFailures', Duration.hours(6));
    for (const name of API_FUNCTIONS) {
      new SubscriptionFilter(this, `AuditLines-${name}`, {
        logGroup: apiFns[name]!.logGroup,
        // Adds the permission for logs.amazonaws.com to invoke the writer, limited to this log group.
        destination: new LambdaDestination(auditWriter),
        filterPattern: FilterPattern.literal(AUDIT_FILTER_PATTERN),
        filterName: 'audit-lines',
      });
    }

    // --- Migrations on deploy --------------------------------------------------------------------------------
    const migrateFn = new AppFunction(this, 'Migrate', {
      config,
      entry: 'functions/deploy/migrate.ts',
      environment: {
        ...data.databaseEnvironment('admin'),
        APP_DB_SECRET_ARN: data.appDatabaseSecret.secretArn,
        MIGRATIONS_DIR: '/var/task/migrations',
      },
      timeout: Duration.minutes(10),
      copyIntoBundle: { from: 'shared/db/migrations', to: 'migrations' },
    }).fn;
    this.functions.Migrate = migrateFn;
    data.grantDatabase(migrateFn, 'admin');
    data.appDatabaseSecret.grantRead(migrateFn);
    const migrations = new Provider(this, 'MigrationsProvider', { onEventHandler: migrateFn });
    const migrate = new CustomResource(this, 'Migrations', {
      serviceToken: migrations.serviceToken,
      // The secret's ARN too: a deploy that introduces (or replaces) the app role's secret applies it even
      // when no migration changed.
      properties: { migrations: migrationsHash(), appRoleSecret: data.appDatabaseSecret.secretArn },
    });
    // The API must not serve before its tables exist.
    for (const fn of Object.values(this.functions)) if (fn !== migrateFn) fn.node.addDependency(migrate);

    // --- Job events: webhooks and the live stream -----------------------------------------------------------------
    // The events function answers GET /v1/events and /v1/jobs/{jobId}/events through a function URL in
    // RESPONSE_STREAM mode (HTTP APIs buffer responses). The URL has no IAM auth: the function checks the
    // same Cognito access token as the API's authorizer, before it streams anything.
    const eventsUrl = apiFns.events!.addFunctionUrl({
      authType: FunctionUrlAuthType.NONE,
      invokeMode: InvokeMode.RESPONSE_STREAM,
      cors: {
        allowedOrigins: [...config.api.corsOrigins, data.consoleSite.origin],
        allowedMethods: [LambdaHttpMethod.GET],
        allowedHeaders: ['authorization', 'last-event-id'],
        maxAge: Duration.seconds(CORS_MAX_AGE_SECONDS),
      },
    });
    // The relay queues one message per due delivery; senders attempt them. A message whose processing
    // fails five times lands in the DLQ; the delivery itself is claimed again by the relay once its lease
    // lapses, so nothing is lost either way.
    const webhookDlq = queue('WebhookDeliveriesDLQ');
    const webhookQueue = queue('WebhookDeliveries', {
      retentionPeriod: Duration.days(4),
      visibilityTimeout: Duration.minutes(3), // six times the sender's timeout
      deadLetterQueue: { queue: webhookDlq, maxReceiveCount: 5 },
    });
    const webhookRelay = make(
      'WebhookRelay',
      'functions/events/webhook-relay.ts',
      { ...dbEnv, WEBHOOK_QUEUE_URL: webhookQueue.queueUrl },
      60,
    );
    webhookQueue.grantSendMessages(webhookRelay);
    useIdleMarker(webhookRelay);
    // A failed tick is not retried: the next minute's tick claims the same due deliveries, and a retry
    // would only run beside it. Its errors alarm (below) reports a relay that keeps failing.
    webhookRelay.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });
    new Rule(this, 'WebhookRelaySchedule', {
      description: 'Runs the webhook relay for most of every minute',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [tick(webhookRelay)],
    });
    const webhookSender = make('WebhookSender', 'functions/events/webhook-sender.ts', dbEnv, 30);
    webhookSender.addEventSource(
      new SqsEventSource(webhookQueue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(0),
        reportBatchItemFailures: true,
        maxConcurrency: 20,
      }),
    );

    // --- Alarms and dashboard ----------------------------------------------------------------------------------
    const alarm = (
      id: string,
      metric: IMetric,
      threshold: number,
      description: string,
      comparisonOperator = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    ) =>
      new Alarm(this, id, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
    const api5xx = this.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' });
    // Every caught failure ends in the JobFailed state, so ExecutionsFailed counts cancels and blocked
    // prompts too; the service counts failures by class instead (shared/observability/metrics.ts).
    const systemFailures = new Metric({
      namespace: METRICS_NAMESPACE,
      metricName: METRIC.jobsFailed,
      dimensionsMap: {
        [DIMENSION.service]: METRICS_SERVICE,
        [DIMENSION.stage]: config.stage,
        [DIMENSION.failureClass]: 'system',
      },
      statistic: 'Sum',
      period: Duration.minutes(5),
    });
    const dlqDepth = deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) });
    const capacity = data.cluster.metricServerlessDatabaseCapacity({ period: Duration.minutes(5) });
    alarm('Api5xx', api5xx, 5, 'The API answered 5 or more 5xx in 5 minutes');
    alarm(
      'SystemJobFailures',
      systemFailures,
      1,
      'A job failed for a system reason (not the user, not the model); see the MarkFailed logs',
    );
    alarm(
      'StateMachineTimeouts',
      this.stateMachine.metricTimedOut({ period: Duration.minutes(5), statistic: 'Sum' }),
      1,
      'A generation execution ran past its timeout',
    );
    alarm('DeadLetters', dlqDepth, 1, 'EventBridge could not deliver an event to its handler');
    for (const [id, failed] of Object.entries(failureQueues)) {
      alarm(
        `${id}Waiting`,
        failed.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
          statistic: 'Maximum',
        }),
        0,
        `An event handler failed on an event after its retries; the event and the error wait in ${id}`,
        ComparisonOperator.GREATER_THAN_THRESHOLD,
      );
    }
    alarm(
      'WebhookDeliveriesDLQWaiting',
      webhookDlq.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      0,
      'The webhook sender failed to process a delivery message five times; see the sender logs',
      ComparisonOperator.GREATER_THAN_THRESHOLD,
    );
    alarm(
      'WebhookQueueBacklog',
      webhookQueue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
      300,
      'Webhook deliveries have waited 5 minutes or more for a sender',
    );
    alarm(
      'WebhookRelayErrors',
      webhookRelay.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      2,
      'The webhook relay failed twice in 5 minutes: deliveries are not being queued',
    );
    alarm(
      'CapacitySweeperErrors',
      sweeper.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      2,
      'The capacity sweeper failed twice in 5 minutes: expired leases are not being reclaimed',
    );
    alarm(
      'AuroraCapacity',
      capacity,
      config.database.maxCapacity * 0.9,
      'Aurora is near its maximum capacity',
    );
    const objectives = new ServiceObjectives(this, 'Objectives', { config });
    const failedEvents = Object.entries(failureQueues).map(([id, q]) =>
      q.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
        label: id,
      }),
    );
    new Dashboard(this, 'Dashboard', {
      dashboardName: `ai-video-${config.stage}`,
      widgets: [
        ...objectives.widgets,
        [
          new GraphWidget({ title: 'API 5xx (API Gateway)', width: 6, left: [api5xx] }),
          new GraphWidget({ title: 'EventBridge dead letters', width: 6, left: [dlqDepth] }),
          new GraphWidget({ title: 'Events failed after retries', width: 6, left: failedEvents }),
          new GraphWidget({ title: 'Aurora capacity (ACU)', width: 6, left: [capacity] }),
        ],
      ],
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
    const consoleBucket = Bucket.fromBucketAttributes(this, 'ConsoleBucket', {
      bucketArn: Fn.importValue(data.consoleBucketExports.arn),
      bucketName: Fn.importValue(data.consoleBucketExports.name),
    });
    deployConsole(
      this,
      { bucket: consoleBucket, distribution: data.consoleSite.distribution },
      ensureConsoleBuilt(),
      {
        apiUrl: this.api.apiEndpoint,
        eventsUrl: eventsUrl.url,
        region: this.region,
        userPoolId: data.userPool.userPoolId,
        userPoolClientId: data.userPoolClient.userPoolClientId,
      },
    );
    new CfnOutput(this, 'ConsoleUrl', { value: data.consoleSite.origin });
    new CfnOutput(this, 'EventStreamUrl', {
      value: eventsUrl.url,
      description: 'Base URL of GET /v1/events and /v1/jobs/{jobId}/events (Server-Sent Events)',
    });
    new CfnOutput(this, 'StateMachineArn', { value: this.stateMachine.stateMachineArn });
  }
}
