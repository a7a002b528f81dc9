import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, expect, it } from 'vitest';
import { RATE_LIMIT_TABLE_KEYS } from '#shared/auth/login-limiter.ts';
import { API_FUNCTIONS } from '#shared/http/routes.ts';
import { synthesizedStage } from '#test/support/stage-synth.ts';

let data: Template;
let compute: Template;
beforeAll(() => {
  ({ data, compute } = synthesizedStage('dev'));
});

/** The logical id of the data stack's rate-limit table. */
const tableId = () => {
  const ids = Object.keys(data.findResources('AWS::DynamoDB::GlobalTable')).filter((id) =>
    id.startsWith('RateLimit'),
  );
  expect(ids).toHaveLength(1);
  return ids[0]!;
};

it('keeps sign-in counters in a table keyed and expired as the limiter writes them', () => {
  const table = data.findResources('AWS::DynamoDB::GlobalTable')[tableId()]!;
  expect(table.Properties.KeySchema).toEqual([
    { AttributeName: RATE_LIMIT_TABLE_KEYS.partition, KeyType: 'HASH' },
  ]);
  expect(table.Properties.TimeToLiveSpecification).toEqual({
    AttributeName: RATE_LIMIT_TABLE_KEYS.ttl,
    Enabled: true,
  });
});

/** Event functions on the idle marker (shared/events/idle-marker.ts): its two sleepers read it, the upload ingest wakes it. */
const MARKER_SLEEPERS = ['CapacitySweeper', 'WebhookRelay'];
const MARKER_WAKERS = ['UploadTrigger', 'UploadDeadLetter'];

it('names the table to every API function and the idle marker’s users, which all read it (the marker is read before a wake)', () => {
  const functions = Object.entries(compute.findResources('AWS::Lambda::Function')).filter(
    ([, f]) => f.Properties.Environment?.Variables?.RATE_LIMIT_TABLE,
  );
  // The API functions, the account worker, which shares their environment but never touches the table, and
  // the idle marker's sleepers and wakers.
  expect(functions).toHaveLength(API_FUNCTIONS.length + 1 + MARKER_SLEEPERS.length + MARKER_WAKERS.length);
  const grantees = Object.entries(compute.findResources('AWS::IAM::Policy'))
    .filter(([, p]) =>
      JSON.stringify(p.Properties.PolicyDocument).includes(`ExportsOutputFnGetAtt${tableId()}`),
    )
    .map(([id, p]) => ({
      id,
      actions: (p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
        .filter((s) => JSON.stringify(s.Resource).includes(`ExportsOutputFnGetAtt${tableId()}`))
        .flatMap((s) => [s.Action].flat()),
    }));
  expect(grantees.map((g) => g.id.replace(/(Function)?ServiceRole.*$/, '')).sort()).toEqual(
    [...API_FUNCTIONS.map((fn) => `Api${fn}`), ...MARKER_SLEEPERS, ...MARKER_WAKERS].sort(),
  );
  for (const g of grantees) {
    expect(g.actions, g.id).toContain('dynamodb:UpdateItem');
    const reads = g.actions.includes('dynamodb:GetItem');
    expect(reads, g.id).toBe(true);
  }
});

it('keeps Cognito from telling which users exist', () => {
  data.hasResourceProperties(
    'AWS::Cognito::UserPoolClient',
    Match.objectLike({ PreventUserExistenceErrors: 'ENABLED' }),
  );
});
