import { apiHandler } from '#shared/http/api-handler.ts';
import { endpoint } from '#shared/http/endpoint.ts';
import { accepted, created, noContent, ok } from '#shared/http/responses.ts';
import { useAwsContext } from '#shared/runtime/aws.ts';
import { awsWebhooks } from '#shared/runtime/features/webhooks.ts';
import {
  createWebhookBody,
  deliveryParams,
  listDeliveriesQuery,
  listWebhooksQuery,
  updateWebhookBody,
  webhookParams,
} from '#shared/webhooks/schema.ts';
import { toDeliveryResponse, toWebhookResponse } from '#shared/webhooks/service.ts';

useAwsContext(awsWebhooks);

export const handler = apiHandler([
  {
    method: 'GET',
    path: '/v1/webhooks',
    handler: endpoint(
      { action: 'webhook.list', resource: 'webhook', query: listWebhooksQuery },
      async (r) => {
        const page = await r.ctx.webhooks.list(r.caller.userId, r.query);
        return ok({ items: page.items.map(toWebhookResponse), nextCursor: page.nextCursor });
      },
    ),
  },
  {
    method: 'POST',
    path: '/v1/webhooks',
    handler: endpoint(
      { action: 'webhook.create', resource: 'webhook', body: createWebhookBody },
      async (r) => {
        const { endpoint: w, secret } = await r.ctx.webhookService.create(r.caller.userId, r.body);
        r.audit(w.id);
        return created({ ...toWebhookResponse(w), secret }, `/v1/webhooks/${w.id}`);
      },
    ),
  },
  {
    method: 'GET',
    path: '/v1/webhooks/{webhookId}',
    handler: endpoint({ action: 'webhook.read', resource: 'webhook', params: webhookParams }, async (r) =>
      ok(toWebhookResponse(await r.ctx.webhooks.get(r.caller.userId, r.params.webhookId))),
    ),
  },
  {
    method: 'PATCH',
    path: '/v1/webhooks/{webhookId}',
    handler: endpoint(
      { action: 'webhook.update', resource: 'webhook', params: webhookParams, body: updateWebhookBody },
      async (r) =>
        ok(toWebhookResponse(await r.ctx.webhookService.update(r.caller.userId, r.params.webhookId, r.body))),
    ),
  },
  {
    method: 'DELETE',
    path: '/v1/webhooks/{webhookId}',
    handler: endpoint({ action: 'webhook.delete', resource: 'webhook', params: webhookParams }, async (r) => {
      await r.ctx.webhooks.remove(r.caller.userId, r.params.webhookId);
      return noContent();
    }),
  },
  {
    method: 'POST',
    path: '/v1/webhooks/{webhookId}/rotate-secret',
    handler: endpoint({ action: 'webhook.rotate', resource: 'webhook', params: webhookParams }, async (r) => {
      const { endpoint: w, secret } = await r.ctx.webhookService.rotate(r.caller.userId, r.params.webhookId);
      return ok({ ...toWebhookResponse(w), secret });
    }),
  },
  {
    method: 'POST',
    path: '/v1/webhooks/{webhookId}/test',
    handler: endpoint({ action: 'webhook.test', resource: 'webhook', params: webhookParams }, async (r) => {
      const deliveryId = await r.ctx.webhookSends.run(r.caller.userId, () =>
        r.ctx.webhooks.sendTest(r.caller.userId, r.params.webhookId),
      );
      r.audit(deliveryId);
      return accepted({ deliveryId }, `/v1/webhooks/${r.params.webhookId}/deliveries`);
    }),
  },
  {
    method: 'GET',
    path: '/v1/webhooks/{webhookId}/deliveries',
    handler: endpoint(
      {
        action: 'webhook.deliveries',
        resource: 'webhook',
        params: webhookParams,
        query: listDeliveriesQuery,
      },
      async (r) => {
        const page = await r.ctx.webhooks.deliveries(r.caller.userId, r.params.webhookId, r.query);
        return ok({ items: page.items.map(toDeliveryResponse), nextCursor: page.nextCursor });
      },
    ),
  },
  {
    method: 'POST',
    path: '/v1/webhooks/{webhookId}/deliveries/{deliveryId}/retry',
    handler: endpoint({ action: 'webhook.retry', resource: 'webhook', params: deliveryParams }, async (r) => {
      await r.ctx.webhookSends.run(r.caller.userId, () =>
        r.ctx.webhooks.retry(r.caller.userId, r.params.webhookId, r.params.deliveryId),
      );
      return accepted({ deliveryId: r.params.deliveryId }, `/v1/webhooks/${r.params.webhookId}/deliveries`);
    }),
  },
]);
