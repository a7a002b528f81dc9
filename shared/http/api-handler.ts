import middy from '@middy/core';
import httpRouterHandler, { type Method } from '@middy/http-router';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { loggableError } from '../db/errors.ts';
import { withCorrelationId } from '../observability/correlation.ts';
import { apiRequestMetric } from '../observability/metrics.ts';
import { annotateTrace, tracingMiddleware } from '../observability/tracing.ts';
import { getContext } from '../runtime/context.ts';
import { auditNotes, outcomeOf } from './endpoint.ts';
import { problem, problemResponse, toProblemResponse } from './problem.ts';
import { guardRequest } from './request-guard.ts';
import type { HttpResult } from './responses.ts';
import { API_ROUTES, redactPath } from './routes.ts';

export interface RouteHandler {
  method: string;
  path: string;
  handler: (event: APIGatewayProxyEventV2, context: Context) => Promise<HttpResult>;
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
};

const ROUTE_KEYS = new Set(API_ROUTES.map((r) => `${r.method} ${r.path}`));

/** API Gateway's request id: the x-correlation-id of the response and the key of every log line. */
const correlationIdOf = (event: APIGatewayProxyEventV2, context?: Context) =>
  event.requestContext?.requestId ?? context?.awsRequestId ?? 'unknown';

/**
 * The middy chain of every API function: trace the request (X-Ray, annotated with its correlation id, user
 * and job), refuse what no route may see (oversized, too deep, text the database cannot store; see
 * request-guard.ts), route, map every error to problem+json in one place, log one line per request with
 * its correlation id (the HLS token redacted from the path), count it by route and status class, and write
 * the audit entry (a log line the audit writer stores later, see shared/audit/line.ts). The correlation id
 * stays with whatever the request starts (see correlation.ts).
 */
export function apiHandler(routes: RouteHandler[]) {
  const router = httpRouterHandler({
    routes: routes.map((r) => ({ method: r.method as Method, path: r.path, handler: r.handler })),
    notFoundResponse: ({ method, path }) => {
      return problemResponse(problem(404, 'not-found', `There is no route ${method} ${path}.`)) as never;
    },
  });
  const traced = tracingMiddleware<APIGatewayProxyEventV2, HttpResult>();
  const handler = middy<APIGatewayProxyEventV2, HttpResult>()
    .use(traced ? [traced] : [])
    .use({
      before: async (request) => {
        const correlationId = correlationIdOf(request.event, request.context);
        annotateTrace({ correlationId });
        guardRequest(request.event);
        // A Lambda environment serves one request at a time, so every line the request logs can carry
        // its id; the local server's shared logger serves many at once and keeps it to the request line.
        if (process.env.AWS_LAMBDA_FUNCTION_NAME)
          (await getContext().catch(() => undefined))?.logger.appendKeys({ correlationId });
      },
      after: async (request) => finish(request.event, request.response ?? { statusCode: 200 }),
      onError: async (request) => {
        const correlationId = correlationIdOf(request.event, request.context);
        const instance = redactPath(request.event.rawPath ?? '');
        const ctx = await getContext().catch(() => undefined);
        const status = (request.error as { statusCode?: number } | null)?.statusCode;
        if (status && status < 500 && !(request.error as { status?: number }).status) {
          request.response = problemResponse(
            problem(status, 'http-error', request.error?.message ?? 'Bad request'),
          );
        } else {
          request.response = toProblemResponse(request.error, correlationId, instance);
        }
        if ((request.response.statusCode ?? 500) >= 500) {
          ctx?.logger.error('request failed', { correlationId, error: loggableError(request.error) });
        }
        await finish(request.event, request.response);
      },
    })
    .handler(router as unknown as (e: APIGatewayProxyEventV2, c: Context) => Promise<HttpResult>);
  return (event: APIGatewayProxyEventV2, context: Context) =>
    withCorrelationId(correlationIdOf(event, context), () => handler(event, context));
}

async function finish(event: APIGatewayProxyEventV2, response: HttpResult): Promise<void> {
  response.headers = { ...SECURITY_HEADERS, ...(response.headers ?? {}) };
  const status = response.statusCode ?? 200;
  apiRequestMetric(ROUTE_KEYS.has(event.routeKey) ? event.routeKey : 'unmatched', status);
  const ctx = await getContext().catch(() => undefined);
  if (!ctx) return;
  const correlationId = correlationIdOf(event);
  response.headers['x-correlation-id'] = correlationId;
  ctx.logger.info('request', {
    correlationId,
    method: event.requestContext?.http?.method,
    path: redactPath(event.rawPath ?? ''),
    status,
  });
  ctx.logger.removeKeys(['correlationId']);
  const note = auditNotes.get(event);
  if (!note) return;
  annotateTrace({
    userId: note.userId,
    jobId: note.resourceType === 'job' ? note.resourceIds.at(-1) : undefined,
  });
  try {
    ctx.audit.record({
      userId: note.userId,
      ...(note.apiKeyId ? { apiKeyId: note.apiKeyId } : {}),
      action: note.action,
      resourceType: note.resourceType,
      resourceIds: note.resourceIds,
      outcome: outcomeOf(status),
      status,
      correlationId,
      at: new Date().toISOString(),
    });
  } catch (error) {
    ctx.logger.warn('audit write failed', { correlationId, error: (error as Error).message });
  }
}
