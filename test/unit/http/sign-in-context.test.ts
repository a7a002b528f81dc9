import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { expect, it } from 'vitest';
import { signInContext } from '#shared/http/sign-in-context.ts';

it("takes the user's address, the endpoint and the headers, leaving credentials out", () => {
  const event = {
    rawPath: '/v1/me',
    headers: {
      'user-agent': 'Mozilla/5.0',
      authorization: 'Bearer secret-token',
      cookie: 'session=1',
      'x-api-key': 'key',
      'accept-language': 'en',
    },
    requestContext: { domainName: 'api.example.com', http: { sourceIp: '198.51.100.7' } },
  } as unknown as APIGatewayProxyEventV2;
  expect(signInContext(event)).toEqual({
    ipAddress: '198.51.100.7',
    serverName: 'api.example.com',
    serverPath: '/v1/me',
    headers: { 'user-agent': 'Mozilla/5.0', 'accept-language': 'en' },
  });
});
