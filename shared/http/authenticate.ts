import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { looksLikeApiKey } from '../api-keys/secret.ts';
import type { Caller } from '../auth/port.ts';
import { bearerToken } from '../auth/verifier.ts';
import { ForbiddenError, UnauthorizedError } from '../errors.ts';
import type { AppContext } from '../runtime/context.ts';

/**
 * Who sent a request: a user access token (Cognito's, or the local issuer's), or an API key. A key opens
 * every route a token does except those marked user-only (managing keys, deleting the account), and a
 * `read` key only GET routes.
 */
export function authenticate(
  ctx: AppContext,
  event: APIGatewayProxyEventV2,
  bearer: string,
  keysAllowed: boolean,
): Promise<Caller> {
  // A user's token is the common case: its check's promise is handed on as it is.
  if (!looksLikeApiKey(bearer)) return ctx.verifier.verify(bearer);
  return withApiKey(ctx, event, bearer, keysAllowed);
}

/**
 * As `authenticate`, from the Authorization header, for a route that API Gateway's throttling does not
 * cover (the event stream, deployed behind a public function URL): a refused access token, or none, counts
 * against the source address's budget of failed API key checks (a key's own check counts it already), so
 * a run of bad tokens is answered 429 with Retry-After once the budget is spent.
 */
export async function authenticateCounted(
  ctx: AppContext,
  event: APIGatewayProxyEventV2,
  keysAllowed: boolean,
): Promise<Caller> {
  let bearer: string | undefined;
  try {
    bearer = bearerToken(event.headers?.authorization);
    return await authenticate(ctx, event, bearer, keysAllowed);
  } catch (error) {
    if (error instanceof UnauthorizedError && !(bearer && looksLikeApiKey(bearer))) {
      await ctx.loginLimiter.tokenRefused(sourceAddress(event));
    }
    throw error;
  }
}

/** The caller's address as API Gateway saw it: what refused credentials are counted against. */
export const sourceAddress = (event: APIGatewayProxyEventV2) =>
  event.requestContext?.http?.sourceIp ?? 'unknown';

async function withApiKey(
  ctx: AppContext,
  event: APIGatewayProxyEventV2,
  bearer: string,
  keysAllowed: boolean,
): Promise<Caller> {
  const caller = await ctx.apiKeyVerifier.verify(bearer, sourceAddress(event));
  if (!keysAllowed) {
    throw new ForbiddenError('This route takes a signed-in user’s access token, not an API key.');
  }
  const method = event.requestContext?.http?.method ?? 'GET';
  if (method !== 'GET' && !caller.scopes?.includes('write')) {
    throw new ForbiddenError('This API key has the read scope only; it may send GET requests alone.');
  }
  return caller;
}
