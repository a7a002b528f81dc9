import middy from '@middy/core';
import httpRouterHandler, { type Method } from '@middy/http-router';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { loggableError } from '../db/errors.ts';
import { getContext } from '../runtime/context.ts';
import { auditNotes, outcomeOf } from './endpoint.ts';
import { problem, problemResponse, toProblemResponse } from './problem.ts';
import { guardRequest } from './request-guard.ts';
import type { HttpResult } from './responses.ts';
import { redactPath } from './routes.ts';

export interface RouteHandler {
  method: string;
  path: string;
  handler: (event: APIGatewayProxyEventV2, context: Context) => Promise<HttpResult>;
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
};

/**
 * The middy chain of every API function: refuse what no route may see (oversized, too deep, text the
 * database cannot store; see request-guard.ts), route, map every error to problem+json in one place, log
 * one line per request with its correlation id (the HLS token redacted from the path), and write the
 * audit entry.
 */
export function apiHandler(routes: RouteHandler[]) {
  const router = httpRouterHandler({
    routes: routes.map((r) => ({ method: r.method as Method, path: r.path, handler: r.handler })),
    notFoundResponse: ({ method, path }) => {
      return problemResponse(problem(404, 'not-found', `There is no route ${method} ${path}.`)) as never;
    },
  });
  return middy<APIGatewayProxyEventV2, HttpResult>()
    .use({
      before: async (request) => guardRequest(request.event),
      after: async (request) => finish(request.event, request.response ?? { statusCode: 200 }),
      onError: async (request) => {
        const correlationId = request.event.requestContext?.requestId ?? request.context.awsRequestId;
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
}

async function finish(event: APIGatewayProxyEventV2, response: HttpResult): Promise<void> {
  response.headers = { ...SECURITY_HEADERS, ...(response.headers ?? {}) };
  const ctx = await getContext().catch(() => undefined);
  if (!ctx) return;
  const status = response.statusCode ?? 200;
  const correlationId = event.requestContext?.requestId ?? 'unknown';
  response.headers['x-correlation-id'] = correlationId;
  ctx.logger.info('request', {
    correlationId,
    method: event.requestContext?.http?.method,
    path: redactPath(event.rawPath ?? ''),
    status,
  });
  const note = auditNotes.get(event);
  if (!note) return;
  try {
    await ctx.audit.record({
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
