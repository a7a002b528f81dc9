import { sql } from 'drizzle-orm';
import { describeModels } from '#shared/generation/models.ts';
import { apiHandler } from '#shared/http/api-handler.ts';
import { endpoint } from '#shared/http/endpoint.ts';
import { servedOpenApiDocument } from '#shared/http/openapi-served.ts';
import { json, ok } from '#shared/http/responses.ts';
import { useAwsContext } from '#shared/runtime/aws.ts';

useAwsContext();

export const handler = apiHandler([
  {
    method: 'GET',
    path: '/v1/models',
    handler: endpoint({ action: 'models.list', resource: 'models' }, async (r) =>
      ok({
        items: describeModels({ enabled: r.ctx.enabledModels, ...(r.ctx.now ? { now: r.ctx.now() } : {}) }),
      }),
    ),
  },
  {
    method: 'GET',
    path: '/v1/health',
    handler: endpoint({ action: 'system.health', resource: 'system', auth: false }, async (r) => {
      const started = Date.now();
      const database = await r.ctx.db
        .execute(sql`SELECT 1`)
        .then(() => 'ok' as const)
        .catch(() => 'unavailable' as const);
      const healthy = database === 'ok';
      return json(healthy ? 200 : 503, {
        status: healthy ? 'ok' : 'degraded',
        checks: { database },
        latencyMs: Date.now() - started,
      });
    }),
  },
  {
    method: 'GET',
    path: '/v1/openapi.json',
    handler: endpoint({ action: 'system.openapi', resource: 'system', auth: false }, async () => {
      return {
        ...ok(await servedOpenApiDocument()),
        headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' },
      };
    }),
  },
]);
