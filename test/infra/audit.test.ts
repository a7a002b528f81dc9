/**
 * The audit path as synthesized: each API function's log group subscribed, by the audit lines' filter
 * pattern, to the audit writer; logs.amazonaws.com allowed to invoke it only from those log groups; the
 * writer's failures kept and alarmed; only the writer and the account worker write the audit table.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, expect, it } from 'vitest';
import { AUDIT_FILTER_PATTERN } from '#shared/audit/line.ts';
import { API_FUNCTIONS } from '#shared/http/routes.ts';
import { synthesizedStage } from '#test/support/stage-synth.ts';

let compute: Template;
beforeAll(() => {
  compute = synthesizedStage('dev').compute;
});

type Resource = { Properties: Record<string, unknown> };
const logicalIdOf = (ref: unknown): string => {
  const r = ref as { Ref?: string; 'Fn::GetAtt'?: string[] };
  return r.Ref ?? r['Fn::GetAtt']?.[0] ?? '';
};
const writerId = () => {
  const [id] = Object.keys(compute.findResources('AWS::Lambda::Function')).filter((id) =>
    id.startsWith('AuditWriterFunction'),
  );
  expect(id).toBeDefined();
  return id!;
};

it('subscribes every API function’s log group to the audit writer with the audit line pattern', () => {
  const filters = Object.values(compute.findResources('AWS::Logs::SubscriptionFilter')) as Resource[];
  expect(filters).toHaveLength(API_FUNCTIONS.length);
  const functions = compute.findResources('AWS::Lambda::Function');
  const subscribed = new Set<string>();
  for (const filter of filters) {
    expect(filter.Properties.FilterPattern).toBe(AUDIT_FILTER_PATTERN);
    expect(logicalIdOf(filter.Properties.DestinationArn)).toBe(writerId());
    subscribed.add(logicalIdOf(filter.Properties.LogGroupName));
  }
  // Exactly the API functions' own log groups.
  const apiGroups = Object.entries(functions)
    .filter(([id]) => id.startsWith('Api'))
    .map(([, f]) =>
      logicalIdOf(((f as Resource).Properties.LoggingConfig as { LogGroup: unknown }).LogGroup),
    );
  expect(new Set(apiGroups)).toEqual(subscribed);
  expect(subscribed.size).toBe(API_FUNCTIONS.length);
});

it('lets CloudWatch Logs invoke the writer only from the subscribed log groups', () => {
  const permissions = (Object.values(compute.findResources('AWS::Lambda::Permission')) as Resource[]).filter(
    (p) => p.Properties.Principal === 'logs.amazonaws.com',
  );
  expect(permissions).toHaveLength(API_FUNCTIONS.length);
  for (const p of permissions) {
    expect(logicalIdOf(p.Properties.FunctionName)).toBe(writerId());
    expect(p.Properties.Action).toBe('lambda:InvokeFunction');
    expect(logicalIdOf(p.Properties.SourceArn)).toMatch(/^Api.*Logs/);
  }
});

it('keeps the writer’s failed payloads in an alarmed queue after two retries', () => {
  compute.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
    FunctionName: { Ref: writerId() },
    MaximumRetryAttempts: 2,
    DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
  });
  const alarms = Object.values(compute.findResources('AWS::CloudWatch::Alarm')) as Resource[];
  expect(
    alarms.some((a) => JSON.stringify(a.Properties.Dimensions ?? []).includes('AuditWriterFailures')),
  ).toBe(true);
});

it('lets only the writer and the account worker write the audit table; the API functions no longer do', () => {
  const policies = Object.values(compute.findResources('AWS::IAM::Policy')) as Resource[];
  const writers = new Set<string>();
  for (const policy of policies) {
    const doc = policy.Properties.PolicyDocument as {
      Statement: { Action: string | string[]; Resource: unknown }[];
    };
    for (const s of doc.Statement) {
      const actions = [s.Action].flat();
      const onAudit =
        JSON.stringify(s.Resource).includes('AuditTable') || JSON.stringify(s.Resource).includes('Audit');
      if (onAudit && actions.some((a) => /dynamodb:(Put|BatchWrite|Update|Delete)/.test(a))) {
        for (const role of policy.Properties.Roles as { Ref: string }[])
          writers.add(role.Ref.replace(/[0-9A-F]{8}$/, ''));
      }
    }
  }
  expect(writers).toEqual(new Set(['AuditWriterFunctionServiceRole', 'AccountWorkerFunctionServiceRole']));
});

it('never filters API functions’ application logs above INFO, where the audit lines (no level) sit', () => {
  for (const [id, f] of Object.entries(compute.findResources('AWS::Lambda::Function'))) {
    if (!id.startsWith('Api')) continue;
    const level = ((f as Resource).Properties.LoggingConfig as { ApplicationLogLevel?: string } | undefined)
      ?.ApplicationLogLevel;
    expect([undefined, 'TRACE', 'DEBUG', 'INFO'], id).toContain(level);
  }
});
