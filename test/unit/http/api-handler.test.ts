/**
 * The API handler as it runs on Lambda: a request's log line, EMF metric line and audit entry leave stdout
 * in one write, each still a line of its own in the shape its reader expects; the route comes from the
 * route key or, for events without path parameters, from the path; and an invocation about to time out
 * still answers with a logged problem.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { stdoutAuditLog } from '#shared/audit/line.ts';
import { parseAuditLine } from '#shared/audit/line-parse.ts';
import { apiHandler } from '#shared/http/api-handler.ts';
import { endpoint } from '#shared/http/endpoint.ts';
import { ok } from '#shared/http/responses.ts';
import { StdoutLogger } from '#shared/observability/stdout-logger.ts';
import { type AppContext, setContextFactory } from '#shared/runtime/context.ts';

const USER = '0b6a7e0e-3c1f-4f7e-9d5e-2f1a3b4c5d6e';
const PROJECT = '22222222-3333-4444-8555-666666666666';

let writes: string[];
let errors: string[];
let logger: Logger;

beforeEach(() => {
  vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'api-projects');
  vi.stubEnv('STAGE', 'test');
  writes = [];
  errors = [];
  vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string) => {
    writes.push(String(chunk));
    return true;
  }) as typeof process.stdout.write);
  vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: string) => {
    errors.push(String(chunk));
    return true;
  }) as typeof process.stderr.write);
  logger = new StdoutLogger({ serviceName: 'ai-video-api', logLevel: 'INFO' });
  const ctx = {
    logger,
    audit: stdoutAuditLog(),
    verifier: { verify: async () => ({ userId: USER }) },
    userRows: {
      refuseErased: () => undefined,
      withRow: (_c: unknown, _t: string, work: () => unknown) => work(),
    },
  };
  setContextFactory(async () => ctx as unknown as AppContext);
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  vi.useRealTimers();
});

const handler = apiHandler([
  {
    method: 'GET',
    path: '/v1/projects/{projectId}',
    handler: endpoint({ action: 'project.read', resource: 'project' }, async (r) =>
      ok({ id: r.event.pathParameters?.projectId }),
    ),
  },
  {
    method: 'POST',
    path: '/v1/projects/{projectId}/slow',
    handler: () => new Promise(() => undefined),
  },
]);

const event = (
  method: string,
  rawPath: string,
  routeKey: string,
  extra: Partial<APIGatewayProxyEventV2> = {},
) =>
  ({
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: '',
    headers: { authorization: 'Bearer token' },
    requestContext: { requestId: 'req-1', http: { method, path: rawPath } },
    isBase64Encoded: false,
    ...extra,
  }) as unknown as APIGatewayProxyEventV2;

const lambdaContext = (remainingMs?: number) =>
  ({
    awsRequestId: 'lambda-1',
    ...(remainingMs === undefined ? {} : { getRemainingTimeInMillis: () => remainingMs }),
  }) as Context;

it('writes the request log line, the EMF line and the audit entry in one write, one line each', async () => {
  const res = await handler(
    event('GET', `/v1/projects/${PROJECT}`, 'GET /v1/projects/{projectId}', {
      pathParameters: { projectId: PROJECT },
    }),
    lambdaContext(30_000),
  );
  expect(res.statusCode).toBe(200);
  expect(res.headers).toMatchObject({ 'x-correlation-id': 'req-1', 'x-content-type-options': 'nosniff' });
  expect(writes).toHaveLength(1);
  const lines = writes[0]!.split('\n');
  expect(lines.pop()).toBe('');
  expect(lines).toHaveLength(3);
  const [metric, log] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(metric).toMatchObject({ route: 'GET /v1/projects/{projectId}', statusClass: '2xx', ApiRequests: 1 });
  expect(Object.keys(log!)).toEqual([
    'level',
    'message',
    'timestamp',
    'service',
    'sampling_rate',
    'correlationId',
    'method',
    'path',
    'status',
  ]);
  expect(log).toMatchObject({
    level: 'INFO',
    message: 'request',
    service: 'ai-video-api',
    correlationId: 'req-1',
    method: 'GET',
    path: `/v1/projects/${PROJECT}`,
    status: 200,
  });
  expect(parseAuditLine(lines[2]!)?.entry).toMatchObject({
    userId: USER,
    action: 'project.read',
    resourceIds: [],
    outcome: 'success',
    status: 200,
    correlationId: 'req-1',
  });
  expect(errors).toEqual([]);
});

it('prints the line Powertools prints, and none when the level is above INFO', async () => {
  const plain = new Logger({ serviceName: 'ai-video-api', logLevel: 'INFO' });
  const printed: string[] = [];
  vi.spyOn((plain as unknown as { console: Console }).console, 'info').mockImplementation((line: string) => {
    printed.push(line);
  });
  vi.useFakeTimers({ now: new Date('2026-11-27T06:00:00.123Z'), toFake: ['Date'] });
  for (const l of [plain, logger]) {
    l.appendKeys({ correlationId: 'req-9' });
    l.info('request', { correlationId: 'req-9', method: 'GET', path: '/v1/x', status: 404 });
    l.removeKeys(['correlationId']);
  }
  expect(writes).toEqual([`${printed[0]}\n`]);
  logger.setLogLevel('WARN');
  logger.info('request', { status: 200 });
  logger.warn('audit write failed');
  expect(writes).toHaveLength(1);
  expect(errors.map((e) => JSON.parse(e).message)).toEqual(['audit write failed']);
});

it('finds the route from the path when the event has no path parameters (the local server)', async () => {
  const res = await handler(
    event('GET', `/v1/projects/${PROJECT}`, 'GET /v1/projects/{projectId}'),
    lambdaContext(),
  );
  expect(JSON.parse(res.body ?? '{}')).toEqual({ id: PROJECT });
  const missing = await handler(event('GET', '/v1/nowhere', '$default'), lambdaContext());
  expect(missing.statusCode).toBe(404);
  expect(JSON.parse(missing.body ?? '{}').detail).toBe('There is no route GET /v1/nowhere.');
  expect(writes.join('')).toContain('"route":"unmatched"');
});

it('answers a logged 500 just before the invocation would time out', async () => {
  const res = await handler(
    event('POST', `/v1/projects/${PROJECT}/slow`, 'POST /v1/projects/{projectId}/slow', {
      pathParameters: { projectId: PROJECT },
    }),
    lambdaContext(20),
  );
  expect(res.statusCode).toBe(500);
  expect(JSON.parse(res.body ?? '{}')).toMatchObject({ correlationId: 'req-1' });
  expect(errors.join('')).toContain('TimeoutError');
  expect(writes.join('')).toContain('"status":500');
});
