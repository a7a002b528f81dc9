import '#shared/runtime/aws.ts';
import { apiHandler } from '#shared/http/api-handler.ts';
import { endpoint } from '#shared/http/endpoint.ts';
import { ok, withEtag } from '#shared/http/responses.ts';
import { updateMeBody } from '#shared/users/schema.ts';
import { toUserResponse } from '#shared/users/service.ts';

export const handler = apiHandler([
  {
    method: 'GET',
    path: '/v1/me',
    handler: endpoint({ action: 'user.read', resource: 'user' }, async (r) => {
      r.audit(r.caller.userId);
      return withEtag(r.event, toUserResponse(await r.ctx.users.getById(r.caller.userId)));
    }),
  },
  {
    method: 'PATCH',
    path: '/v1/me',
    handler: endpoint({ action: 'user.update', resource: 'user', body: updateMeBody }, async (r) => {
      r.audit(r.caller.userId);
      return ok(toUserResponse(await r.ctx.users.updateUsername(r.caller.userId, r.body.username)));
    }),
  },
]);
