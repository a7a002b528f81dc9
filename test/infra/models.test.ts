/**
 * Video models in their own Regions: IAM names each model's Region, and a model outside the deployment's
 * Region gets a private, encrypted, short-lived output bucket in a stack of its Region.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '#infra/app.ts';

const savedRegion = process.env.CDK_DEFAULT_REGION;
afterAll(() => {
  if (savedRegion === undefined) delete process.env.CDK_DEFAULT_REGION;
  else process.env.CDK_DEFAULT_REGION = savedRegion;
});

function synth(region: string) {
  process.env.CDK_DEFAULT_REGION = region;
  const app = new App({ context: { stage: 'dev', 'aws:cdk:bundling-stacks': [] } });
  return buildApp(app);
}

const flat = (value: unknown) => JSON.stringify(value);

function statementsOf(template: Template, functionPrefix: string) {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
    (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref.startsWith(functionPrefix)),
  );
  return policies.flatMap(
    (p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
  );
}
const granting = (statements: ReturnType<typeof statementsOf>, action: string) =>
  flat(statements.filter((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]).includes(action)));

describe('deployed in us-east-1 with Luma Ray 2 (us-west-2) enabled', () => {
  let built: ReturnType<typeof synth>;
  let compute: Template;
  let outputs: Template;
  beforeAll(() => {
    built = synth('us-east-1');
    compute = Template.fromStack(built.compute);
    outputs = Template.fromStack(built.modelOutputs[0]!);
  });

  it('adds one output stack, in us-west-2, that the compute stack deploys after', () => {
    const stacks = built.app.node.children.filter((c): c is Stack => Stack.isStack(c));
    expect(stacks.map((s) => s.stackName).sort()).toEqual([
      'AiVideoCompute-dev',
      'AiVideoData-dev',
      'AiVideoModelOutputs-dev-us-west-2',
    ]);
    expect(built.modelOutputs[0]!.region).toBe('us-west-2');
    expect(built.compute.dependencies).toContain(built.modelOutputs[0]);
  });

  it('grants Bedrock on the model in its own Region, and polls invocations there', () => {
    const start = statementsOf(compute, 'Pipelinestartgeneration');
    const invoke = granting(start, 'bedrock:InvokeModel');
    expect(invoke).toContain(':bedrock:us-west-2::foundation-model/luma.ray-v2:0');
    expect(invoke).not.toContain('us-east-1::foundation-model');
    expect(invoke).not.toContain('nova-reel');
    expect(granting(start, 'bedrock:StartAsyncInvoke')).toContain(
      'us-west-2::foundation-model/luma.ray-v2:0',
    );
    const check = statementsOf(compute, 'Pipelinecheckgeneration');
    expect(granting(check, 'bedrock:GetAsyncInvoke')).toMatch(
      /:bedrock:us-west-2:",\{"Ref":"AWS::AccountId"\},":async-invoke\/\*/,
    );
  });

  it('lets the model write to the output bucket and the copy read it back into the media bucket', () => {
    const start = statementsOf(compute, 'Pipelinestartgeneration');
    const check = statementsOf(compute, 'Pipelinecheckgeneration');
    expect(granting(start, 's3:PutObject')).toMatch(
      /ai-video-model-out-dev-",\{"Ref":"AWS::AccountId"\},"-us-west-2\/work\/\*/,
    );
    expect(granting(check, 's3:GetObject')).toMatch(/ai-video-model-out-dev-.*-us-west-2\/work\/\*/);
    expect(granting(check, 's3:PutObject')).toMatch(/MediaBucketArn.*\/work\/\*/);
    compute.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          ENABLED_MODELS: 'luma-ray2',
          MODEL_OUTPUT_BUCKETS: {
            'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('us-west-2')])],
          },
        }),
      },
    });
  });

  it('makes the output bucket private, encrypted, TLS-only and expiring after a day', () => {
    outputs.resourceCountIs('AWS::S3::Bucket', 1);
    outputs.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: { 'Fn::Join': ['', ['ai-video-model-out-dev-', { Ref: 'AWS::AccountId' }, '-us-west-2']] },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 1, Status: 'Enabled' })]),
      },
    });
    outputs.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it("forwards the output bucket's model outputs to this Region's default bus, where they resume the job", () => {
    outputs.hasResourceProperties('AWS::S3::Bucket', {
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
    });
    const rules = Object.values(outputs.findResources('AWS::Events::Rule'));
    expect(rules).toHaveLength(1);
    const rule = rules[0]!.Properties;
    expect(rule.EventPattern).toMatchObject({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: { object: { key: [{ wildcard: 'work/*/generation/*output.mp4' }] } },
    });
    expect(flat(rule.Targets)).toMatch(
      /:events:us-east-1:",\{"Ref":"AWS::AccountId"\},":event-bus\/default"/,
    );
    // The compute stack's rule listens for this bucket too, and its handler may copy out of it.
    const listening = Object.values(compute.findResources('AWS::Events::Rule')).find((r) =>
      flat(r.Properties.EventPattern).includes('generation/*output.mp4'),
    )!;
    expect(flat(listening.Properties.EventPattern)).toMatch(/ai-video-model-out-dev-.*-us-west-2/);
    const handler = statementsOf(compute, 'ModelOutputCreated');
    expect(granting(handler, 's3:GetObject')).toMatch(/ai-video-model-out-dev-.*-us-west-2\/work\/\*/);
    expect(granting(handler, 's3:PutObject')).toMatch(/MediaBucketArn.*\/work\/\*/);
  });

  it('leaves no unacknowledged cdk-nag finding in the output stack', () => {
    const acknowledged = new Set(built.acknowledged.map((a) => `${a.rule}@${a.path}`));
    const report = new AwsSolutionsChecks(undefined).validateScope(built.modelOutputs[0]!);
    const open = report.violations.flatMap((v) =>
      v.violatingResources
        .map((r) => `${v.ruleName}@${r.constructPath}`)
        .filter((key) => !acknowledged.has(key) && !key.startsWith('AwsSolutions-S1@')),
    );
    expect(open).toEqual([]);
    // S1 is acknowledged on the bucket itself, with its reason.
    expect(
      report.violations
        .filter((v) => v.ruleName === 'AwsSolutions-S1')
        .flatMap((v) => v.violatingResources.map((r) => r.constructPath)),
    ).toEqual(['AiVideoModelOutputs-dev-us-west-2/ModelOutputs/Bucket/Resource']);
  });
});

describe('deployed in us-west-2, the Region of every enabled model', () => {
  it('needs no output bucket and grants no cross-Region access', () => {
    const built = synth('us-west-2');
    expect(built.modelOutputs).toEqual([]);
    const compute = Template.fromStack(built.compute);
    const start = statementsOf(compute, 'Pipelinestartgeneration');
    expect(granting(start, 'bedrock:InvokeModel')).toContain('us-west-2::foundation-model/luma.ray-v2:0');
    expect(flat(start)).not.toContain('ai-video-model-out');
  });
});
