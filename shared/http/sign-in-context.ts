import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { SignInContext } from '../auth/port.ts';

/** Headers that carry a credential: never passed on to the identity provider. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'x-api-key']);

/** The user's side of a sign-in request (address, headers, endpoint), for the identity provider's risk checks. */
export function signInContext(event: APIGatewayProxyEventV2): SignInContext {
  return {
    ipAddress: event.requestContext.http.sourceIp,
    serverName: event.requestContext.domainName,
    serverPath: event.rawPath,
    headers: Object.fromEntries(
      Object.entries(event.headers ?? {}).filter(([name]) => !CREDENTIAL_HEADERS.has(name.toLowerCase())),
    ),
  };
}
