import {
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  InitiateAuthCommand,
  NotAuthorizedException,
  PasswordResetRequiredException,
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
const POOL = 'us-east-1_Pool1';
const provider = createCognitoIdentityProvider({ client, clientId: 'client123', userPoolId: POOL });
const TOKENS = {
  AuthenticationResult: {
    AccessToken: 'a',
    IdToken: 'i',
    RefreshToken: 'r',
    ExpiresIn: 3600,
    TokenType: 'Bearer',
  },
};
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

  it('logs in with ADMIN_USER_PASSWORD_AUTH and refreshes with REFRESH_TOKEN_AUTH', async () => {
    cognito.on(AdminInitiateAuthCommand).resolves(TOKENS);
    cognito.on(InitiateAuthCommand).resolves(TOKENS);
    expect(await provider.login('a@example.com', 'Secret123')).toEqual({
      accessToken: 'a',
      idToken: 'i',
      refreshToken: 'r',
      expiresIn: 3600,
      tokenType: 'Bearer',
    });
    await provider.refresh('r');
    expect(cognito.commandCalls(AdminInitiateAuthCommand)[0]?.args[0].input).toEqual({
      UserPoolId: POOL,
      ClientId: 'client123',
      AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'a@example.com', PASSWORD: 'Secret123' },
    });
    expect(cognito.commandCalls(InitiateAuthCommand)[0]?.args[0].input).toEqual({
      ClientId: 'client123',
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: 'r' },
    });
  });

  it("passes the user's address, endpoint and headers to threat protection as ContextData", async () => {
    cognito.on(AdminInitiateAuthCommand).resolves(TOKENS);
    await provider.login('a@example.com', 'Secret123', {
      ipAddress: '198.51.100.7',
      serverName: 'api.example.com',
      serverPath: '/v1/auth/login',
      headers: { 'user-agent': 'Mozilla/5.0', 'accept-language': 'en', 'x-absent': undefined },
    });
    expect(cognito.commandCalls(AdminInitiateAuthCommand)[0]?.args[0].input.ContextData).toEqual({
      IpAddress: '198.51.100.7',
      ServerName: 'api.example.com',
      ServerPath: '/v1/auth/login',
      HttpHeaders: [
        { headerName: 'user-agent', headerValue: 'Mozilla/5.0' },
        { headerName: 'accept-language', headerValue: 'en' },
      ],
    });
  });

  it('adds SECRET_HASH when the app client has a secret', async () => {
    cognito
      .on(AdminInitiateAuthCommand)
      .resolves({ AuthenticationResult: { AccessToken: 'a', IdToken: 'i' } });
    const withSecret = createCognitoIdentityProvider({
      client,
      clientId: 'client123',
      userPoolId: POOL,
      clientSecret: 'shh',
    });
    await withSecret.login('a@example.com', 'Secret123');
    const params = cognito.commandCalls(AdminInitiateAuthCommand)[0]?.args[0].input.AuthParameters;
    expect(params?.SECRET_HASH).toMatch(/^[A-Za-z0-9+/]+=*$/);
  });

  it('answers an account whose password must be reset with a 401, not a 500', async () => {
    cognito
      .on(AdminInitiateAuthCommand)
      .rejects(new PasswordResetRequiredException({ message: 'Password reset required', $metadata: {} }));
    await expect(provider.login('a@example.com', 'Secret123')).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('answers wrong password and unknown user with the same 401, and a taken email like a new account', async () => {
    cognito.on(AdminInitiateAuthCommand).rejects(new NotAuthorizedException({ message: 'x', $metadata: {} }));
    const a = await provider.login('a@example.com', 'bad').catch((e: unknown) => e);
    cognito.on(AdminInitiateAuthCommand).rejects(new UserNotFoundException({ message: 'y', $metadata: {} }));
    const b = await provider.login('b@example.com', 'bad').catch((e: unknown) => e);
    expect(a).toBeInstanceOf(UnauthorizedError);
    expect(b).toBeInstanceOf(UnauthorizedError);
    expect((a as Error).message).toBe((b as Error).message);
    cognito.on(SignUpCommand).rejects(new UsernameExistsException({ message: 'z', $metadata: {} }));
    cognito.on(AdminGetUserCommand).resolves({ Username: 'sub-a', UserStatus: 'CONFIRMED' });
    await expect(
      provider.signUp({ email: 'a@example.com', username: 'ann', password: 'Secret123' }),
    ).resolves.toMatchObject({ confirmed: false, userId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });
});
