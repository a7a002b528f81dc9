import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { looksLikeApiKey } from '../api-keys/secret.ts';
import type { Caller } from '../auth/port.ts';
import { ForbiddenError } from '../errors.ts';
import type { AppContext } from '../runtime/context.ts';

/**
 * Who sent a request: a user access token (Cognito's, or the local issuer's), or an API key. A key opens
 * every route a token does except those marked user-only (managing keys, deleting the account), and a
 * `read` key only GET routes.
 */
export async function authenticate(
  ctx: AppContext,
  event: APIGatewayProxyEventV2,
  bearer: string,
  keysAllowed: boolean,
): Promise<Caller> {
  if (!looksLikeApiKey(bearer)) return ctx.verifier.verify(bearer);
  const caller = await ctx.apiKeyVerifier.verify(bearer, event.requestContext?.http?.sourceIp ?? 'unknown');
  if (!keysAllowed) {
    throw new ForbiddenError('This route takes a signed-in user’s access token, not an API key.');
  }
  const method = event.requestContext?.http?.method ?? 'GET';
  if (method !== 'GET' && !caller.scopes?.includes('write')) {
    throw new ForbiddenError('This API key has the read scope only; it may send GET requests alone.');
  }
  return caller;
}
