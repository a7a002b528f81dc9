import { toApiKeyResponse } from '#shared/api-keys/repository.ts';
import { apiKeyParams, createApiKeyBody, listApiKeysQuery } from '#shared/api-keys/schema.ts';
import { newApiKey } from '#shared/api-keys/secret.ts';
import { apiHandler } from '#shared/http/api-handler.ts';
import { endpoint } from '#shared/http/endpoint.ts';
import { created, noContent, ok } from '#shared/http/responses.ts';
import { useAwsContext } from '#shared/runtime/aws.ts';

useAwsContext();

// Keys are managed with a signed-in user's token only: a key cannot mint or revoke keys.
export const handler = apiHandler([
  {
    method: 'POST',
    path: '/v1/api-keys',
    handler: endpoint(
      { action: 'apikey.create', resource: 'apiKey', apiKeys: false, body: createApiKeyBody },
      async (r) => {
        const secret = newApiKey();
        const key = await r.ctx.apiKeys.create(r.caller.userId, {
          name: r.body.name,
          scopes: r.body.scopes,
          prefix: secret.prefix,
          hash: secret.hash,
          ...(r.body.expiresAt ? { expiresAt: new Date(r.body.expiresAt) } : {}),
        });
        r.audit(key.id);
        return created({ ...toApiKeyResponse(key), key: secret.key }, `/v1/api-keys/${key.id}`);
      },
    ),
  },
  {
    method: 'GET',
    path: '/v1/api-keys',
    handler: endpoint(
      { action: 'apikey.list', resource: 'apiKey', apiKeys: false, query: listApiKeysQuery },
      async (r) => {
        const page = await r.ctx.apiKeys.list(r.caller.userId, r.query);
        return ok({ items: page.items.map(toApiKeyResponse), nextCursor: page.nextCursor });
      },
    ),
  },
  {
    method: 'DELETE',
    path: '/v1/api-keys/{keyId}',
    handler: endpoint(
      { action: 'apikey.delete', resource: 'apiKey', apiKeys: false, params: apiKeyParams },
      async (r) => {
        await r.ctx.apiKeys.remove(r.caller.userId, r.params.keyId);
        r.ctx.apiKeyVerifier.forgetKey(r.params.keyId);
        return noContent();
      },
    ),
  },
]);
