import { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { STAGES } from '#infra/config.ts';
import { FUNCTION_NODE_ENV } from '#infra/functions.ts';
import { AUDIT_TABLE_KEYS, IDEMPOTENCY_TABLE_KEYS } from '#shared/audit/dynamodb.ts';
import { API_ROUTES } from '#shared/http/routes.ts';
import { EXECUTION_TIMEOUT_SECONDS } from '#shared/workflow/execution-timeout.ts';
import { synthesizedStage } from '#test/support/stage-synth.ts';

// Bundling is skipped here (the bundle test builds every function); the templates are otherwise complete.
function synth(stage: string) {
  const { built, data, compute } = synthesizedStage(stage);
  return { ...built, data, compute };
}

function policiesOf(template: Template, roleLogicalIdPrefix: string) {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((p) =>
      (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref.startsWith(roleLogicalIdPrefix)),
    )
    .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[] }[])
    .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
}

describe.each(STAGES)('stage %s', (stage) => {
  let t: ReturnType<typeof synth>;
  beforeAll(() => {
    t = synth(stage);
  });

  it('names stacks after the stage', () => {
    const stacks = t.app.node.children.filter((c): c is Stack => Stack.isStack(c));
    // Plus an output bucket stack in each other Region of an enabled video model (test/infra/models.test.ts).
    expect(stacks.map((c) => c.stackName).sort()).toEqual(
      [
        `AiVideoCompute-${stage}`,
        `AiVideoData-${stage}`,
        ...t.modelOutputs.map((s) => `AiVideoModelOutputs-${stage}-${s.region}`),
      ].sort(),
    );
  });

  it('has no unacknowledged cdk-nag finding in either stack', () => {
    const acknowledged = new Set(t.acknowledged.map((a) => `${a.rule}@${a.path}`));
    for (const stack of [
      t.app.node.findChild(`AiVideoData-${stage}`),
      t.app.node.findChild(`AiVideoCompute-${stage}`),
    ]) {
      const report = new AwsSolutionsChecks(undefined).validateScope(stack);
      const open = report.violations.flatMap((v) =>
        v.violatingResources
          .map((r) => `${v.ruleName}@${r.constructPath}`)
          .filter((key) => !acknowledged.has(key)),
      );
      expect(open).toEqual([]);
    }
  });

  it('runs Aurora Serverless v2 with the Data API, encrypted, in isolated subnets', () => {
    t.data.hasResourceProperties('AWS::RDS::DBCluster', {
      Engine: 'aurora-postgresql',
      EnableHttpEndpoint: true,
      StorageEncrypted: true,
      ServerlessV2ScalingConfiguration: Match.objectLike({
        MinCapacity: stage === 'prod' ? 0.5 : 0,
      }),
    });
    t.data.resourceCountIs('AWS::RDS::DBInstance', stage === 'prod' ? 2 : 1);
    t.data.resourceCountIs('AWS::EC2::NatGateway', 0);
  });

  it('keeps the media bucket private, encrypted, TLS-only, with lifecycle rules', () => {
    t.data.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: Match.absent(),
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) }),
        ],
      },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
          Match.objectLike({ Prefix: 'uploads/', ExpirationInDays: 2 }),
          Match.objectLike({ Prefix: 'work/' }),
          // Versioned: old versions go after 30 days, and then their delete markers, which no rule of a
          // prefix without an expiration of current versions would remove (S3 User Guide, "Managing
          // delete markers").
          ...(stage === 'prod'
            ? [
                Match.objectLike({
                  Id: 'old-versions',
                  NoncurrentVersionExpiration: { NoncurrentDays: 30 },
                  ExpiredObjectDeleteMarker: true,
                }),
              ]
            : []),
        ]),
      },
      ...(stage === 'prod' ? { VersioningConfiguration: { Status: 'Enabled' } } : {}),
    });
    const policies = Object.values(t.data.findResources('AWS::S3::BucketPolicy'));
    const denies = policies.flatMap(
      (p) => p.Properties.PolicyDocument.Statement as Record<string, unknown>[],
    );
    expect(
      denies.filter(
        (s) =>
          s.Effect === 'Deny' &&
          JSON.stringify(s.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
      ).length,
    ).toBeGreaterThanOrEqual(2);
  });

  it('keys the tables as the code writes them', () => {
    t.data.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [{ AttributeName: IDEMPOTENCY_TABLE_KEYS.partition, KeyType: 'HASH' }],
    });
    t.data.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: AUDIT_TABLE_KEYS.partition, KeyType: 'HASH' },
        { AttributeName: AUDIT_TABLE_KEYS.sort, KeyType: 'RANGE' },
      ],
    });
  });

  it('has idempotency and audit tables with TTL, point-in-time recovery in prod only', () => {
    for (const ttl of ['expiration', 'expiresAt']) {
      t.data.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        TimeToLiveSpecification: { AttributeName: ttl, Enabled: true },
        Replicas: [
          Match.objectLike({
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: stage === 'prod' },
          }),
        ],
      });
    }
  });

  it("applies the spec's password policy to the user pool", () => {
    t.data.hasResourceProperties('AWS::Cognito::UserPool', {
      Policies: {
        PasswordPolicy: Match.objectLike({
          MinimumLength: 8,
          RequireUppercase: true,
          RequireLowercase: true,
          RequireNumbers: true,
        }),
      },
      UsernameAttributes: ['email'],
      LambdaConfig: { PostConfirmation: Match.anyValue() },
    });
  });

  it("keeps a user's email until a change made through UpdateUserAttributes is verified", () => {
    // "When AttributesRequireVerificationBeforeUpdate is false ... API operations that change attribute values
    // can immediately update a user's email" (Cognito API reference, UserAttributeUpdateSettingsType).
    t.data.hasResourceProperties('AWS::Cognito::UserPool', {
      UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] },
      AutoVerifiedAttributes: ['email'],
    });
  });

  it('runs every function on Node 24, arm64, with tracing, and the Node options the cold start bench uses', () => {
    const fns = Object.values(t.compute.findResources('AWS::Lambda::Function')).filter(
      (f) => f.Properties.Handler === 'index.handler' && f.Properties.Runtime !== undefined,
    );
    const ours = fns.filter((f) => f.Properties.Environment?.Variables?.STAGE === stage);
    expect(ours.length).toBeGreaterThanOrEqual(18);
    for (const f of ours) {
      expect(f.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
      });
      // No --enable-source-maps: the map is read by `npm run stack`, not at every cold start.
      expect(f.Properties.Environment.Variables.NODE_OPTIONS).toBe(FUNCTION_NODE_ENV.NODE_OPTIONS);
    }
  });

  it('routes every API route to its function, which checks the token or API key itself', () => {
    const routes = Object.values(t.compute.findResources('AWS::ApiGatewayV2::Route'));
    const keys = routes.map((r) => r.Properties.RouteKey as string).sort();
    const buffered = API_ROUTES.filter((r) => !r.stream);
    expect(keys).toEqual(buffered.map((r) => `${r.method} ${r.path}`).sort());
    for (const route of buffered) {
      const found = routes.find((r) => r.Properties.RouteKey === `${route.method} ${route.path}`)!;
      expect(found.Properties.AuthorizationType ?? 'NONE').toBe('NONE');
    }
    expect(t.compute.findResources('AWS::ApiGatewayV2::Authorizer')).toEqual({});
    t.compute.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: Match.anyValue() }),
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  });

  it('streams events through a function URL in RESPONSE_STREAM mode, and queues webhook deliveries with a DLQ and alarms', () => {
    t.compute.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
      InvokeMode: 'RESPONSE_STREAM',
      Cors: Match.objectLike({ AllowMethods: ['GET'] }),
    });
    const queues = t.compute.findResources('AWS::SQS::Queue');
    const deliveries = Object.entries(queues).find(
      ([id]) => id.startsWith('WebhookDeliveries') && !id.includes('DLQ'),
    );
    expect(deliveries?.[1].Properties.RedrivePolicy).toMatchObject({ maxReceiveCount: 5 });
    t.compute.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 20 },
    });
    t.compute.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)' });
    const alarms = Object.keys(t.compute.findResources('AWS::CloudWatch::Alarm'));
    for (const name of ['WebhookDeliveriesDLQWaiting', 'WebhookQueueBacklog', 'WebhookRelayErrors']) {
      expect(alarms.some((a) => a.startsWith(name))).toBe(true);
    }
  });

  it('deploys the state machine with logging, X-Ray, and every placeholder substituted', () => {
    t.compute.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      LoggingConfiguration: Match.objectLike({ Level: stage === 'dev' ? 'ALL' : 'ERROR' }),
      TracingConfiguration: { Enabled: true },
    });
    const machine = Object.values(t.compute.findResources('AWS::StepFunctions::StateMachine'))[0]!;
    const substitutions = Object.keys(machine.Properties.DefinitionSubstitutions).sort();
    expect(substitutions).toEqual(
      [
        'AcquireCapacityFunctionArn',
        'BuildTranscodeSettingsFunctionArn',
        'CheckGenerationFunctionArn',
        'MarkFailedFunctionArn',
        'MarkProcessingFunctionArn',
        'MediaConvertRoleArn',
        'RegisterClipFunctionArn',
        'StartGenerationFunctionArn',
      ].sort(),
    );
  });

  it('gives every execution the hard timeout the stuck-job sweep counts on', () => {
    const machine = Object.values(t.compute.findResources('AWS::StepFunctions::StateMachine'))[0]!;
    // A definition read from a file keeps no `timeout` prop: it must be in the definition itself.
    const definition = JSON.parse(machine.Properties.DefinitionString ?? '{}');
    expect(definition.TimeoutSeconds).toBe(EXECUTION_TIMEOUT_SECONDS);
    expect(definition.StartAt).toBe('RouteByJobType');
  });

  it('lets the state machine pass only the MediaConvert role, only to MediaConvert', () => {
    const machineRole = 'GenerationJobRole';
    const statements = Object.values(t.compute.findResources('AWS::IAM::Policy'))
      .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref.startsWith(machineRole)))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Record<string, unknown>[]);
    const passRole = statements.filter((s) => [s.Action].flat().includes('iam:PassRole'));
    expect(passRole).toHaveLength(1);
    expect(passRole[0]).toMatchObject({
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^MediaConvertRole/), 'Arn'] },
      Condition: { StringEquals: { 'iam:PassedToService': 'mediaconvert.amazonaws.com' } },
    });
    expect(statements.some((s) => [s.Action].flat().some((a) => String(a).startsWith('s3:')))).toBe(false);
  });

  it('lets each function that empties folders delete objects under every folder it empties', () => {
    // DeleteObjects checks s3:DeleteObject key by key and answers 200 with an AccessDenied entry for each key
    // the caller may not delete (S3 API reference, DeleteObjects), which the store turns into an error.
    const deletable = (rolePrefix: string) =>
      Object.values(t.compute.findResources('AWS::IAM::Policy'))
        .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref.startsWith(rolePrefix)))
        .flatMap((p) => p.Properties.PolicyDocument.Statement as Record<string, unknown>[])
        .filter((st) => [st.Action].flat().includes('s3:DeleteObject'))
        .flatMap((st) => [st.Resource].flat())
        .map((r) => JSON.stringify(r).match(/"\/([a-z]+\/)\*"/)?.[1])
        .sort();
    // DELETE /v1/projects/{id}: its clips, its pending uploads and its running jobs' scratch space
    // (shared/projects/service.ts, remove).
    expect(deletable('ApiprojectsFunctionServiceRole')).toEqual(['uploads/', 'users/', 'work/']);
    expect(deletable('ApiclipsFunctionServiceRole')).toEqual(['users/']);
    expect(deletable('AccountWorkerFunctionServiceRole')).toEqual([
      'exports/',
      'uploads/',
      'users/',
      'work/',
    ]);
  });

  it('lets each function that stops executions stop them', () => {
    // StopExecution is authorized on the execution's ARN (Service Authorization Reference, AWS Step
    // Functions); cancelling a job, deleting a project with running jobs and erasing an account stop them.
    const stoppers = Object.values(t.compute.findResources('AWS::IAM::Policy'))
      .filter((p) =>
        (p.Properties.PolicyDocument.Statement as Record<string, unknown>[]).some(
          (st) =>
            [st.Action].flat().includes('states:StopExecution') &&
            JSON.stringify(st.Resource).includes(':execution:'),
        ),
      )
      .flatMap((p) =>
        (p.Properties.Roles as { Ref: string }[]).map((r) => r.Ref.replace(/[0-9A-F]{8}$/, '')),
      );
    expect(new Set(stoppers)).toEqual(
      new Set([
        'ApijobsFunctionServiceRole',
        'ApiprojectsFunctionServiceRole',
        'AccountWorkerFunctionServiceRole',
      ]),
    );
  });

  it('gives each function only what it needs', () => {
    const actions = (prefix: string) => new Set(policiesOf(t.compute, prefix));
    const templatesFn = actions('ApitemplatesFunctionServiceRole');
    expect([...templatesFn].some((a) => a.startsWith('s3:') || a.startsWith('states:'))).toBe(false);
    expect(templatesFn.has('rds-data:ExecuteStatement')).toBe(true);
    const jobsFn = actions('ApijobsFunctionServiceRole');
    expect(jobsFn.has('states:StartExecution')).toBe(true);
    // It reads no media: job sources are checked in the database, and the pipeline reads the objects. It
    // deletes only the file of an upload whose job is cancelled.
    expect([...jobsFn].filter((a) => a.startsWith('s3:'))).toEqual(['s3:DeleteObject']);
    const markProcessing = actions('PipelinemarkprocessingFunctionServiceRole');
    expect([...markProcessing].some((a) => a.startsWith('s3:') || a.startsWith('bedrock:'))).toBe(false);
    const start = actions('PipelinestartgenerationFunctionServiceRole');
    expect(start.has('bedrock:StartAsyncInvoke')).toBe(true);
    expect(start.has('s3:DeleteObject')).toBe(false);
    const uploads = actions('ApiuploadsFunctionServiceRole');
    expect(uploads.has('s3:PutObject')).toBe(true);
    expect(uploads.has('s3:GetObject')).toBe(false);
  });

  it('lets only the me function start account tasks, and only erasure and sign-up delete identities', () => {
    const statements = Object.entries(t.compute.findResources('AWS::IAM::Policy')).flatMap(([, p]) =>
      (p.Properties.PolicyDocument.Statement as Record<string, unknown>[]).map((s) => ({
        roles: (p.Properties.Roles as { Ref: string }[]).map((r) => r.Ref),
        actions: [s.Action].flat() as string[],
        resource: s.Resource,
      })),
    );
    const holders = (action: string) =>
      statements
        .filter((s) => s.actions.includes(action))
        .flatMap((s) => s.roles.map((r) => r.replace(/[0-9A-F]{8}$/, '')));
    const invokers = statements
      .filter(
        (s) =>
          s.actions.includes('lambda:InvokeFunction') && JSON.stringify(s.resource).includes('AccountWorker'),
      )
      .flatMap((s) => s.roles.map((r) => r.replace(/[0-9A-F]{8}$/, '')));
    expect(new Set(invokers)).toEqual(new Set(['ApimeFunctionServiceRole']));
    // The auth function deletes only an account never confirmed, which a new sign-up of its email replaces
    // (shared/auth/cognito.ts); IAM has no condition on a user's status, so the grant is the pool's.
    expect(new Set(holders('cognito-idp:AdminDeleteUser'))).toEqual(
      new Set(['ApimeFunctionServiceRole', 'AccountWorkerFunctionServiceRole', 'ApiauthFunctionServiceRole']),
    );
    const worker = new Set(policiesOf(t.compute, 'AccountWorkerFunctionServiceRole'));
    expect(worker.has('s3:GetObject')).toBe(false);
    expect(worker.has('states:StartExecution')).toBe(false);
    expect(worker.has('states:StopExecution')).toBe(true);
    expect(worker.has('dynamodb:Scan') && worker.has('dynamodb:Query')).toBe(true);
    expect(worker.has('dynamodb:DeleteTable') || worker.has('dynamodb:PutItem')).toBe(false);
    const keysFn = new Set(policiesOf(t.compute, 'ApikeysFunctionServiceRole'));
    expect([...keysFn].some((a) => a.startsWith('s3:') || a.startsWith('states:'))).toBe(false);
    t.compute.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: Match.anyValue(),
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 6 * 3600,
    });
    t.data.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Id: 'account-exports',
            Prefix: 'exports/',
            ExpirationInDays: 1,
            Status: 'Enabled',
          }),
        ]),
      },
    });
  });

  it('wires uploads, MediaConvert progress and ended executions to their handlers', () => {
    t.compute.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: ['aws.s3'], 'detail-type': ['Object Created'] }),
    });
    t.compute.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: ['aws.mediaconvert'] }),
    });
    t.compute.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: ['aws.states'] }),
    });
    t.compute.resourceCountIs('AWS::CloudFormation::CustomResource', 1);
    // 5xx, system job failures, timeouts, EventBridge dead letters, Aurora capacity, and one per
    // on-failure queue (upload trigger, its consumer's dead letters, MediaConvert progress, ended
    // executions, model outputs, the account worker, the audit writer); two burn-rate alarms for job
    // success and two per job type for time to complete; three for webhooks (their DLQ, the queue's
    // backlog, relay errors); one for the capacity sweeper's errors.
    t.compute.resourceCountIs('AWS::CloudWatch::Alarm', 12 + 2 + 2 * 4 + 3 + 1);
    t.compute.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    t.compute.hasOutput('ApiUrl', {});
  });

  it("resumes a job waiting on its model's output when the output object is created", () => {
    const rule = Object.values(t.compute.findResources('AWS::Events::Rule')).find((r) =>
      r.Properties.Description?.includes("model's output"),
    )!;
    // The media bucket, and the output bucket of each other model Region (test/infra/models.test.ts).
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: {
        bucket: {
          name: expect.arrayContaining([{ 'Fn::ImportValue': `AiVideoData-${stage}-MediaBucketName` }]),
        },
        object: { key: [{ wildcard: 'work/*/generation/*output.mp4' }] },
      },
    });
    expect(JSON.stringify(rule.Properties.Targets)).toMatch(/ModelOutputCreated/);
    // Only those that hand a finished run or a capacity unit over may answer a task token. SendTask* have no
    // resource-level permissions: a statement naming the machine would deny every call.
    const answering = Object.values(t.compute.findResources('AWS::IAM::Policy')).flatMap((p) =>
      (p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
        .filter((st) => [st.Action].flat().some((a) => a.startsWith('states:SendTask')))
        .map((st) => ({ roles: p.Properties.Roles as { Ref: string }[], st })),
    );
    const roleOf = (a: (typeof answering)[number]) => a.roles[0]!.Ref.replace(/FunctionServiceRole.*/, '');
    expect(answering.map(roleOf).sort()).toEqual([
      'CapacitySweeper',
      'ExecutionEnded',
      'ModelOutputCreated',
      'Pipelineacquirecapacity',
      'Pipelinecheckgeneration',
      'Pipelinemarkfailed',
    ]);
    for (const a of answering) {
      // Each also serves a capacity line, and asks whether a state still waits on a token (a heartbeat
      // resumes nothing): AcquireCapacity its own, a grant that put a waiter back in line the waiter's. On
      // "*", CDK merges the statement with X-Ray's, which allows nothing else.
      const actions = [a.st.Action].flat();
      expect(actions.filter((x) => x.startsWith('states:'))).toEqual([
        'states:SendTaskHeartbeat',
        'states:SendTaskSuccess',
      ]);
      expect(actions.filter((x) => !x.startsWith('states:') && !x.startsWith('xray:'))).toEqual([]);
      expect(a.st.Resource).toBe('*');
    }
    // The machine invokes the two waiting tasks' functions through lambda:invoke.waitForTaskToken.
    const machine = Object.values(t.compute.findResources('AWS::StepFunctions::StateMachine'))[0]!;
    const subs = machine.Properties.DefinitionSubstitutions;
    expect(subs.StartGenerationFunctionArn['Fn::GetAtt'][0]).toMatch(/^Pipelinestartgeneration/);
    expect(subs.CheckGenerationFunctionArn['Fn::GetAtt'][0]).toMatch(/^Pipelinecheckgeneration/);
  });
});
