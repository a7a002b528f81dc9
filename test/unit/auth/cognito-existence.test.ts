import {
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AliasExistsException,
  CodeMismatchException,
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  GetUserCommand,
  InvalidParameterException,
  NotAuthorizedException,
  ResendConfirmationCodeCommand,
  SignUpCommand,
  UserNotConfirmedException,
  UserNotFoundException,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createCognitoIdentityProvider } from '#shared/auth/cognito.ts';
import { toProblemResponse } from '#shared/http/problem.ts';

const cognito = mockClient(CognitoIdentityProviderClient);
const provider = createCognitoIdentityProvider({
  client: new CognitoIdentityProviderClient({ region: 'us-east-1' }),
  clientId: 'client123',
});
afterEach(() => cognito.reset());
const meta = { $metadata: {} };

/** The status and body a client would see, less what differs per request. */
async function answer(run: () => Promise<unknown>) {
  try {
    const value = await run();
    return { status: 200, body: value };
  } catch (error) {
    const response = toProblemResponse(error, 'same-id');
    return { status: response.statusCode, body: JSON.parse(String(response.body)) };
  }
}

describe('Cognito adapter: nobody learns who has an account', () => {
  it('answers confirm alike for an unknown email, a confirmed account and a wrong code', async () => {
    const answers = [];
    for (const error of [
      new UserNotFoundException({ message: 'Username/client id combination not found.', ...meta }),
      new NotAuthorizedException({
        message: 'User cannot be confirmed. Current status is CONFIRMED',
        ...meta,
      }),
      new CodeMismatchException({ message: 'Invalid verification code provided', ...meta }),
    ]) {
      cognito.on(ConfirmSignUpCommand).rejects(error);
      answers.push(await answer(() => provider.confirm('a@example.com', '123456')));
    }
    expect(answers[0]?.status).toBe(400);
    expect(JSON.stringify(answers[0]?.body)).toContain('sign up again with the same email to get a new code');
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });

  it('answers a sign-in alike for a wrong password and an unconfirmed account (sign-up then sign-in tells nothing)', async () => {
    // Signing up with someone's email and a password of one's own, then signing in with it, would tell
    // a taken email (the sign-up was a decoy: wrong password) from a free one (an unconfirmed account).
    const pooled = createCognitoIdentityProvider({
      client: new CognitoIdentityProviderClient({ region: 'us-east-1' }),
      clientId: 'client123',
      userPoolId: 'us-east-1_Pool1',
    });
    const answers = [];
    for (const error of [
      new NotAuthorizedException({ message: 'Incorrect username or password.', ...meta }),
      new UserNotConfirmedException({ message: 'User is not confirmed.', ...meta }),
    ]) {
      cognito.on(AdminInitiateAuthCommand).rejects(error);
      answers.push(await answer(() => pooled.login('a@example.com', 'Secret123')));
    }
    expect(answers[0]?.status).toBe(401);
    expect(answers[1]).toEqual(answers[0]);
    // A user who has not confirmed yet still learns what to do.
    expect(JSON.stringify(answers[0]?.body)).toContain('sign up again with the same details');
  });

  it('answers sign-up of a taken email like a new unconfirmed account', async () => {
    cognito
      .on(SignUpCommand)
      .resolves({ UserSub: '0b7a3c1e-1111-4000-8000-000000000001', UserConfirmed: false });
    const fresh = await provider.signUp({ email: 'new@example.com', username: 'ann', password: 'Secret123' });
    for (const error of [
      new UsernameExistsException({ message: 'An account with the given email already exists.', ...meta }),
      new AliasExistsException({ message: 'alias exists', ...meta }),
    ]) {
      cognito.on(SignUpCommand).rejects(error);
      const taken = await provider.signUp({ email: 'a@example.com', username: 'bob', password: 'Secret123' });
      expect(Object.keys(taken).sort()).toEqual(Object.keys(fresh).sort());
      expect(taken.confirmed).toBe(false);
      expect(taken.userId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('sends a new code when an unconfirmed account signs up again, and answers alike when that fails', async () => {
    // Cognito sends no code for an existing account; a code expires after 24 hours.
    cognito
      .on(SignUpCommand)
      .rejects(
        new UsernameExistsException({ message: 'An account with the given email already exists.', ...meta }),
      );
    cognito.on(ResendConfirmationCodeCommand).resolves({ CodeDeliveryDetails: { DeliveryMedium: 'EMAIL' } });
    const pending = await answer(() =>
      provider.signUp({ email: 'a@example.com', username: 'ann', password: 'Secret123' }),
    );
    expect(cognito.commandCalls(ResendConfirmationCodeCommand).map((c) => c.args[0].input)).toEqual([
      { ClientId: 'client123', Username: 'a@example.com' },
    ]);
    // A confirmed account: Cognito refuses the resend, and the caller sees the same answer.
    cognito
      .on(ResendConfirmationCodeCommand)
      .rejects(new InvalidParameterException({ message: 'User is already confirmed.', ...meta }));
    const confirmed = await answer(() =>
      provider.signUp({ email: 'a@example.com', username: 'ann', password: 'Secret123' }),
    );
    expect(pending.status).toBe(200);
    expect(confirmed.status).toBe(200);
    expect((confirmed.body as { confirmed: boolean }).confirmed).toBe(false);
    // An email that is another account's alias is not this account's to confirm: nothing is sent.
    cognito.reset();
    cognito.on(SignUpCommand).rejects(new AliasExistsException({ message: 'alias exists', ...meta }));
    await provider.signUp({ email: 'b@example.com', username: 'bob', password: 'Secret123' });
    expect(cognito.commandCalls(ResendConfirmationCodeCommand)).toHaveLength(0);
  });

  it('replaces an account never confirmed with the new sign-up, so the code confirms the password chosen now', async () => {
    const withPool = createCognitoIdentityProvider({
      client: new CognitoIdentityProviderClient({ region: 'us-east-1' }),
      clientId: 'client123',
      userPoolId: 'us-east-1_pool',
    });
    const sub = '0b7a3c1e-2222-4000-8000-000000000002';
    // Someone signed up first with the owner's email and a password of their own, and never confirmed.
    cognito
      .on(SignUpCommand)
      .rejectsOnce(
        new UsernameExistsException({ message: 'An account with the given email already exists.', ...meta }),
      )
      .resolves({ UserSub: sub, UserConfirmed: false });
    // The shape of AdminGetUser's answer (Amazon Cognito API reference).
    cognito
      .on(AdminGetUserCommand)
      .resolves({ Username: 'squatter-sub', UserStatus: 'UNCONFIRMED', Enabled: true });
    cognito.on(AdminDeleteUserCommand).resolves({});
    const owner = await withPool.signUp({
      email: 'owner@example.com',
      username: 'owner',
      password: 'Owners123',
    });
    expect(owner).toEqual({ userId: sub, confirmed: false });
    expect(cognito.commandCalls(AdminGetUserCommand).map((c) => c.args[0].input)).toEqual([
      { UserPoolId: 'us-east-1_pool', Username: 'owner@example.com' },
    ]);
    expect(cognito.commandCalls(AdminDeleteUserCommand).map((c) => c.args[0].input)).toEqual([
      { UserPoolId: 'us-east-1_pool', Username: 'owner@example.com' },
    ]);
    const signUps = cognito.commandCalls(SignUpCommand).map((c) => c.args[0].input.Password);
    expect(signUps).toEqual(['Owners123', 'Owners123']);
    expect(cognito.commandCalls(ResendConfirmationCodeCommand)).toHaveLength(0);
  });

  it.each([
    [
      'a confirmed account',
      () => cognito.on(AdminGetUserCommand).resolves({ Username: 's', UserStatus: 'CONFIRMED' }),
    ],
    ['a pool that cannot be asked', () => cognito.on(AdminGetUserCommand).rejects(new Error('throttled'))],
  ])('leaves %s as it is and only resends a code', async (_, pool) => {
    const withPool = createCognitoIdentityProvider({
      client: new CognitoIdentityProviderClient({ region: 'us-east-1' }),
      clientId: 'client123',
      userPoolId: 'us-east-1_pool',
    });
    cognito
      .on(SignUpCommand)
      .rejects(
        new UsernameExistsException({ message: 'An account with the given email already exists.', ...meta }),
      );
    pool();
    cognito.on(ResendConfirmationCodeCommand).resolves({});
    const taken = await withPool.signUp({ email: 'a@example.com', username: 'ann', password: 'Secret123' });
    expect(taken.confirmed).toBe(false);
    expect(cognito.commandCalls(AdminDeleteUserCommand)).toHaveLength(0);
    expect(cognito.commandCalls(SignUpCommand)).toHaveLength(1);
    expect(cognito.commandCalls(ResendConfirmationCodeCommand)).toHaveLength(1);
  });

  it("reads a token holder's email and chosen username with GetUser, and 401 when the account is gone", async () => {
    cognito.on(GetUserCommand).resolves({
      Username: '0b7a3c1e-1111-4000-8000-000000000001',
      UserAttributes: [
        { Name: 'sub', Value: '0b7a3c1e-1111-4000-8000-000000000001' },
        { Name: 'email', Value: 'ann@example.com' },
        { Name: 'preferred_username', Value: 'ann' },
      ],
    });
    await expect(provider.profile('access-token')).resolves.toEqual({
      email: 'ann@example.com',
      username: 'ann',
    });
    expect(cognito.commandCalls(GetUserCommand)[0]?.args[0].input).toEqual({ AccessToken: 'access-token' });
    cognito
      .on(GetUserCommand)
      .rejects(new NotAuthorizedException({ message: 'Access Token has been revoked', ...meta }));
    await expect(provider.profile('access-token')).rejects.toMatchObject({ status: 401 });
  });
});
