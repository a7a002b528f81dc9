/**
 * An API request as Lambda runs it with tracing on: the handler runs in its own `## <handler>` subsegment,
 * annotated with the correlation id and the user, closed when the answer is ready (with the error when a
 * route threw one), and the function's segment is current again afterwards.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { stubLambdaTracingEnv } from '../../support/lambda-tracing-env.ts';

const USER = '0b6a7e0e-3c1f-4f7e-9d5e-2f1a3b4c5d6e';

beforeAll(() => {
  stubLambdaTracingEnv('api-projects', { _HANDLER: 'index.handler' });
});
afterAll(() => {
  vi.unstubAllEnvs();
});

interface Subsegment {
  name: string;
  annotations: Record<string, unknown>;
  end_time?: number;
  fault?: boolean;
  cause?: { exceptions: { message: string }[] };
}

it('runs each request in a closed handler subsegment, annotated, with the error a route threw', async () => {
  const { Logger } = await import('@aws-lambda-powertools/logger');
  const { setContextFactory } = await import('#shared/runtime/context.ts');
  const { apiHandler } = await import('#shared/http/api-handler.ts');
  const { endpoint } = await import('#shared/http/endpoint.ts');
  const { ok } = await import('#shared/http/responses.ts');
  const { NotFoundError } = await import('#shared/errors.ts');
  const { beginInvocation, getTracer } = await import('#shared/observability/tracing.ts');
  const ctx = {
    logger: new Logger({ logLevel: 'SILENT' }),
    audit: { record: () => undefined },
    verifier: { verify: async () => ({ userId: USER }) },
    userRows: {
      refuseErased: () => undefined,
      withRow: (_c: unknown, _t: string, work: () => unknown) => work(),
    },
  };
  setContextFactory(async () => ctx as never);
  const seen: Subsegment[] = [];
  const current = () => getTracer()?.getSegment() as unknown as Subsegment;
  const handler = apiHandler([
    {
      method: 'GET',
      path: '/v1/projects',
      handler: endpoint({ action: 'project.list', resource: 'project' }, async () => {
        seen.push(current());
        return ok({ items: [] });
      }),
    },
    {
      method: 'DELETE',
      path: '/v1/projects',
      handler: endpoint({ action: 'project.delete', resource: 'project' }, async () => {
        seen.push(current());
        throw new NotFoundError('project');
      }),
    },
  ]);
  const event = (method: string, requestId: string) =>
    ({
      version: '2.0',
      routeKey: `${method} /v1/projects`,
      rawPath: '/v1/projects',
      rawQueryString: '',
      headers: { authorization: 'Bearer token' },
      requestContext: { requestId, http: { method, path: '/v1/projects' } },
      isBase64Encoded: false,
    }) as unknown as APIGatewayProxyEventV2;
  const lambda = { awsRequestId: 'lambda-1' } as Context;
  // The function's own segment, as a sampled invocation finds it before the handler runs.
  await beginInvocation();
  const outside = current();

  expect((await handler(event('GET', 'req-1'), lambda)).statusCode).toBe(200);
  expect((await handler(event('DELETE', 'req-2'), lambda)).statusCode).toBe(404);

  const [read, failed] = seen;
  expect(read?.name).toBe('## index.handler');
  expect(read?.annotations).toMatchObject({
    correlationId: 'req-1',
    userId: USER,
    ColdStart: expect.any(Boolean),
  });
  expect(read?.end_time).toBeGreaterThan(0);
  expect(read?.cause).toBeUndefined();
  expect(failed).not.toBe(read);
  expect(failed?.annotations).toMatchObject({ correlationId: 'req-2', userId: USER });
  expect(failed?.end_time).toBeGreaterThan(0);
  expect(failed?.cause?.exceptions.map((e) => e.message)).toEqual([expect.stringContaining('project')]);
  expect(current()).toBe(outside);
});
