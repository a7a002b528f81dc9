import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, expect, it, vi } from 'vitest';
import type { CurrentEmail } from '#shared/users/email-holder.ts';
import { confirmedSignUpEvent } from '#test/support/cognito-events.ts';

const asked: CurrentEmail[] = [];
vi.mock('#shared/users/provision.ts', () => ({
  provisionUser: vi.fn(async (_users: unknown, currentEmail: CurrentEmail, input: { id: string }) => {
    asked.push(currentEmail);
    return { id: input.id };
  }),
}));
const cognito = mockClient(CognitoIdentityProviderClient);

beforeAll(() => {
  process.env.DB_CLUSTER_ARN = 'arn:aws:rds:us-east-1:123456789012:cluster:db';
  process.env.DB_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf';
  process.env.DB_NAME = 'app';
});

it("asks the event's own pool, by the holder's sub, for the email of a row holding the new account's", async () => {
  cognito.on(AdminGetUserCommand).resolves({
    Username: '11111111-2222-4333-8444-555555555555',
    UserAttributes: [{ Name: 'email', Value: 'moved@example.com' }],
  });
  const { handler } = await import('#functions/events/cognito-post-confirmation.ts');
  const event = confirmedSignUpEvent();
  await expect(handler(event)).resolves.toBe(event);
  expect(asked).toHaveLength(1);
  expect(await asked[0]!('11111111-2222-4333-8444-555555555555')).toBe('moved@example.com');
  expect(cognito.commandCalls(AdminGetUserCommand).map((c) => c.args[0].input)).toEqual([
    { UserPoolId: 'us-east-1_EXAMPLE', Username: '11111111-2222-4333-8444-555555555555' },
  ]);
});
