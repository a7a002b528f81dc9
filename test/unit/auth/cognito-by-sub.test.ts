/** The provider's calls that name an account by its sub: AdminDeleteUser and AdminGetUser. */
import {
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, expect, it } from 'vitest';
import { createCognitoIdentityProvider } from '#shared/auth/cognito.ts';

const cognito = mockClient(CognitoIdentityProviderClient);
const client = new CognitoIdentityProviderClient({ region: 'us-east-1' });
const provider = createCognitoIdentityProvider({
  client,
  clientId: 'client123',
  userPoolId: 'us-west-2_pool',
});
afterEach(() => cognito.reset());

const SUB = '6f1c2d4e-8a9b-4c3d-9e8f-7a6b5c4d3e2f';

it('deletes the account with AdminDeleteUser on the pool, by its sub (the username of an email-alias pool)', async () => {
  cognito.on(AdminDeleteUserCommand).resolves({});
  await provider.deleteAccount(SUB);
  expect(cognito.commandCalls(AdminDeleteUserCommand).map((c) => c.args[0].input)).toEqual([
    { UserPoolId: 'us-west-2_pool', Username: SUB },
  ]);
});

it('treats an account already gone as deleted (a repeated erasure), and other errors as failures', async () => {
  cognito
    .on(AdminDeleteUserCommand)
    .rejects(new UserNotFoundException({ message: 'User does not exist.', $metadata: {} }));
  await expect(provider.deleteAccount(SUB)).resolves.toBeUndefined();
  cognito.on(AdminDeleteUserCommand).rejects(new Error('throttled'));
  await expect(provider.deleteAccount(SUB)).rejects.toThrow('throttled');
  const unconfigured = createCognitoIdentityProvider({ client, clientId: 'client123' });
  await expect(unconfigured.deleteAccount(SUB)).rejects.toThrow('USER_POOL_ID');
});

it('asks AdminGetUser on the pool, by the sub (the username of an email-alias pool), for the email', async () => {
  // The shape of AdminGetUser's answer (Amazon Cognito API reference).
  cognito.on(AdminGetUserCommand).resolves({
    Username: SUB,
    UserAttributes: [
      { Name: 'sub', Value: SUB },
      { Name: 'email_verified', Value: 'true' },
      { Name: 'preferred_username', Value: 'ada' },
      { Name: 'email', Value: 'ada.new@example.com' },
    ],
    UserCreateDate: new Date('2026-01-01T00:00:00Z'),
    UserLastModifiedDate: new Date('2026-02-01T00:00:00Z'),
    Enabled: true,
    UserStatus: 'CONFIRMED',
  });
  expect(await provider.currentEmail(SUB)).toBe('ada.new@example.com');
  expect(cognito.commandCalls(AdminGetUserCommand).map((c) => c.args[0].input)).toEqual([
    { UserPoolId: 'us-west-2_pool', Username: SUB },
  ]);
});

it('answers undefined for an account the pool no longer has, and fails on other errors', async () => {
  cognito
    .on(AdminGetUserCommand)
    .rejects(new UserNotFoundException({ message: 'User does not exist.', $metadata: {} }));
  expect(await provider.currentEmail(SUB)).toBeUndefined();
  cognito.on(AdminGetUserCommand).rejects(new Error('throttled'));
  await expect(provider.currentEmail(SUB)).rejects.toThrow('throttled');
  const unconfigured = createCognitoIdentityProvider({ client, clientId: 'client123' });
  await expect(unconfigured.currentEmail(SUB)).rejects.toThrow('USER_POOL_ID');
});
