/**
 * The CDK app: `cdk synth -c stage=dev|staging|prod`. Two stacks per stage, data first; every construct is
 * checked by cdk-nag's AwsSolutions rules, with each accepted finding explained in infra/nag.ts.
 */
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { stageConfig } from './config.ts';
import { ModelOutputsStack, modelOutputRegions } from './constructs/model-outputs.ts';
import { acknowledgeFindings } from './nag.ts';
import { StatefulStack } from './stacks/stateful.ts';
import { StatelessStack } from './stacks/stateless.ts';

/** CDK feature flags the stacks rely on (set here too, so tests that build an App get the same template). */
const FEATURE_FLAGS: Record<string, boolean | string> = {
  '@aws-cdk/aws-iam:minimizePolicies': true,
  '@aws-cdk/aws-lambda:recognizeLayerVersion': true,
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
  '@aws-cdk/core:defaultCrossStackReferences': 'strong',
};

export function buildApp(app = new App()) {
  for (const [flag, value] of Object.entries(FEATURE_FLAGS)) {
    if (app.node.tryGetContext(flag) === undefined) app.node.setContext(flag, value);
  }
  const config = stageConfig(app.node.tryGetContext('stage'));
  const env = {
    account: process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1',
  };
  const data = new StatefulStack(app, `AiVideoData-${config.stage}`, { env, config });
  const compute = new StatelessStack(app, `AiVideoCompute-${config.stage}`, { env, config, data });
  compute.addStackDependency(data);
  // An output bucket in each Region of an enabled video model other than this one (see model-outputs.ts).
  const modelOutputs = modelOutputRegions(config, env.region).map((region) => {
    const stack = new ModelOutputsStack(app, `AiVideoModelOutputs-${config.stage}-${region}`, {
      env: { account: env.account, region },
      config,
      eventsRegion: env.region,
    });
    compute.addStackDependency(stack);
    return stack;
  });
  Tags.of(app).add('app', 'ai-video');
  Tags.of(app).add('stage', config.stage);
  const acknowledged = acknowledgeFindings([data, compute, ...modelOutputs], config);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, data, compute, modelOutputs, config, acknowledged };
}

if (import.meta.url === `file://${process.argv[1]}`) buildApp().app.synth();
