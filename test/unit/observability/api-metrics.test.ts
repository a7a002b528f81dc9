/** What every API function records per request: a metric by route and status class, and the correlation id. */
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { beforeAll, expect, it } from 'vitest';
import { NotFoundError } from '#shared/errors.ts';
import { apiHandler } from '#shared/http/api-handler.ts';
import { currentCorrelationId } from '#shared/observability/correlation.ts';
import { captureMetrics } from '#shared/observability/metrics.ts';
import { type AppContext, setContextFactory } from '#shared/runtime/context.ts';

beforeAll(() => {
  const ctx = { logger: new Logger({ logLevel: 'SILENT' }), audit: { record: async () => undefined } };
  setContextFactory(async () => ctx as unknown as AppContext);
});

const handler = apiHandler([
  {
    method: 'GET',
    path: '/v1/jobs/{jobId}',
    handler: async () => ({ statusCode: 200, body: JSON.stringify({ seen: currentCorrelationId() }) }),
  },
  {
    method: 'POST',
    path: '/v1/jobs/{jobId}/cancel',
    handler: async () => {
      throw new NotFoundError('job');
    },
  },
]);

const event = (method: string, path: string, routeKey: string, requestId: string) =>
  ({
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: {},
    requestContext: { requestId, http: { method, path } },
    isBase64Encoded: false,
  }) as unknown as APIGatewayProxyEventV2;

it('counts requests by route key and status class, and hands the correlation id to the work', async () => {
  const jobId = '11111111-2222-4333-8444-555555555555';
  const responses: { statusCode?: number; body?: string; headers?: Record<string, unknown> }[] = [];
  const records = await captureMetrics(async () => {
    const ctx = { awsRequestId: 'lambda-1' } as Context;
    responses.push(await handler(event('GET', `/v1/jobs/${jobId}`, 'GET /v1/jobs/{jobId}', 'req-1'), ctx));
    responses.push(
      await handler(event('POST', `/v1/jobs/${jobId}/cancel`, 'POST /v1/jobs/{jobId}/cancel', 'req-2'), ctx),
    );
    responses.push(await handler(event('GET', '/v1/nowhere', '$default', 'req-3'), ctx));
  });
  expect(JSON.parse(responses[0]?.body ?? '{}')).toEqual({ seen: 'req-1' });
  expect(responses.map((r) => r.headers?.['x-correlation-id'])).toEqual(['req-1', 'req-2', 'req-3']);
  expect(records.map((r) => [r.route, r.statusClass, r.ApiRequests])).toEqual([
    ['GET /v1/jobs/{jobId}', '2xx', 1],
    ['POST /v1/jobs/{jobId}/cancel', '4xx', 1],
    ['unmatched', '4xx', 1],
  ]);
  for (const r of records) {
    expect(r._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([
      ['service', 'stage', 'statusClass'],
      ['service', 'stage', 'statusClass', 'route'],
    ]);
    expect(JSON.stringify(r)).not.toContain(jobId);
  }
  expect(currentCorrelationId()).toBeUndefined();
});

it('writes the same record for every request of a route and class, stamped with its own time', async () => {
  const ctx = { awsRequestId: 'lambda-2' } as Context;
  const send = (id: string) => handler(event('GET', '/v1/jobs/x', 'GET /v1/jobs/{jobId}', id), ctx);
  const first = await captureMetrics(() => send('req-a'));
  await new Promise((resolve) => setTimeout(resolve, 5));
  const second = await captureMetrics(() => send('req-b'));
  expect(first).toHaveLength(1);
  expect(second).toHaveLength(1);
  const [a, b] = [first[0]!, second[0]!];
  expect(b._aws.Timestamp).toBeGreaterThan(a._aws.Timestamp);
  expect(Math.abs(b._aws.Timestamp - Date.now())).toBeLessThan(1000);
  expect({ ...b, _aws: { ...b._aws, Timestamp: 0 } }).toEqual({ ...a, _aws: { ...a._aws, Timestamp: 0 } });
  expect(a).toMatchObject({ route: 'GET /v1/jobs/{jobId}', statusClass: '2xx', ApiRequests: 1 });
});
