/**
 * Every Lambda function's role and environment against what its code needs (infra/function-needs.ts), and
 * that table against the code: `npm start` checks no IAM and builds its own environment, so a grant or a
 * variable the stack forgot shows only once deployed. One bundle per function, as CDK builds it, and one
 * synthesis per stage.
 */
import path from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { beforeAll, describe, expect, it } from 'vitest';
import { STAGES } from '#infra/config.ts';
import { FUNCTION_NEEDS, type FunctionNeeds } from '#infra/function-needs.ts';
import { FUNCTION_ENTRIES } from '#infra/functions.ts';
import { buildFunctionBundle } from '#test/support/function-bundle.ts';
import { synthesizedStage } from '#test/support/stage-synth.ts';
import { collectEnvNames } from './env-names.ts';

const root = path.resolve(import.meta.dirname, '../..');

/** The construct id of each function in the stacks, where it is not the entry's name in PascalCase. */
const CONSTRUCT_IDS: Record<string, string> = {
  'mediaconvert-state-change': 'MediaConvertProgress',
  'cognito-post-confirmation': 'PostConfirmation',
};
const constructId = (name: string) =>
  CONSTRUCT_IDS[name] ??
  (/^(api|pipeline)-/.test(name)
    ? name.replace(/^(\w)(\w+)-/, (_, a: string, b: string) => `${a.toUpperCase()}${b}-`)
    : name.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase()));

/** Variables every AppFunction sets (infra/constructs/app-function.ts), whether or not its code reads them. */
const APP_FUNCTION_ENV = new Set([
  'NODE_OPTIONS',
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_TRACER_CAPTURE_RESPONSE',
  'STAGE',
]);

/** Variables that name a resource: set on a function that holds no grant on it, they only mislead. */
const NAMES_RESOURCE: Record<string, string> = {
  CAPACITY_TABLE: 'table:capacity',
  IDEMPOTENCY_TABLE: 'table:idempotency',
  AUDIT_TABLE: 'table:audit',
  HLS_LINK_SECRET_ARN: 'hls-link-key',
  AUDIT_PSEUDONYM_SECRET_ARN: 'pseudonym-key',
  ACCOUNT_WORKER_FUNCTION: 'account-worker',
};

/** The name in infra/function-needs.ts of a resource a policy statement names. */
function resourceLabel(resource: unknown): string {
  if (resource === '*') return '*';
  const json = JSON.stringify(resource);
  const rules: [RegExp, string | ((m: RegExpMatchArray) => string)][] = [
    [/MediaBucketArn"\}?,"\/(\w+)\/\*"/, (m) => `media:${m[1]}/`],
    [/MediaBucketArn/, 'media-bucket'],
    [/ai-video-model-out-.*\/(\w+)\/\*/, (m) => `model-outputs:${m[1]}/`],
    [/:rds:/, 'database'],
    [/AppDatabaseUser/, 'app-db-secret'],
    [/DatabaseSecretAttachment/, 'admin-db-secret'],
    [/AuditPseudonymKey/, 'pseudonym-key'],
    [/HlsLinkKey/, 'hls-link-key'],
    [/DataKey/, 'data-key'],
    [/ModelCapacity/, 'table:capacity'],
    [/RateLimit/, 'table:rate-limit'],
    [/Idempotency/, 'table:idempotency'],
    [/FnGetAttAudit/, 'table:audit'],
    [/:execution:/, 'executions'],
    [/:stateMachine:|"Ref":"GenerationJob/, 'state-machine'],
    [/FnGetAttUsers|"Fn::GetAtt":\["Users[0-9A-F]{8}","Arn"\]/, 'user-pool'],
    [/AccountWorkerFunction/, 'account-worker'],
    [/:foundation-model\//, 'bedrock-models'],
    [/:async-invoke\//, 'bedrock-invocations'],
    [/"Fn::GetAtt":\["(\w+?)[0-9A-F]{8}","Arn"\]/, (m) => `queue:${m[1]}`],
  ];
  for (const [pattern, label] of rules) {
    const m = json.match(pattern);
    if (m) return typeof label === 'string' ? label : label(m);
  }
  return json;
}

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

/** `action on resource` for every statement of the role's policies. */
function grantsOf(template: Template, roleId: string): string[] {
  const out = new Set<string>();
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    if (!(policy.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId)) continue;
    for (const st of policy.Properties.PolicyDocument.Statement as Statement[]) {
      if (st.Effect !== 'Allow') continue;
      for (const action of [st.Action].flat())
        for (const resource of [st.Resource].flat()) out.add(`${action} on ${resourceLabel(resource)}`);
    }
  }
  return [...out].sort();
}

const expectedGrants = (needs: FunctionNeeds) =>
  Object.entries(needs.grants)
    .flatMap(([resource, actions]) => (actions ?? []).map((a) => `${a} on ${resource}`))
    .sort();

/**
 * The SDK commands (and presigners) in a bundle that make a role need an action. Grants CDK's own wiring
 * needs (X-Ray, the data key behind the bucket and tables, queues of destinations and event sources) are
 * not the code's, and are not listed.
 */
const EVIDENCE: Record<string, RegExp> = {
  'rds-data:': /ExecuteStatementCommand/,
  'secretsmanager:': /GetSecretValueCommand|ExecuteStatementCommand/,
  'dynamodb:': /\b(Get|Put|Update|Delete|Query|Scan|BatchWrite|BatchGet)Command\b/,
  's3:GetObject': /\b(GetObject|HeadObject|CopyObject)Command\b/,
  's3:PutObject': /\b(PutObject|CopyObject|StartAsyncInvoke)Command\b|createPresignedPost/,
  's3:DeleteObject': /\bDeleteObjectsCommand\b/,
  's3:ListBucket': /\bListObjectsV2Command\b/,
  'states:StartExecution': /\bStartExecutionCommand\b/,
  'states:StopExecution': /\bStopExecutionCommand\b/,
  'states:DescribeExecution': /\bDescribeExecutionCommand\b/,
  'states:SendTaskSuccess': /\bSendTaskSuccessCommand\b/,
  'states:SendTaskHeartbeat': /\bSendTaskHeartbeatCommand\b/,
  'bedrock:InvokeModel': /\bStartAsyncInvokeCommand\b/,
  'bedrock:StartAsyncInvoke': /\bStartAsyncInvokeCommand\b/,
  'bedrock:GetAsyncInvoke': /\bGetAsyncInvokeCommand\b/,
  'cognito-idp:AdminInitiateAuth': /\bAdminInitiateAuthCommand\b/,
  'cognito-idp:AdminDeleteUser': /\bAdminDeleteUserCommand\b/,
  'cognito-idp:AdminGetUser': /\bAdminGetUserCommand\b/,
  'lambda:InvokeFunction': /\bInvokeCommand\b/,
  'mediaconvert:Probe': /\bProbeCommand\b/,
};
const WIRING = /^(xray:|kms:)/;

function evidenceFor(action: string): RegExp | undefined {
  return EVIDENCE[action] ?? EVIDENCE[`${action.split(':')[0]}:`];
}

type Deployed = Record<string, { env: Record<string, unknown>; grants: string[] }>;

/** Each function's environment and grants in one stage's synthesised stacks. */
function synthFunctions(stage: string): Deployed {
  const { built, data, compute } = synthesizedStage(stage);
  const templates = new Map<Stack, Template>([
    [built.data, data],
    [built.compute, compute],
  ]);
  const fns: Record<string, NodejsFunction> = { ...built.compute.functions };
  fns.PostConfirmation = built.data.node
    .findChild('PostConfirmation')
    .node.findChild('Function') as NodejsFunction;
  const out: Deployed = {};
  for (const { name } of FUNCTION_ENTRIES) {
    const fn = fns[constructId(name)];
    if (!fn) continue;
    const stack = fn.stack;
    const template = templates.get(stack)!;
    const fnId = stack.getLogicalId(fn.node.defaultChild as CfnFunction);
    const roleId = stack.getLogicalId(fn.role!.node.defaultChild as CfnRole);
    const resource = template.findResources('AWS::Lambda::Function')[fnId]!;
    out[name] = { env: resource.Properties.Environment?.Variables ?? {}, grants: grantsOf(template, roleId) };
  }
  return out;
}

const NAMES = FUNCTION_ENTRIES.map((f) => f.name);
let bundles: Record<string, string>;

// One bundle per function, as CDK builds it: what its code may call and read.
beforeAll(async () => {
  bundles = {};
  for (const { name, entry } of FUNCTION_ENTRIES) {
    const result = await buildFunctionBundle(entry);
    bundles[name] = result.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
  }
}, 240_000);

describe('function needs against the code', () => {
  let envNames: Set<string>;
  beforeAll(() => {
    envNames = collectEnvNames(
      root,
      Object.values(FUNCTION_NEEDS).flatMap((n) => n.env),
    );
  });
  const readBy = (name: string) => [...envNames].filter((v) => new RegExp(`\\b${v}\\b`).test(bundles[name]!));

  it('covers every function, and no other', () => {
    expect(Object.keys(FUNCTION_NEEDS).sort()).toEqual([...NAMES].sort());
  });

  it.each(NAMES)('%s: its code calls every action it is granted', (name) => {
    const uncalled = expectedGrants(FUNCTION_NEEDS[name]!)
      .map((g) => g.split(' on '))
      .filter(([action, resource]) => !WIRING.test(action!) && !resource!.startsWith('queue:'))
      .filter(([action]) => !evidenceFor(action!)?.test(bundles[name]!))
      .map((g) => g.join(' on '));
    expect(uncalled).toEqual([]);
  });

  it.each(NAMES)('%s: it is granted every action its code may call', (name) => {
    const needs = FUNCTION_NEEDS[name]!;
    const granted = new Set(expectedGrants(needs).map((g) => g.split(' on ')[0]!));
    const services = new Set([...granted].map((a) => `${a.split(':')[0]}:`));
    const ungranted = Object.entries(EVIDENCE)
      .filter(([action, evidence]) => evidence.test(bundles[name]!) && !(action in (needs.unreached ?? {})))
      .filter(([action]) => (action.endsWith(':') ? !services.has(action) : !granted.has(action)))
      .map(([action]) => action);
    // An exemption whose command left the bundle goes too.
    const stale = Object.keys(needs.unreached ?? {}).filter(
      (action) => !EVIDENCE[action]?.test(bundles[name]!),
    );
    expect({ ungranted, stale }).toEqual({ ungranted: [], stale: [] });
  });

  it.each(NAMES)('%s: it needs every variable its code reads, and no other', (name) => {
    const needs = FUNCTION_NEEDS[name]!;
    const read = readBy(name);
    expect({
      // Read by the code, and neither needed nor known to be optional.
      unlisted: read.filter(
        (v) => !needs.env.includes(v) && !(v in (needs.unset ?? {})) && !APP_FUNCTION_ENV.has(v),
      ),
      // Needed, yet the code never reads it.
      stale: needs.env.filter((v) => !read.includes(v)),
    }).toEqual({ unlisted: [], stale: [] });
  });
});

describe.each(STAGES)('stage %s: function roles and environments', (stage) => {
  let deployed: Deployed;
  beforeAll(() => {
    deployed = synthFunctions(stage);
  }, 120_000);

  it('has every function', () => {
    expect(Object.keys(deployed).sort()).toEqual([...NAMES].sort());
  });

  it.each(NAMES)('%s: its role allows what it needs, and nothing else', (name) => {
    const actual = deployed[name]!.grants;
    const expected = expectedGrants(FUNCTION_NEEDS[name]!);
    expect({
      missing: expected.filter((g) => !actual.includes(g)),
      extra: actual.filter((g) => !expected.includes(g)),
    }).toEqual({ missing: [], extra: [] });
  });

  it.each(NAMES)('%s: its environment has what it needs, and nothing else', (name) => {
    const needs = FUNCTION_NEEDS[name]!;
    const unset = needs.unset ?? {};
    const set = Object.keys(deployed[name]!.env);
    const env = set.filter((v) => !APP_FUNCTION_ENV.has(v));
    expect({
      missing: needs.env.filter((v) => !set.includes(v)),
      // Set, and neither needed nor read when present.
      extra: env.filter((v) => !needs.env.includes(v) && !(v in unset)),
      // Optional here, yet set, naming a resource the role may not touch: a path that used it would fail.
      ungranted: env.filter((v) => v in unset && NAMES_RESOURCE[v] && !(NAMES_RESOURCE[v]! in needs.grants)),
    }).toEqual({ missing: [], extra: [], ungranted: [] });
  });
});
