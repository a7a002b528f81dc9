/**
 * cdk-nag findings this design accepts, each with its reason. A finding is acknowledged only when its rule
 * and the construct it was found on both match an entry below; anything else still fails the synth.
 * A wildcard resource (`IAM5[Resource::*]`) is acknowledged on a named policy only, and only while every
 * action that policy allows on "*" is one the entry lists: a new wildcard grant fails the synth.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { CfnPolicy } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type { StageConfig } from './config.ts';

interface Accepted {
  rule: RegExp;
  /** Construct paths the finding may appear on. */
  on?: RegExp;
  stages?: StageConfig['stage'][];
  /** For `IAM5[Resource::*]`: the only actions the policy may allow on "*". */
  wildcardActions?: string[];
  reason: string;
}

const XRAY = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];
/** Step Functions logging to CloudWatch Logs: the vended-log delivery APIs (CDK's own grant). */
const LOG_DELIVERY = [
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
];
const FUNCTION_POLICY = '/Function/ServiceRole/DefaultPolicy/Resource$';
/** The role of CDK's BucketDeployment function (one per stack), which uploads the console. */
const CONSOLE_DEPLOYMENT =
  /^AiVideoCompute-\w+\/Custom::CDKBucketDeployment\w+\/ServiceRole\/DefaultPolicy\/Resource$/;

const ACCEPTED: Accepted[] = [
  {
    rule: /^AwsSolutions-IAM4\[Policy::.*AWSLambdaBasicExecutionRole\]$/,
    reason: 'The managed basic execution role only lets a function write its own CloudWatch Logs streams.',
  },
  {
    rule: /^AwsSolutions-IAM5\[Action::kms:(GenerateDataKey|ReEncrypt)\*\]$/,
    reason: "CDK's KMS grants name these action families; the statement is limited to the one data key.",
  },
  {
    rule: /^AwsSolutions-IAM5\[Resource::\*\]$/,
    on: new RegExp(String.raw`^AiVideo(Data|Compute)-\w+/[\w-]+${FUNCTION_POLICY}`),
    wildcardActions: XRAY,
    reason:
      'Active X-Ray tracing: PutTraceSegments and PutTelemetryRecords have no resource-level permissions.',
  },
  {
    rule: /^AwsSolutions-IAM5\[Resource::\*\]$/,
    on: new RegExp(
      String.raw`^AiVideoCompute-\w+/(Pipeline-(acquire-capacity|check-generation|mark-failed)|ModelOutputCreated|ExecutionEnded|CapacitySweeper)${FUNCTION_POLICY}`,
    ),
    wildcardActions: [...XRAY, 'states:SendTaskSuccess', 'states:SendTaskHeartbeat'],
    reason:
      'SendTaskSuccess and SendTaskHeartbeat have no resource-level permissions (Service Authorization Reference, AWS Step Functions); the task token each call carries is the secret that names one waiting state. X-Ray tracing neither.',
  },
  {
    rule: /^AwsSolutions-IAM5\[Resource::\*\]$/,
    on: new RegExp(String.raw`^AiVideoCompute-\w+/Pipeline-build-transcode-settings${FUNCTION_POLICY}`),
    wildcardActions: [...XRAY, 'mediaconvert:Probe'],
    reason: 'MediaConvert Probe has no resource-level permissions; X-Ray tracing neither.',
  },
  {
    rule: /^AwsSolutions-IAM5\[Resource::\*\]$/,
    on: /^AiVideoCompute-\w+\/GenerationJob\/Role\/DefaultPolicy\/Resource$/,
    wildcardActions: [
      ...XRAY,
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
      ...LOG_DELIVERY,
      'mediaconvert:CreateJob',
      'mediaconvert:GetJob',
      'mediaconvert:CancelJob',
      'mediaconvert:TagResource',
    ],
    reason:
      'The Step Functions guide for mediaconvert:createJob.sync requires "Resource": "*" for CreateJob, GetJob and CancelJob (MediaConvert has partial resource-level permissions), TagResource goes with CreateJob because Step Functions tags its jobs; X-Ray and the log delivery APIs of execution logging have no resource-level permissions.',
  },
  {
    rule: /^AwsSolutions-IAM5\[Resource::\*\]$/,
    on: /^AiVideo(Data|Compute)-\w+\/LogRetention[0-9a-f]{32}\/ServiceRole\/DefaultPolicy\/Resource$/,
    wildcardActions: ['logs:PutRetentionPolicy', 'logs:DeleteRetentionPolicy'],
    reason:
      "CDK's log-retention function (Aurora's exported logs) sets the retention of log groups it names at run time.",
  },
  {
    rule: /^AwsSolutions-IAM5\[Resource::<\w+\.Arn>:\*\]$/,
    reason: 'Invoking versions and aliases of one named function; no other function is reachable.',
  },
  {
    rule: /^AwsSolutions-IAM5\[Resource::AiVideoData-\w+-MediaBucketArn\/(uploads|users|work|exports)\/\*\]$/,
    reason:
      'Object access is limited to one prefix of the media bucket; keys below it are created per user, clip and job at run time.',
  },
  {
    rule: /^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:s3:::ai-video-model-out-[^/]+\/work\/\*\]$/,
    on: /\/(Pipeline-(start|check)-generation|ModelOutputCreated)\//,
    reason:
      'A video model outside this Region writes into the work/ prefix of its output bucket there, and the copy reads it back; keys below it are named per job and invocation at run time.',
  },
  {
    rule: /^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:bedrock:[\w-]+:<AWS::AccountId>:async-invoke\/\*\]$/,
    reason: 'Bedrock names each asynchronous invocation at run time; only GetAsyncInvoke is allowed on them.',
  },
  {
    rule: /^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:mediaconvert:[\w-]+:<AWS::AccountId>:jobs\/\*\]$/,
    reason:
      'MediaConvert names each job at run time; the .sync integration must read and cancel the jobs it creates.',
  },
  {
    rule: /^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:states:.*:execution:.*GenerationJob.*:\*\]$/,
    reason:
      'Cancelling a job stops its execution; executions are named by job id, all under this one state machine.',
  },
  {
    rule: /^AwsSolutions-APIG4$/,
    on: /\/Api\/(POST--v1--auth--\w+|GET--v1--health|GET--v1--openapi\.json)\//,
    reason: 'Sign-up, confirmation, login, refresh, health and the OpenAPI document are public by design.',
  },
  {
    rule: /^AwsSolutions-APIG4$/,
    on: /\/Api\/(GET|POST|PATCH|DELETE)--v1--(me|api-keys|projects|clips|uploads|jobs|templates|webhooks|models)\b/,
    reason:
      'These routes accept a Cognito access token or an API key, which no HTTP API JWT authorizer can check; each function verifies the bearer itself (shared/http/authenticate.ts) before any other work, and the stage throttle bounds refused requests.',
  },
  {
    rule: /^AwsSolutions-APIG4$/,
    on: /\/Api\/GET--v1--media--hls--\{token\}--\{file\}\//,
    reason:
      'Video players cannot send a bearer token; the path carries an HMAC-signed, hour-long token for one clip, checked by the function.',
  },
  {
    rule: /^AwsSolutions-COG1$/,
    reason:
      "The specification's password policy: at least 8 characters with upper case, lower case and a digit; symbols are not required.",
  },
  {
    rule: /^AwsSolutions-COG2$/,
    reason:
      'MFA is optional for a consumer video app; brute force is slowed by the login limiter and, in prod, Cognito threat protection.',
  },
  {
    rule: /^AwsSolutions-COG(3|8)$/,
    stages: ['dev', 'staging'],
    reason:
      'The Plus feature plan (threat protection) is billed per active user; it is enabled in prod only.',
  },
  {
    rule: /^AwsSolutions-SF1$/,
    on: /^AiVideoCompute-\w+\/GenerationJob\/Resource$/,
    stages: ['staging', 'prod'],
    reason:
      'Execution data holds prompts and S3 keys, so staging and prod log errors only, without execution data; dev logs ALL.',
  },
  {
    rule: /^AwsSolutions-RDS10$/,
    stages: ['dev', 'staging'],
    reason: 'Non-production databases can be torn down with their stage; prod has deletion protection.',
  },
  {
    rule: /^AwsSolutions-SMG4$/,
    on: /\/HlsLinkKey\//,
    reason:
      'The HLS link key signs links that live one hour; rotating it would only cut links already handed out. Rotate by hand (put a new value) if it is ever exposed.',
  },
  {
    rule: /^AwsSolutions-SMG4$/,
    on: /\/AuditPseudonymKey\//,
    reason:
      'The key must stay the same for an erased user to keep one pseudonym across audit entries; a rotation would split it. Rotate by hand only if it is exposed.',
  },
  {
    rule: /^AwsSolutions-SMG4$/,
    on: /\/Database\//,
    reason:
      'Rotation needs a rotation function in the isolated VPC plus a Secrets Manager interface endpoint (about $7 per AZ per month), which the functions, reaching Aurora through the Data API, do not otherwise need; rotate with `aws secretsmanager rotate-secret` after adding them.',
  },
  {
    rule: /^AwsSolutions-SQS3$/,
    on: /EventDeadLetters/,
    reason: 'This queue is itself the dead-letter queue of the event rules.',
  },
  {
    rule: /^AwsSolutions-SQS3$/,
    on: /^AiVideoCompute-\w+\/(MediaConvertProgressFailures|ExecutionEndedFailures|ModelOutputCreatedFailures|AccountWorkerFailures|AuditWriterFailures)\/Resource$/,
    reason:
      'This queue is a Lambda on-failure destination: the last stop of an event its handler gave up on, read by an operator (an alarm fires on any message in it).',
  },
  {
    rule: /^AwsSolutions-SMG4$/,
    on: /^AiVideoData-\w+\/AppDatabaseUser\/Resource$/,
    reason:
      "The application role's password is set in the database by the migration step from this secret; rotating it needs the same rotation function and VPC endpoint as the master secret (see the Database entry). To change it: put a new value, then run the Migrations custom resource again.",
  },
  {
    rule: /^AwsSolutions-IAM5\[Resource::\*\]$/,
    on: CONSOLE_DEPLOYMENT,
    wildcardActions: ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation'],
    reason:
      "CDK's BucketDeployment invalidates the console's page and config.json after each deploy; it grants only the two invalidation actions, on any distribution.",
  },
  {
    rule: /^AwsSolutions-IAM5\[Action::s3:(GetBucket|GetObject|List|Abort|DeleteObject)\*\]$/,
    on: CONSOLE_DEPLOYMENT,
    reason:
      "CDK's BucketDeployment reads the build from the CDK assets bucket and writes it into the console bucket; these are the action families of its read and write grants.",
  },
  {
    rule: /^AwsSolutions-IAM5\[Resource::(arn:<AWS::Partition>:s3:::cdk-[\w-]+-assets-<AWS::AccountId>-[\w-]+|AiVideoData-\w+-ConsoleBucketArn)\/\*\]$/,
    on: CONSOLE_DEPLOYMENT,
    reason:
      'The console deployment copies every file of the build: objects of the CDK assets bucket (read) and of the console bucket (write), and no other bucket.',
  },
  {
    rule: /^AwsSolutions-CFR1$/,
    on: /\/Console\/Distribution\/Resource$/,
    reason: 'The console is for users anywhere; nothing in it is restricted by country.',
  },
  {
    rule: /^AwsSolutions-CFR2$/,
    on: /\/Console\/Distribution\/Resource$/,
    reason:
      'The distribution serves static files only (read-only, cached); the API it calls has its own throttling, validation and login limiter. Attach a web ACL here if the site ever takes input itself.',
  },
  {
    rule: /^AwsSolutions-CFR4$/,
    on: /\/Console\/Distribution\/Resource$/,
    reason:
      "The stage uses CloudFront's default *.cloudfront.net certificate, whose security policy CloudFront fixes; with a custom domain, give the distribution its certificate and TLSv1.2_2021.",
  },
  {
    rule: /^AwsSolutions-L1$/,
    on: /(MigrationsProvider|Custom::|AWS679f53fac002430cb0da5b7982bd2287|BucketNotificationsHandler|CustomS3AutoDeleteObjects)/,
    reason: 'A function generated by the CDK framework, on the runtime CDK chooses for it.',
  },
];

/** True when every action `policy` allows on "*" is in `allowed`. */
function onlyTheseOnWildcard(policy: IConstruct, allowed: string[]): boolean {
  if (!(policy instanceof CfnPolicy)) return false;
  const document = Stack.of(policy).resolve(policy.policyDocument) as {
    Statement: { Effect?: string; Action?: string | string[]; Resource?: unknown }[];
  };
  return document.Statement.filter((s) => s.Effect !== 'Deny' && [s.Resource].flat().includes('*'))
    .flatMap((s) => [s.Action ?? []].flat())
    .every((action) => allowed.includes(action));
}

function constructAt(root: IConstruct, path: string): IConstruct | undefined {
  return root.node.findAll().find((c) => c.node.path === path);
}

/** Acknowledges the accepted findings of both stacks; returns what it acknowledged, for the tests. */
export function acknowledgeFindings(stacks: Stack[], config: StageConfig) {
  const acknowledged: { rule: string; path: string }[] = [];
  for (const stack of stacks) {
    const report = new AwsSolutionsChecks(undefined).validateScope(stack);
    for (const violation of report.violations) {
      for (const { constructPath } of violation.violatingResources) {
        if (!constructPath) continue;
        const construct = constructAt(stack, constructPath);
        if (!construct) continue;
        const accepted = ACCEPTED.find(
          (a) =>
            a.rule.test(violation.ruleName) &&
            (!a.on || a.on.test(constructPath)) &&
            (!a.stages || a.stages.includes(config.stage)) &&
            (!a.wildcardActions || onlyTheseOnWildcard(construct, a.wildcardActions)),
        );
        if (!accepted) continue;
        Validations.of(construct).acknowledge({
          id: `AwsSolutions::${violation.ruleName}`,
          reason: accepted.reason,
        });
        acknowledged.push({ rule: violation.ruleName, path: constructPath });
      }
    }
  }
  return acknowledged;
}
