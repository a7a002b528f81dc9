import {
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  InitiateAuthCommand,
  NotAuthorizedException,
  SignUpCommand,
  UserNotFoundException,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createCognitoIdentityProvider } from '#shared/auth/cognito.ts';
import { UnauthorizedError } from '#shared/errors.ts';

const cognito = mockClient(CognitoIdentityProviderClient);
const client = new CognitoIdentityProviderClient({ region: 'us-east-1' });
const provider = createCognitoIdentityProvider({ client, clientId: 'client123' });
afterEach(() => cognito.reset());

describe('Cognito identity adapter', () => {
  it('signs up with the email as username and the username as preferred_username', async () => {
    cognito.on(SignUpCommand).resolves({ UserSub: 'sub-1', UserConfirmed: false });
    expect(await provider.signUp({ email: 'a@example.com', username: 'ann', password: 'Secret123' })).toEqual(
      {
        userId: 'sub-1',
        confirmed: false,
      },
    );
    expect(cognito.commandCalls(SignUpCommand)[0]?.args[0].input).toEqual({
      ClientId: 'client123',
      Username: 'a@example.com',
      Password: 'Secret123',
      UserAttributes: [
        { Name: 'email', Value: 'a@example.com' },
        { Name: 'preferred_username', Value: 'ann' },
      ],
    });
  });

  it('confirms with the code', async () => {
    cognito.on(ConfirmSignUpCommand).resolves({});
    await provider.confirm('a@example.com', '123456');
    expect(cognito.commandCalls(ConfirmSignUpCommand)[0]?.args[0].input).toEqual({
      ClientId: 'client123',
      Username: 'a@example.com',
      ConfirmationCode: '123456',
    });
  });

  it('logs in with USER_PASSWORD_AUTH and refreshes with REFRESH_TOKEN_AUTH', async () => {
    cognito.on(InitiateAuthCommand).resolves({
      AuthenticationResult: {
        AccessToken: 'a',
        IdToken: 'i',
        RefreshToken: 'r',
        ExpiresIn: 3600,
        TokenType: 'Bearer',
      },
    });
    expect(await provider.login('a@example.com', 'Secret123')).toEqual({
      accessToken: 'a',
      idToken: 'i',
      refreshToken: 'r',
      expiresIn: 3600,
      tokenType: 'Bearer',
    });
    await provider.refresh('r');
    const inputs = cognito.commandCalls(InitiateAuthCommand).map((c) => c.args[0].input);
    expect(inputs[0]).toEqual({
      ClientId: 'client123',
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'a@example.com', PASSWORD: 'Secret123' },
    });
    expect(inputs[1]).toEqual({
      ClientId: 'client123',
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: 'r' },
    });
  });

  it('adds SECRET_HASH when the app client has a secret', async () => {
    cognito.on(InitiateAuthCommand).resolves({ AuthenticationResult: { AccessToken: 'a', IdToken: 'i' } });
    const withSecret = createCognitoIdentityProvider({ client, clientId: 'client123', clientSecret: 'shh' });
    await withSecret.login('a@example.com', 'Secret123');
    const params = cognito.commandCalls(InitiateAuthCommand)[0]?.args[0].input.AuthParameters;
    expect(params?.SECRET_HASH).toMatch(/^[A-Za-z0-9+/]+=*$/);
  });

  it('answers wrong password and unknown user with the same 401, and a taken email like a new account', async () => {
    cognito.on(InitiateAuthCommand).rejects(new NotAuthorizedException({ message: 'x', $metadata: {} }));
    const a = await provider.login('a@example.com', 'bad').catch((e: unknown) => e);
    cognito.on(InitiateAuthCommand).rejects(new UserNotFoundException({ message: 'y', $metadata: {} }));
    const b = await provider.login('b@example.com', 'bad').catch((e: unknown) => e);
    expect(a).toBeInstanceOf(UnauthorizedError);
    expect(b).toBeInstanceOf(UnauthorizedError);
    expect((a as Error).message).toBe((b as Error).message);
    cognito.on(SignUpCommand).rejects(new UsernameExistsException({ message: 'z', $metadata: {} }));
    await expect(
      provider.signUp({ email: 'a@example.com', username: 'ann', password: 'Secret123' }),
    ).resolves.toMatchObject({ confirmed: false, userId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });
});
