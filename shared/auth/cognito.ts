import { createHmac, randomUUID } from 'node:crypto';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { TooManyRequestsError, UnauthorizedError, ValidationError } from '../errors.ts';
import { type ClientSource, clientGetter } from '../sdk/lazy-client.ts';
import { cognitoAccountEmail } from './cognito-email.ts';
import type { IdentityProvider, Profile, SignInContext, Tokens } from './port.ts';

const cognito = () => import('@aws-sdk/client-cognito-identity-provider');

const BAD_CREDENTIALS = 'Incorrect email or password.';
/**
 * A refused sign-in. An unconfirmed account gets it too: Cognito tells one apart only to its password's
 * holder, so anyone could sign up with someone's email and a password of their own, sign in, and learn
 * whether the email was free (an unconfirmed account) or taken (the sign-up was a decoy).
 */
const SIGN_IN_REFUSED =
  'Incorrect email or password, or an email not confirmed yet (sign up again with the same details for a new code).';
const SIGN_IN_REFUSALS = new Set([
  'NotAuthorizedException',
  'UserNotFoundException',
  'UserNotConfirmedException',
]);
const WRONG_CODE =
  'The confirmation code is wrong or expired; sign up again with the same email to get a new code.';

function mapCognitoError(error: unknown): never {
  const name = (error as { name?: string }).name;
  switch (name) {
    case 'NotAuthorizedException':
    case 'UserNotFoundException':
      throw new UnauthorizedError(BAD_CREDENTIALS);
    case 'UserNotConfirmedException':
      throw new UnauthorizedError('Confirm your email with the code we sent before signing in.');
    case 'PasswordResetRequiredException':
      throw new UnauthorizedError('The password of this account must be reset before it can sign in.');
    case 'InvalidPasswordException':
      throw new ValidationError('The password does not meet the policy.', [
        { path: 'body.password', message: 'at least 8 characters with upper case, lower case and a digit' },
      ]);
    case 'CodeMismatchException':
    case 'ExpiredCodeException':
      throw new ValidationError(WRONG_CODE, [{ path: 'body.code', message: 'invalid code' }]);
    case 'TooManyRequestsException':
    case 'TooManyFailedAttemptsException':
    case 'LimitExceededException':
      throw new TooManyRequestsError('Too many attempts; wait a moment and try again.', 30);
    default:
      throw error;
  }
}

export interface CognitoOptions {
  client: ClientSource<CognitoIdentityProviderClient>;
  clientId: string;
  /** The pool, for the administrator calls (deleting an account). */
  userPoolId?: string;
  /** Only for app clients with a secret. */
  clientSecret?: string;
}

/** Cognito user pool accounts; the users row is created by the post-confirmation trigger with id = sub. */
export function createCognitoIdentityProvider({
  client: source,
  clientId,
  userPoolId,
  clientSecret,
}: CognitoOptions): IdentityProvider {
  const client = clientGetter(source);
  const secretHash = (username: string): Record<string, string> =>
    clientSecret
      ? {
          SECRET_HASH: createHmac('sha256', clientSecret)
            .update(username + clientId)
            .digest('base64'),
        }
      : {};
  const secretHashParam = (username: string) =>
    clientSecret
      ? {
          SecretHash: createHmac('sha256', clientSecret)
            .update(username + clientId)
            .digest('base64'),
        }
      : {};

  const toTokens = (
    result:
      | {
          AccessToken?: string;
          IdToken?: string;
          RefreshToken?: string;
          ExpiresIn?: number;
        }
      | undefined,
  ): Tokens => {
    if (!result?.AccessToken || !result.IdToken) throw new UnauthorizedError(BAD_CREDENTIALS);
    return {
      accessToken: result.AccessToken,
      idToken: result.IdToken,
      ...(result.RefreshToken ? { refreshToken: result.RefreshToken } : {}),
      expiresIn: result.ExpiresIn ?? 3600,
      tokenType: 'Bearer',
    };
  };

  /**
   * Deletes the account holding `email` if it was never confirmed; false when it was confirmed, or the pool
   * cannot be asked (no pool id, a refused or failed call): then nothing changes.
   */
  const removeUnconfirmed = async (cognitoClient: CognitoIdentityProviderClient, email: string) => {
    if (!userPoolId) return false;
    const { AdminGetUserCommand, AdminDeleteUserCommand } = await cognito();
    const status = await cognitoClient
      .send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: email }))
      .then(
        (user) => user.UserStatus,
        () => undefined,
      );
    if (status !== 'UNCONFIRMED') return false;
    return cognitoClient.send(new AdminDeleteUserCommand({ UserPoolId: userPoolId, Username: email })).then(
      () => true,
      (error: unknown) => (error as { name?: string }).name === 'UserNotFoundException',
    );
  };

  return {
    async signUp({ email, username, password }) {
      const [cognitoClient, { SignUpCommand, ResendConfirmationCodeCommand }] = await Promise.all([
        client(),
        cognito(),
      ]);
      const signUp = () =>
        cognitoClient.send(
          new SignUpCommand({
            ClientId: clientId,
            Username: email,
            Password: password,
            UserAttributes: [
              { Name: 'email', Value: email },
              { Name: 'preferred_username', Value: username },
            ],
            ...secretHashParam(email),
          }),
        );
      let exists: string | undefined;
      let out = await signUp().catch((error: unknown) => {
        const name = (error as { name?: string }).name;
        if (name !== 'UsernameExistsException' && name !== 'AliasExistsException') mapCognitoError(error);
        exists = name;
        return undefined;
      });
      if (exists === 'UsernameExistsException' && (await removeUnconfirmed(cognitoClient, email))) {
        // The account never confirmed was someone's sign-up with this email and a password of their own:
        // kept, the code the email's owner receives now would confirm that password (pre-account
        // takeover). This sign-up takes its place, with a new code for the password chosen now.
        out = await signUp().catch((error: unknown) => mapCognitoError(error));
        exists = undefined;
      } else if (exists === 'UsernameExistsException') {
        // A confirmed account (or one the pool could not be asked about): Cognito sends no code for an
        // existing account, so a user whose code expired gets a new one by signing up again. The call
        // fails for a confirmed account; the answer stays the same either way.
        try {
          await cognitoClient.send(
            new ResendConfirmationCodeCommand({
              ClientId: clientId,
              Username: email,
              ...secretHashParam(email),
            }),
          );
        } catch {
          // Refused (a confirmed account, a limit reached): nothing to tell the caller.
        }
      }
      // A taken email answers like a new, unconfirmed account (Cognito's prevent-user-existence-errors
      // leaves sign-up out, so the adapter does it): no one learns from sign-up who has an account.
      if (exists || !out) return { userId: randomUUID(), confirmed: false };
      return { userId: out.UserSub ?? '', confirmed: out.UserConfirmed ?? false };
    },

    async confirm(email, code) {
      const [cognitoClient, { ConfirmSignUpCommand }] = await Promise.all([client(), cognito()]);
      await cognitoClient
        .send(
          new ConfirmSignUpCommand({
            ClientId: clientId,
            Username: email,
            ConfirmationCode: code,
            ...secretHashParam(email),
          }),
        )
        .catch((error: unknown) => {
          // An unknown email, an account confirmed already and a wrong code all answer alike.
          const name = (error as { name?: string }).name;
          if (
            name === 'UserNotFoundException' ||
            name === 'NotAuthorizedException' ||
            name === 'AliasExistsException'
          ) {
            throw new ValidationError(WRONG_CODE, [{ path: 'body.code', message: 'invalid code' }]);
          }
          return mapCognitoError(error);
        });
    },

    async profile(accessToken): Promise<Profile> {
      const [cognitoClient, { GetUserCommand }] = await Promise.all([client(), cognito()]);
      const out = await cognitoClient
        .send(new GetUserCommand({ AccessToken: accessToken }))
        .catch((error: unknown) => {
          const name = (error as { name?: string }).name;
          if (name === 'NotAuthorizedException' || name === 'UserNotFoundException') {
            throw new UnauthorizedError('The account of this token no longer exists; sign in again.');
          }
          throw error;
        });
      const attribute = (n: string) => out.UserAttributes?.find((a) => a.Name === n)?.Value;
      const email = attribute('email');
      if (!email) throw new UnauthorizedError('The account has no email; sign up again.');
      const username = attribute('preferred_username');
      return { email, ...(username ? { username } : {}) };
    },

    async currentEmail(userId) {
      if (!userPoolId) throw new Error('USER_POOL_ID is not set');
      return cognitoAccountEmail(await client(), userPoolId, userId);
    },

    async deleteAccount(userId) {
      if (!userPoolId) throw new Error('USER_POOL_ID is not set');
      const [cognitoClient, { AdminDeleteUserCommand }] = await Promise.all([client(), cognito()]);
      // Sign-in is by email alias (signInAliases), so the pool's username is the user's `sub`.
      await cognitoClient
        .send(new AdminDeleteUserCommand({ UserPoolId: userPoolId, Username: userId }))
        .catch((error: unknown) => {
          if ((error as { name?: string }).name !== 'UserNotFoundException') throw error;
        });
    },

    /**
     * ADMIN_USER_PASSWORD_AUTH, with the user's address and headers as ContextData: the API signs users in
     * from its own servers, and Cognito's threat protection judges a sign-in by the context it is given,
     * which InitiateAuth could carry only from an app client with a secret.
     */
    async login(email, password, context?: SignInContext) {
      if (!userPoolId) throw new Error('USER_POOL_ID is not set');
      const [cognitoClient, { AdminInitiateAuthCommand }] = await Promise.all([client(), cognito()]);
      const out = await cognitoClient
        .send(
          new AdminInitiateAuthCommand({
            UserPoolId: userPoolId,
            ClientId: clientId,
            AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: email, PASSWORD: password, ...secretHash(email) },
            ...(context
              ? {
                  ContextData: {
                    IpAddress: context.ipAddress,
                    ServerName: context.serverName,
                    ServerPath: context.serverPath,
                    HttpHeaders: Object.entries(context.headers).flatMap(([headerName, headerValue]) =>
                      headerValue === undefined ? [] : [{ headerName, headerValue }],
                    ),
                  },
                }
              : {}),
          }),
        )
        .catch((error: unknown) => {
          const name = (error as { name?: string }).name ?? '';
          if (SIGN_IN_REFUSALS.has(name)) throw new UnauthorizedError(SIGN_IN_REFUSED);
          return mapCognitoError(error);
        });
      return toTokens(out.AuthenticationResult);
    },

    async refresh(refreshToken) {
      const [cognitoClient, { InitiateAuthCommand }] = await Promise.all([client(), cognito()]);
      const out = await cognitoClient
        .send(
          new InitiateAuthCommand({
            ClientId: clientId,
            AuthFlow: 'REFRESH_TOKEN_AUTH',
            AuthParameters: { REFRESH_TOKEN: refreshToken },
          }),
        )
        .catch((error: unknown) => {
          if ((error as { name?: string }).name === 'NotAuthorizedException') {
            throw new UnauthorizedError('The refresh token is not valid; sign in again.');
          }
          return mapCognitoError(error);
        });
      return toTokens(out.AuthenticationResult);
    },
  };
}
