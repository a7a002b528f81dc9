import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, expect, it } from 'vitest';
import { STAGE_CONFIG } from '#infra/config.ts';
import { CAPACITY_TABLE_KEYS } from '#shared/capacity/dynamodb-store.ts';
import { synthesizedStage } from '#test/support/stage-synth.ts';

let data: Template;
let compute: Template;
beforeAll(() => {
  ({ data, compute } = synthesizedStage('prod'));
});

const tableId = () => {
  const ids = Object.keys(data.findResources('AWS::DynamoDB::GlobalTable')).filter((id) =>
    id.startsWith('ModelCapacity'),
  );
  expect(ids).toHaveLength(1);
  return ids[0]!;
};

it('keeps capacity units and waiters in an on-demand table keyed as the store writes them, recoverable as the stage says', () => {
  const table = data.findResources('AWS::DynamoDB::GlobalTable')[tableId()]!;
  expect(table.Properties.KeySchema).toEqual([
    { AttributeName: CAPACITY_TABLE_KEYS.partition, KeyType: 'HASH' },
    { AttributeName: CAPACITY_TABLE_KEYS.sort, KeyType: 'RANGE' },
  ]);
  expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
  const replica = table.Properties.Replicas[0];
  expect(replica.PointInTimeRecoverySpecification).toEqual({
    PointInTimeRecoveryEnabled: STAGE_CONFIG.prod.tables.pointInTimeRecovery,
  });
});

it('lets only the functions that take, renew, give back or read units use the table; only the jobs API reads without writing', () => {
  const grantees = Object.entries(compute.findResources('AWS::IAM::Policy'))
    .filter(([, p]) =>
      JSON.stringify(p.Properties.PolicyDocument).includes(`ExportsOutputFnGetAtt${tableId()}`),
    )
    .map(([id, p]) => ({
      id: id.replace(/FunctionServiceRole.*$/, ''),
      actions: (p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
        .filter((s) => JSON.stringify(s.Resource).includes(`ExportsOutputFnGetAtt${tableId()}`))
        .flatMap((s) => [s.Action].flat()),
    }));
  expect(grantees.map((g) => g.id).sort()).toEqual([
    'Apijobs',
    'CapacitySweeper',
    'ExecutionEnded',
    'ModelOutputCreated',
    'Pipelineacquirecapacity',
    'Pipelinecheckgeneration',
    'Pipelinemarkfailed',
    'Pipelinestartgeneration',
  ]);
  for (const g of grantees) {
    expect(g.actions, g.id).toContain('dynamodb:Query');
    expect(g.actions.includes('dynamodb:UpdateItem'), g.id).toBe(g.id !== 'Apijobs');
  }
});

it('runs the sweeper every minute and names the table to the functions that need it', () => {
  const rule = Object.values(compute.findResources('AWS::Events::Rule')).find((r) =>
    r.Properties.Description?.includes('capacity'),
  )!;
  expect(rule.Properties.ScheduleExpression).toBe('rate(1 minute)');
  expect(JSON.stringify(rule.Properties.Targets)).toMatch(/CapacitySweeper/);
  const named = Object.entries(compute.findResources('AWS::Lambda::Function'))
    .filter(([, f]) => f.Properties.Environment?.Variables?.CAPACITY_TABLE)
    .map(([id]) => id);
  expect(named.some((id) => id.startsWith('Pipelineacquirecapacity'))).toBe(true);
  expect(named.some((id) => id.startsWith('Apijobs'))).toBe(true);
});

it('lets the sweeper start the executions of jobs whose start was lost, on the state machine only, reading jobs from the database', () => {
  const [id, fn] = Object.entries(compute.findResources('AWS::Lambda::Function')).find(([name]) =>
    name.startsWith('CapacitySweeperFunction'),
  )!;
  expect(fn.Properties.Environment.Variables.STATE_MACHINE_ARN).toEqual({
    Ref: expect.stringMatching(/^GenerationJob/),
  });
  const role = id.replace(/Function[0-9A-F]{8}$/, 'FunctionServiceRole');
  const statements = Object.values(compute.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref.startsWith(role)))
    .flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
    );
  const starts = statements.filter((st) => [st.Action].flat().includes('states:StartExecution'));
  expect(starts.map((st) => st.Resource)).toEqual([{ Ref: expect.stringMatching(/^GenerationJob/) }]);
  expect(statements.some((st) => [st.Action].flat().includes('rds-data:ExecuteStatement'))).toBe(true);
  // It starts executions but never stops one.
  expect(statements.some((st) => [st.Action].flat().includes('states:StopExecution'))).toBe(false);
});
