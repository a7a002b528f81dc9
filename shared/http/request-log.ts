import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { apiRequestMetric } from '../observability/metrics.ts';
import { flushStdoutLines, gatherStdoutLines } from '../observability/stdout-lines.ts';
import type { AppContext } from '../runtime/context.ts';
import { API_ROUTES, redactPath } from './routes.ts';

/** Headers on every API answer, buffered or streamed. */
export const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
} as const;

const ROUTE_KEYS = new Set(API_ROUTES.map((r) => `${r.method} ${r.path}`));

/**
 * The request id API Gateway (or the function URL) gave the request: the answer's x-correlation-id and the
 * key of every log line.
 */
export const correlationIdOf = (event: APIGatewayProxyEventV2, context?: Context): string =>
  event.requestContext?.requestId ?? context?.awsRequestId ?? 'unknown';

/** An answer's headers under the security headers and, when given, with its correlation id. */
export function answerHeaders<V>(
  headers: Record<string, V> | undefined,
  correlationId?: string,
): Record<string, V | string> {
  return {
    ...SECURITY_HEADERS,
    ...(headers ?? {}),
    ...(correlationId === undefined ? {} : { 'x-correlation-id': correlationId }),
  };
}

export interface RequestOutcome {
  /** The route the request matched (`GET /v1/events`); anything else counts as unmatched. */
  routeKey: string | undefined;
  status: number;
  /** How long a streamed answer stayed open. */
  durationMs?: number;
}

/**
 * Counts a request by route and status class and, given a context, writes its log line (the HLS token
 * redacted from the path). Both leave in one write, with any line the caller gathers around them.
 */
export function logRequest(
  ctx: AppContext | undefined,
  event: APIGatewayProxyEventV2,
  outcome: RequestOutcome,
): void {
  const gathering = gatherStdoutLines();
  try {
    const { routeKey, status, durationMs } = outcome;
    apiRequestMetric(routeKey && ROUTE_KEYS.has(routeKey) ? routeKey : 'unmatched', status);
    ctx?.logger.info('request', {
      correlationId: correlationIdOf(event),
      method: event.requestContext?.http?.method,
      path: redactPath(event.rawPath ?? ''),
      status,
      ...(durationMs === undefined ? {} : { durationMs }),
    });
  } finally {
    if (gathering) flushStdoutLines();
  }
}
