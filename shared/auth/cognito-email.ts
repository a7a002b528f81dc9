import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';

/**
 * The email a Cognito account signs in with now, by its `sub` (the pool signs in by email alias, so Cognito
 * made the sub its username); undefined when the pool has no such account. With keepOriginal, an address
 * changed but not yet confirmed is not the account's email yet.
 */
export async function cognitoAccountEmail(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
  userId: string,
): Promise<string | undefined> {
  const { AdminGetUserCommand } = await import('@aws-sdk/client-cognito-identity-provider');
  const out = await client
    .send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: userId }))
    .catch((error: unknown) => {
      if ((error as { name?: string }).name === 'UserNotFoundException') return undefined;
      throw error;
    });
  if (!out) return undefined;
  return out.UserAttributes?.find((a) => a.Name === 'email')?.Value;
}
