/**
 * What AWS does at deploy and at run time, asserted on the synthesised templates of every stage: retained
 * resources that a redeploy can recreate, failed events that are kept and alarmed on, the permissions the
 * MediaConvert .sync integration needs, alarms on system failures only, Cognito without OAuth defaults and
 * with SES where it matters, the application database role, and execution logs without data outside dev.
 */
import { App, type Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '#infra/app.ts';
import { STAGES } from '#infra/config.ts';
import { acknowledgeFindings } from '#infra/nag.ts';
import { synthesizedStage } from '#test/support/stage-synth.ts';

type Resource = { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string };

function synth(stage: string) {
  const { built, data, compute, modelOutputs } = synthesizedStage(stage);
  return { ...built, dataT: data, computeT: compute, outputTs: modelOutputs };
}

const resourcesOf = (t: Template) => Object.entries(t.toJSON().Resources as Record<string, Resource>);

/**
 * A name CloudFormation cannot pick itself: a literal, or one joined from literals and pseudo parameters,
 * unless it holds the stack's id, which is new each time the stack is created.
 */
function isFixedName(value: unknown): boolean {
  if (typeof value === 'string') return true;
  const json = JSON.stringify(value);
  if (json.includes('"AWS::StackId"')) return false;
  return json.includes('Fn::Join') || json.includes('Fn::Sub');
}

/**
 * Name properties that are no physical name of the resource itself: Cognito user pool names need not be
 * unique, DatabaseName names the database inside the (new) cluster, and the parameter and subnet group
 * names refer to other (existing or generated) resources.
 */
const NOT_PHYSICAL_NAMES = new Set([
  'UserPoolName',
  'DatabaseName',
  'DBClusterParameterGroupName',
  'DBParameterGroupName',
  'DBSubnetGroupName',
]);

function statementsOf(t: Template, rolePrefix: string) {
  return Object.values(t.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref.startsWith(rolePrefix)))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Record<string, unknown>[]);
}
const actionsOf = (s: Record<string, unknown>) => [s.Action].flat() as string[];

describe.each(STAGES)('stage %s', (stage) => {
  let t: ReturnType<typeof synth>;
  beforeAll(() => {
    t = synth(stage);
  });

  it('gives no retained resource a fixed physical name, and retains nothing in dev', () => {
    const retained: string[] = [];
    const named: string[] = [];
    for (const template of [t.dataT, t.computeT, ...t.outputTs]) {
      for (const [id, r] of resourcesOf(template)) {
        if (!r.DeletionPolicy || r.DeletionPolicy === 'Delete') continue;
        retained.push(`${id} (${r.Type})`);
        for (const [key, value] of Object.entries(r.Properties ?? {})) {
          if (/(Name|Identifier)$/.test(key) && !NOT_PHYSICAL_NAMES.has(key) && isFixedName(value)) {
            named.push(`${id}.${key}`);
          }
        }
      }
    }
    expect(named).toEqual([]);
    if (stage === 'dev') expect(retained).toEqual([]);
    else expect(retained.length).toBeGreaterThan(0);
  });

  it('names the state machine log group under /aws/vendedlogs/, unique to the stack, and no other', () => {
    // Step Functions Developer Guide, "Avoiding Amazon CloudWatch Logs resource policy size restrictions":
    // a state machine's log group is added to the account's CloudWatch Logs resource policy (5120
    // characters at most) unless its name starts with /aws/vendedlogs/.
    const machine = Object.values(t.computeT.findResources('AWS::StepFunctions::StateMachine'))[0]!;
    const group = (
      machine.Properties.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn as {
        'Fn::GetAtt': [string, string];
      }
    )['Fn::GetAtt'][0];
    for (const [id, r] of resourcesOf(t.computeT).filter(([, r]) => r.Type === 'AWS::Logs::LogGroup')) {
      if (id !== group) {
        expect(r.Properties?.LogGroupName, id).toBeUndefined();
        continue;
      }
      const name = JSON.stringify(r.Properties?.LogGroupName) ?? '(no name)';
      expect(name).toContain(`"/aws/vendedlogs/states/ai-video-${stage}-generation-job-"`);
      // The stack id's last part: a group a destroyed stack retained never blocks the next deploy.
      expect(name).toContain('"AWS::StackId"');
      expect(isFixedName(r.Properties?.LogGroupName)).toBe(false);
    }
    for (const [, r] of resourcesOf(t.dataT).filter(([, r]) => r.Type === 'AWS::S3::Bucket')) {
      expect(r.Properties?.BucketName).toBeUndefined();
    }
  });

  it('sends every asynchronously invoked function’s failed events to an alarmed queue', () => {
    const allRules = Object.values(t.computeT.findResources('AWS::Events::Rule'));
    // Scheduled ticks are redone by the next tick, so they are not retried; an errors alarm watches them.
    const scheduled = allRules.filter((r) => r.Properties.ScheduleExpression);
    for (const rule of scheduled) {
      const target = (
        rule.Properties.Targets as { Arn: { 'Fn::GetAtt': [string, string] }; RetryPolicy?: unknown }[]
      )[0]!;
      const fn = target.Arn['Fn::GetAtt'][0];
      // EventBridge's own retries (up to 185 over 24 h by default) would hand a stale tick to Lambda beside
      // the next one; one minute, the shortest event age EventBridge accepts, and no retry.
      expect(target.RetryPolicy, fn).toEqual({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 });
      t.computeT.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: fn },
        MaximumRetryAttempts: 0,
      });
      const errors = Object.values(t.computeT.findResources('AWS::CloudWatch::Alarm')).filter(
        (a) =>
          a.Properties.MetricName === 'Errors' && JSON.stringify(a.Properties.Dimensions).includes(`"${fn}"`),
      );
      expect(errors, fn).toHaveLength(1);
    }
    const rules = allRules.filter((r) => !r.Properties.ScheduleExpression);
    const targets = rules.flatMap((r) =>
      (r.Properties.Targets as { Arn: { 'Fn::GetAtt': [string, string] } }[]).map(
        (x) => x.Arn['Fn::GetAtt'][0],
      ),
    );
    // Upload trigger, MediaConvert progress, ended executions, model outputs.
    expect(targets.length).toBe(4);
    const configs = Object.values(t.computeT.findResources('AWS::Lambda::EventInvokeConfig'));
    const queues = t.computeT.findResources('AWS::SQS::Queue');
    const alarms = Object.values(t.computeT.findResources('AWS::CloudWatch::Alarm'));
    for (const fn of targets) {
      const config = configs.find((c) => c.Properties.FunctionName.Ref === fn);
      expect(config, fn).toBeDefined();
      expect(config!.Properties.MaximumRetryAttempts).toBe(2);
      expect(config!.Properties.MaximumEventAgeInSeconds).toBeLessThanOrEqual(3600);
      const queueId = config!.Properties.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0] as string;
      // SSE-SQS: Lambda (with the function's role) and EventBridge can both write to it with no key policy.
      expect(queues[queueId]?.Properties).toMatchObject({ SqsManagedSseEnabled: true });
      expect(queues[queueId]?.Properties.KmsMasterKeyId).toBeUndefined();
      // The function's role may send to its queue.
      const role = `${fn.replace(/Function[0-9A-F]{8}$/, '')}FunctionServiceRole`;
      const send = statementsOf(t.computeT, role).find((s) => actionsOf(s).includes('sqs:SendMessage'));
      expect(send?.Resource, fn).toEqual({ 'Fn::GetAtt': [queueId, 'Arn'] });
      const alarm = alarms.find(
        (a) =>
          a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible' &&
          JSON.stringify(a.Properties.Dimensions).includes(queueId),
      );
      expect(alarm?.Properties, queueId).toMatchObject({
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
      });
    }
    // No queue uses the AWS managed key aws/sqs, which EventBridge cannot be granted.
    for (const q of Object.values(queues)) expect(q.Properties.KmsMasterKeyId).toBeUndefined();
  });

  it('turns failed upload triggers into FAILED jobs through a consumer with its own dead-letter queue', () => {
    const queues = t.computeT.findResources('AWS::SQS::Queue');
    const [uploadQueueId, uploadQueue] = Object.entries(queues).find(([id]) =>
      id.startsWith('UploadTriggerFailures'),
    )!;
    expect(uploadQueue.Properties.RedrivePolicy).toMatchObject({ maxReceiveCount: 5 });
    const dlqId = uploadQueue.Properties.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0] as string;
    expect(
      Object.values(t.computeT.findResources('AWS::CloudWatch::Alarm')).some((a) =>
        JSON.stringify(a.Properties.Dimensions).includes(dlqId),
      ),
    ).toBe(true);
    const mappings = Object.values(t.computeT.findResources('AWS::Lambda::EventSourceMapping'));
    const mapping = mappings.find((m) => m.Properties.EventSourceArn['Fn::GetAtt']?.[0] === uploadQueueId);
    expect(mapping?.Properties.FunctionName.Ref).toMatch(/^UploadDeadLetterFunction/);
    // The consumer reports failed records one by one; Lambda honours that only when told to.
    expect(mapping?.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    // It builds the upload ingest, which needs the state machine (awsUploadIngest throws without its ARN)
    // and starts the owner's waiting uploads when the abandoned job gave up a slot.
    const consumer = mapping!.Properties.FunctionName.Ref as string;
    const fn = t.computeT.findResources('AWS::Lambda::Function')[consumer]!;
    expect(fn.Properties.Environment.Variables.STATE_MACHINE_ARN).toEqual({
      Ref: expect.stringMatching(/^GenerationJob/),
    });
    const starts = statementsOf(
      t.computeT,
      consumer.replace(/Function[0-9A-F]{8}$/, 'FunctionServiceRole'),
    ).filter((st) => actionsOf(st).includes('states:StartExecution'));
    expect(starts.map((st) => st.Resource)).toEqual([{ Ref: expect.stringMatching(/^GenerationJob/) }]);
  });

  it('keeps every dead-lettered message longer than its source queue did', () => {
    // SQS Developer Guide, "Setting-up dead-letter queue retention in Amazon SQS": a standard queue's
    // message keeps its original enqueue time in the dead-letter queue, so that queue's retention must be
    // longer than the source's, or a message that reached it late expires there at once.
    const queues = t.computeT.findResources('AWS::SQS::Queue');
    const retention = (q: (typeof queues)[string]) => q.Properties?.MessageRetentionPeriod ?? 4 * 86_400;
    const redriven = Object.entries(queues).filter(([, q]) => q.Properties?.RedrivePolicy);
    expect(redriven.length).toBeGreaterThan(0);
    for (const [id, q] of redriven) {
      const dlq = queues[q.Properties.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0] as string]!;
      expect(retention(dlq), id).toBeGreaterThan(retention(q));
    }
  });

  it('gives every SQS event source a visibility timeout of six times its function’s timeout', () => {
    // Lambda Developer Guide, "Creating and configuring an Amazon SQS event source mapping".
    const queues = t.computeT.findResources('AWS::SQS::Queue');
    const functions = t.computeT.findResources('AWS::Lambda::Function');
    const mappings = Object.values(t.computeT.findResources('AWS::Lambda::EventSourceMapping'));
    expect(mappings.length).toBeGreaterThan(0);
    for (const m of mappings) {
      const queueId = m.Properties.EventSourceArn['Fn::GetAtt'][0] as string;
      const fn = functions[m.Properties.FunctionName.Ref as string]!;
      const visibility = queues[queueId]!.Properties?.VisibilityTimeout ?? 30;
      expect(visibility, queueId).toBeGreaterThanOrEqual(6 * fn.Properties.Timeout);
    }
  });

  it('hears the transcode progress of this stage’s jobs only', () => {
    // MediaConvert sends the state changes of every job in the account and Region to EventBridge (MediaConvert
    // User Guide, "List of MediaConvert EventBridge events"); stages may share an account.
    const rules = Object.values(t.computeT.findResources('AWS::Events::Rule'));
    const progress = rules.filter((r) => r.Properties.EventPattern?.source?.[0] === 'aws.mediaconvert');
    expect(progress).toHaveLength(1);
    expect(progress[0]!.Properties.EventPattern.detail.userMetadata).toEqual({
      jobId: [{ exists: true }],
      stage: [stage],
    });
    // The task that writes the user metadata reads the stage from STAGE.
    const fns = t.computeT.findResources('AWS::Lambda::Function');
    const build = Object.entries(fns).find(([id]) => id.startsWith('Pipelinebuildtranscodesettings'))!;
    expect(build[1].Properties.Environment.Variables.STAGE).toBe(stage);
  });

  it('keeps the request path, which may carry an HLS token, out of the API access log', () => {
    const stages = Object.values(t.computeT.findResources('AWS::ApiGatewayV2::Stage'));
    const format = stages[0]!.Properties.AccessLogSettings.Format as string;
    expect(JSON.parse(format)).toMatchObject({ routeKey: '$context.routeKey' });
    expect(format).not.toMatch(/\$context\.(path|resourcePath)/);
  });

  it('hears every ending of an execution, so a freed slot starts the uploads waiting for it', () => {
    const rules = Object.values(t.computeT.findResources('AWS::Events::Rule'));
    const ended = rules.find((r) => r.Properties.EventPattern?.source?.[0] === 'aws.states');
    expect([...ended!.Properties.EventPattern.detail.status].sort()).toEqual([
      'ABORTED',
      'FAILED',
      'SUCCEEDED',
      'TIMED_OUT',
    ]);
    const starts = statementsOf(t.computeT, 'ExecutionEndedFunction').filter((st) =>
      actionsOf(st).includes('states:StartExecution'),
    );
    expect(starts).toHaveLength(1);
  });

  it('grants the MediaConvert .sync integration CreateJob, GetJob, CancelJob and TagResource on "*"', () => {
    const statements = statementsOf(t.computeT, 'GenerationJobRole');
    const mediaconvert = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('mediaconvert:')));
    expect(mediaconvert.length).toBeGreaterThan(0);
    for (const s of mediaconvert) expect(s).toMatchObject({ Effect: 'Allow', Resource: '*' });
    expect(
      mediaconvert
        .flatMap(actionsOf)
        .filter((a) => a.startsWith('mediaconvert:'))
        .sort(),
    ).toEqual([
      'mediaconvert:CancelJob',
      'mediaconvert:CreateJob',
      'mediaconvert:GetJob',
      'mediaconvert:TagResource',
    ]);
  });

  it('alarms on system job failures, not on every execution that ends in JobFailed', () => {
    const alarms = Object.values(t.computeT.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.some((a) => a.Properties.MetricName === 'ExecutionsFailed')).toBe(false);
    const system = alarms.filter(
      (a) =>
        a.Properties.MetricName === 'JobsFailed' &&
        JSON.stringify(a.Properties.Dimensions).includes('system'),
    );
    expect(system).toHaveLength(1);
    expect(system[0]!.Properties).toMatchObject({
      Namespace: 'AiVideo',
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(
      Object.fromEntries(
        (system[0]!.Properties.Dimensions as { Name: string; Value: string }[]).map((d) => [d.Name, d.Value]),
      ),
    ).toEqual({ failureClass: 'system', service: 'ai-video', stage });
  });

  it('turns OAuth off on the app client and hides whether a user exists', () => {
    t.dataT.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AllowedOAuthFlowsUserPoolClient: false,
      PreventUserExistenceErrors: 'ENABLED',
    });
    const client = Object.values(t.dataT.findResources('AWS::Cognito::UserPoolClient'))[0]!;
    expect(client.Properties.AllowedOAuthFlows).toBeUndefined();
    expect(client.Properties.CallbackURLs).toBeUndefined();
    expect(client.Properties.AllowedOAuthScopes).toBeUndefined();
  });

  it('signs users in with ADMIN_USER_PASSWORD_AUTH only, allowed to the two functions that sign in', () => {
    // InitiateAuth from a client without a secret cannot carry the user's address to threat protection,
    // and the public USER_PASSWORD_AUTH flow would let the (public) client id try passwords past the API.
    const client = Object.values(t.dataT.findResources('AWS::Cognito::UserPoolClient'))[0]!;
    expect([...(client.Properties.ExplicitAuthFlows as string[])].sort()).toEqual([
      'ALLOW_ADMIN_USER_PASSWORD_AUTH',
      'ALLOW_REFRESH_TOKEN_AUTH',
    ]);
    const policies = Object.values(t.computeT.findResources('AWS::IAM::Policy'));
    const signInRoles = policies
      .filter((p) =>
        (p.Properties.PolicyDocument.Statement as Record<string, unknown>[]).some((st) =>
          actionsOf(st).includes('cognito-idp:AdminInitiateAuth'),
        ),
      )
      .flatMap((p) => (p.Properties.Roles as { Ref: string }[]).map((r) => r.Ref))
      .sort();
    expect(signInRoles).toHaveLength(2);
    expect(signInRoles[0]).toMatch(/^Apiauth/);
    expect(signInRoles[1]).toMatch(/^Apime/);
    for (const p of policies) {
      for (const st of p.Properties.PolicyDocument.Statement as Record<string, unknown>[]) {
        if (actionsOf(st).includes('cognito-idp:AdminInitiateAuth')) expect(st.Resource).not.toBe('*');
      }
    }
  });

  it('sends Cognito email through SES in staging and prod, from a verified identity', () => {
    const pool = Object.values(t.dataT.findResources('AWS::Cognito::UserPool'))[0]!;
    const email = pool.Properties.EmailConfiguration as Record<string, unknown> | undefined;
    if (stage === 'dev') {
      expect(email?.EmailSendingAccount ?? 'COGNITO_DEFAULT').toBe('COGNITO_DEFAULT');
      return;
    }
    expect(email).toMatchObject({ EmailSendingAccount: 'DEVELOPER' });
    expect(JSON.stringify(email?.SourceArn)).toMatch(/:ses:[\w-]+:.*:identity\/[\w.-]+/);
    expect(email?.From).toMatch(/<no-reply@[\w.-]+>$/);
  });

  it('connects every function but the migrations as the application role', () => {
    const fns = Object.entries(t.computeT.findResources('AWS::Lambda::Function')).filter(
      ([, f]) => f.Properties.Environment?.Variables?.DB_SECRET_ARN,
    );
    expect(fns.length).toBeGreaterThanOrEqual(18);
    for (const [id, f] of fns) {
      const vars = f.Properties.Environment.Variables;
      const secret = JSON.stringify(vars.DB_SECRET_ARN);
      if (id.startsWith('MigrateFunction')) {
        expect(secret).toContain('DatabaseSecretAttachment');
        expect(JSON.stringify(vars.APP_DB_SECRET_ARN)).toContain('AppDatabaseUser');
      } else {
        expect(secret, id).toContain('AppDatabaseUser');
      }
    }
    // Only the migrations may read the master secret.
    const readers = Object.values(t.computeT.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p.Properties.PolicyDocument).includes('DatabaseSecretAttachment'),
    );
    expect(readers.map((p) => (p.Properties.Roles as { Ref: string }[])[0]!.Ref)).toEqual([
      expect.stringMatching(/^MigrateFunctionServiceRole/),
    ]);
    const postConfirmation = Object.values(t.dataT.findResources('AWS::Lambda::Function')).find(
      (f) => f.Properties.Environment?.Variables?.DB_SECRET_ARN,
    )!;
    expect(postConfirmation.Properties.Environment.Variables.DB_SECRET_ARN).toEqual({
      Ref: expect.stringMatching(/^AppDatabaseUser/),
    });
    t.dataT.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { SecretStringTemplate: '{"username":"app_rw"}', GenerateStringKey: 'password' },
    });
    // A deploy that introduces the role applies it even when no migration changed.
    const migrations = Object.values(t.computeT.findResources('AWS::CloudFormation::CustomResource'))[0]!;
    expect(JSON.stringify(migrations.Properties.appRoleSecret)).toContain('AppDatabaseUser');
  });

  it('logs execution data only in dev', () => {
    t.computeT.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: Match.objectLike({
        Level: stage === 'dev' ? 'ALL' : 'ERROR',
        IncludeExecutionData: stage === 'dev',
      }),
    });
  });

  it('does not acknowledge a new wildcard grant on a policy whose wildcards are acknowledged', () => {
    const path = `AiVideoCompute-${stage}/Api-templates/Function/ServiceRole/DefaultPolicy/Resource`;
    const finding = 'AwsSolutions-IAM5[Resource::*]';
    expect(t.acknowledged).toContainEqual({ rule: finding, path });
    const fresh = new App({ context: { stage, 'aws:cdk:bundling-stacks': [] } });
    const built = buildApp(fresh);
    built.compute.functions['Api-templates']!.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }),
    );
    const again = acknowledgeFindings([built.data, built.compute] as Stack[], built.config);
    expect(again).not.toContainEqual({ rule: finding, path });
    // The policies without a new wildcard stay acknowledged.
    expect(again).toContainEqual({
      rule: finding,
      path: `AiVideoCompute-${stage}/Api-clips/Function/ServiceRole/DefaultPolicy/Resource`,
    });
  });
});
