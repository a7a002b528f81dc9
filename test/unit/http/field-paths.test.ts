/**
 * Errors name a field by where it is in the request, as the request schemas do (`body.title`,
 * `query.limit`, `path.projectId`, `header.last-event-id`): the checks made past the schemas (a cursor, a
 * page size, an Idempotency-Key, what Cognito refuses in a sign-up or a confirmation) say so too.
 */
import {
  CodeMismatchException,
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  InvalidPasswordException,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, expect, it } from 'vitest';
import { createCognitoIdentityProvider } from '#shared/auth/cognito.ts';
import { pageLimit } from '#shared/db/pagination.ts';
import { InvalidCursorError, ValidationError } from '#shared/errors.ts';
import { checkIdempotencyKey } from '#shared/idempotency/idempotent.ts';

const cognito = mockClient(CognitoIdentityProviderClient);
afterEach(() => cognito.reset());
const meta = { $metadata: {} };

async function paths(run: () => unknown): Promise<string[]> {
  const error = await (async () => run())().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).issues.map((issue) => issue.path);
}

it('names query parameters and headers checked past the schemas by where they are', async () => {
  expect(new InvalidCursorError().issues.map((issue) => issue.path)).toEqual(['query.cursor']);
  expect(await paths(() => pageLimit(0))).toEqual(['query.limit']);
  expect(await paths(() => checkIdempotencyKey('no'))).toEqual(['header.idempotency-key']);
});

it('names the sign-up password and the confirmation code as body fields', async () => {
  const provider = createCognitoIdentityProvider({
    client: new CognitoIdentityProviderClient({ region: 'us-east-1' }),
    clientId: 'client123',
  });
  cognito.on(SignUpCommand).rejects(new InvalidPasswordException({ message: 'too weak', ...meta }));
  expect(
    await paths(() => provider.signUp({ email: 'a@example.com', username: 'ann', password: 'Secret123' })),
  ).toEqual(['body.password']);
  cognito.on(ConfirmSignUpCommand).rejects(new CodeMismatchException({ message: 'wrong', ...meta }));
  expect(await paths(() => provider.confirm('a@example.com', '123456'))).toEqual(['body.code']);
});
