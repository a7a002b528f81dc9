import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { apiHandler } from '#shared/http/api-handler.ts';
import { endpoint } from '#shared/http/endpoint.ts';
import { ifMatchVersion } from '#shared/http/if-match.ts';
import { created, noContent, ok, withEtag } from '#shared/http/responses.ts';
import { useAwsContext } from '#shared/runtime/aws.ts';
import type { AppContext } from '#shared/runtime/context.ts';
import { awsTemplates } from '#shared/runtime/features/templates.ts';
import {
  createTemplateBody,
  listTemplatesQuery,
  templateParams,
  updateTemplateBody,
} from '#shared/templates/schema.ts';
import { toTemplateResponse } from '#shared/templates/service.ts';

useAwsContext(awsTemplates);

/** The template's row version when If-Match names the ETag of its current representation (ifMatchVersion). */
const templateVersion = (r: {
  event: APIGatewayProxyEventV2;
  ctx: AppContext;
  caller: { userId: string };
  params: { templateId: string };
}) =>
  ifMatchVersion(
    r.event,
    'template',
    () => r.ctx.templates.getVersioned(r.caller.userId, r.params.templateId),
    toTemplateResponse,
  );

export const handler = apiHandler([
  {
    method: 'GET',
    path: '/v1/templates',
    handler: endpoint(
      { action: 'template.list', resource: 'template', query: listTemplatesQuery },
      async (r) => {
        const page = await r.ctx.templates.list(r.caller.userId, r.query);
        return ok({ items: page.items.map(toTemplateResponse), nextCursor: page.nextCursor });
      },
    ),
  },
  {
    method: 'POST',
    path: '/v1/templates',
    handler: endpoint(
      { action: 'template.create', resource: 'template', body: createTemplateBody },
      async (r) => {
        const template = await r.ctx.templates.create(r.caller.userId, r.body);
        r.audit(template.id);
        return created(toTemplateResponse(template), `/v1/templates/${template.id}`);
      },
    ),
  },
  {
    method: 'GET',
    path: '/v1/templates/{templateId}',
    handler: endpoint(
      { action: 'template.read', resource: 'template', params: templateParams },
      async (r) => {
        const template = await r.ctx.templates.get(r.caller.userId, r.params.templateId);
        return withEtag(r.event, toTemplateResponse(template), template.isPublic ? 60 : 0);
      },
    ),
  },
  {
    method: 'PATCH',
    path: '/v1/templates/{templateId}',
    handler: endpoint(
      { action: 'template.update', resource: 'template', params: templateParams, body: updateTemplateBody },
      async (r) => {
        const { userId } = r.caller;
        const { templateId } = r.params;
        const version = await templateVersion(r);
        return ok(toTemplateResponse(await r.ctx.templates.update(userId, templateId, r.body, version)));
      },
    ),
  },
  {
    method: 'DELETE',
    path: '/v1/templates/{templateId}',
    handler: endpoint(
      { action: 'template.delete', resource: 'template', params: templateParams },
      async (r) => {
        const { userId } = r.caller;
        const { templateId } = r.params;
        const version = await templateVersion(r);
        await r.ctx.templates.remove(userId, templateId, version);
        return noContent();
      },
    ),
  },
]);
