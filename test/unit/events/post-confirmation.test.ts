import { ExecuteStatementCommand, RDSDataClient } from '@aws-sdk/client-rds-data';
import type { PostConfirmationTriggerEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it } from 'vitest';
import { confirmedSignUpEvent } from '#test/support/cognito-events.ts';

const rds = mockClient(RDSDataClient);

describe('Cognito post-confirmation trigger', () => {
  beforeAll(() => {
    process.env.DB_CLUSTER_ARN = 'arn:aws:rds:us-east-1:123456789012:cluster:db';
    process.env.DB_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf';
    process.env.DB_NAME = 'app';
  });

  it('confirms the sign-up even when the database stays paused past its short budget', async () => {
    const resuming = Object.assign(
      new Error('The Aurora DB instance db-1 is resuming after being auto-paused.'),
      {
        name: 'DatabaseResumingException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      },
    );
    rds.on(ExecuteStatementCommand).rejects(resuming);
    const { handler } = await import('#functions/events/cognito-post-confirmation.ts');
    const event = confirmedSignUpEvent();
    await expect(handler(event)).resolves.toBe(event);
    expect(rds.commandCalls(ExecuteStatementCommand).length).toBeGreaterThan(0);
  });

  it('confirms an event of an unexpected shape without creating anything (the first request will)', async () => {
    rds.resetHistory();
    const { handler } = await import('#functions/events/cognito-post-confirmation.ts');
    const event = {
      triggerSource: 'PostConfirmation_ConfirmSignUp',
      request: { userAttributes: { email: 'ada@example.com' } },
    } as unknown as PostConfirmationTriggerEvent;
    await expect(handler(event)).resolves.toBe(event);
    expect(rds.commandCalls(ExecuteStatementCommand)).toHaveLength(0);
  });
});

describe('the trigger budget', () => {
  it('ends well inside the 5 s Cognito gives a trigger', async () => {
    const { DATA_API_RETRY } = await import('#shared/runtime/database-aws.ts');
    expect(DATA_API_RETRY.cognitoTrigger.budgetMs).toBeLessThanOrEqual(3_000);
  });
});
