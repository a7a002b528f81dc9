import { createHmac } from 'node:crypto';
import {
  type CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { ConflictError, TooManyRequestsError, UnauthorizedError, ValidationError } from '../errors.ts';
import type { IdentityProvider, Tokens } from './port.ts';

const BAD_CREDENTIALS = 'Incorrect email or password.';

function mapCognitoError(error: unknown): never {
  const name = (error as { name?: string }).name;
  switch (name) {
    case 'NotAuthorizedException':
    case 'UserNotFoundException':
      throw new UnauthorizedError(BAD_CREDENTIALS);
    case 'UserNotConfirmedException':
      throw new UnauthorizedError('Confirm your email with the code we sent before signing in.');
    case 'UsernameExistsException':
    case 'AliasExistsException':
      throw new ConflictError('An account with this email already exists.');
    case 'InvalidPasswordException':
      throw new ValidationError('The password does not meet the policy.', [
        { path: 'password', message: 'at least 8 characters with upper case, lower case and a digit' },
      ]);
    case 'CodeMismatchException':
    case 'ExpiredCodeException':
      throw new ValidationError('The confirmation code is wrong or expired.', [
        { path: 'code', message: 'invalid code' },
      ]);
    case 'TooManyRequestsException':
    case 'TooManyFailedAttemptsException':
    case 'LimitExceededException':
      throw new TooManyRequestsError('Too many attempts; wait a moment and try again.', 30);
    default:
      throw error;
  }
}

export interface CognitoOptions {
  client: CognitoIdentityProviderClient;
  clientId: string;
  /** Only for app clients with a secret. */
  clientSecret?: string;
}

/** Cognito user pool accounts; the users row is created by the post-confirmation trigger with id = sub. */
export function createCognitoIdentityProvider({
  client,
  clientId,
  clientSecret,
}: CognitoOptions): IdentityProvider {
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

  return {
    async signUp({ email, username, password }) {
      const out = await client
        .send(
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
        )
        .catch(mapCognitoError);
      return { userId: out.UserSub ?? '', confirmed: out.UserConfirmed ?? false };
    },

    async confirm(email, code) {
      await client
        .send(
          new ConfirmSignUpCommand({
            ClientId: clientId,
            Username: email,
            ConfirmationCode: code,
            ...secretHashParam(email),
          }),
        )
        .catch(mapCognitoError);
    },

    async login(email, password) {
      const out = await client
        .send(
          new InitiateAuthCommand({
            ClientId: clientId,
            AuthFlow: 'USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: email, PASSWORD: password, ...secretHash(email) },
          }),
        )
        .catch(mapCognitoError);
      return toTokens(out.AuthenticationResult);
    },

    async refresh(refreshToken) {
      const out = await client
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
