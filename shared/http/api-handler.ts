import httpRouterHandler, { type Method } from '@middy/http-router';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { loggableError } from '../db/errors.ts';
import { withCorrelationId } from '../observability/correlation.ts';
import { flushStdoutLines, gatherStdoutLines } from '../observability/stdout-lines.ts';
import {
  annotateTrace,
  beginInvocation,
  tracingMiddleware,
  tracingPossible,
} from '../observability/tracing.ts';
import { type AppContext, getContext } from '../runtime/context.ts';
import { auditNotes, recordAudit } from './endpoint.ts';
import { problem, problemResponse, toProblemResponse } from './problem.ts';
import { guardRequest } from './request-guard.ts';
import { answerHeaders, correlationIdOf, logRequest } from './request-log.ts';
import type { HttpResult } from './responses.ts';
import { redactPath } from './routes.ts';

export interface RouteHandler {
  method: string;
  path: string;
  handler: (event: APIGatewayProxyEventV2, context: Context) => Promise<HttpResult>;
}

const CORRELATION_KEY = ['correlationId'];

/** Whether requests may be traced at all (annotations cost nothing to skip otherwise). */
const tracing = tracingPossible();

/** A Lambda invocation ends this long before its deadline with a 500 of our own (as middy's default did). */
const TIMEOUT_EARLY_MS = 5;

/** The application context, or undefined when it cannot be built (no log line or audit entry then). */
function contextOrNothing(): Promise<AppContext | undefined> | undefined {
  try {
    return getContext().catch(() => undefined);
  } catch {
    return undefined;
  }
}

/** What Powertools' tracing middleware reads and writes (it keeps its segments in `internal`). */
interface TracedRequest {
  event: APIGatewayProxyEventV2;
  context: Context;
  response: HttpResult | undefined;
  error: unknown;
  internal: Record<string, unknown>;
}

/**
 * The handler of every API function: trace the request (X-Ray, annotated with its correlation id, user
 * and job), refuse what no route may see (oversized, too deep, text the database cannot store; see
 * request-guard.ts), route, map every error to problem+json in one place, log one line per request with
 * its correlation id (the HLS token redacted from the path), count it by route and status class, and write
 * the audit entry (a log line the audit writer stores later, see shared/audit/line.ts); those three lines
 * leave in one write. The correlation id stays with whatever the request starts (see correlation.ts).
 *
 * A plain function rather than a middy chain: the route comes from the route key (API Gateway's, or the one
 * the local server matched), and only an event without the route's path parameters (one built by hand, as
 * in tests) goes through middy's router, which fills them in.
 */
export function apiHandler(routes: RouteHandler[]) {
  const router = httpRouterHandler({
    routes: routes.map((r) => ({ method: r.method as Method, path: r.path, handler: r.handler })),
    notFoundResponse: ({ method, path }) => {
      return problemResponse(problem(404, 'not-found', `There is no route ${method} ${path}.`)) as never;
    },
  }) as unknown as RouteHandler['handler'];
  const byRouteKey = new Map(
    routes.map((r) => [`${r.method} ${r.path}`, { handler: r.handler, hasParams: r.path.includes('{') }]),
  );
  const route = (event: APIGatewayProxyEventV2, context: Context): Promise<HttpResult> => {
    const known = byRouteKey.get(event.routeKey);
    if (known && (!known.hasParams || event.pathParameters)) return known.handler(event, context);
    return router(event, context);
  };

  async function serve(event: APIGatewayProxyEventV2, context: Context): Promise<HttpResult> {
    let traced: ReturnType<typeof tracingMiddleware<APIGatewayProxyEventV2, HttpResult>>;
    let request: TracedRequest | undefined;
    let ctx: AppContext | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      if (tracing) {
        await beginInvocation();
        traced = tracingMiddleware<APIGatewayProxyEventV2, HttpResult>();
        if (traced) request = { event, context, response: undefined, error: undefined, internal: {} };
      }
      if (request) await traced?.before?.(request as never);
      const correlationId = correlationIdOf(event, context);
      if (tracing) annotateTrace({ correlationId });
      guardRequest(event);
      // Without a context the request is answered all the same (the route's own getContext call fails
      // it), without a log line.
      ctx = await contextOrNothing();
      // A Lambda environment serves one request at a time, so every line the request logs can carry
      // its id; the local server's shared logger serves many at once and keeps it to the request line.
      if (process.env.AWS_LAMBDA_FUNCTION_NAME) ctx?.logger.appendKeys({ correlationId });
      let response: HttpResult;
      if (context?.getRemainingTimeInMillis) {
        // Just before Lambda would stop the invocation without an answer, a TimeoutError (a logged and
        // audited 500) ends it, as middy's default did.
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new TimeoutError()),
            context.getRemainingTimeInMillis() - TIMEOUT_EARLY_MS,
          );
        });
        response = await Promise.race([route(event, context), timeout]);
        clearTimeout(timer);
      } else {
        response = await route(event, context);
      }
      finish(event, response ?? { statusCode: 200 }, ctx ?? (await contextOrNothing()));
      if (request) {
        request.response = response;
        await traced?.after?.(request as never);
      }
      return response;
    } catch (error) {
      clearTimeout(timer);
      const correlationId = correlationIdOf(event, context);
      const instance = redactPath(event.rawPath ?? '');
      ctx ??= await contextOrNothing();
      const status = (error as { statusCode?: number } | null)?.statusCode;
      const response =
        status && status < 500 && !(error as { status?: number }).status
          ? problemResponse(problem(status, 'http-error', (error as Error | null)?.message ?? 'Bad request'))
          : toProblemResponse(error, correlationId, instance);
      if ((response.statusCode ?? 500) >= 500) {
        ctx?.logger.error('request failed', { correlationId, error: loggableError(error) });
      }
      finish(event, response, ctx);
      if (request) {
        request.error = error;
        request.response = response;
        await traced?.onError?.(request as never);
      }
      return response;
    }
  }

  return (event: APIGatewayProxyEventV2, context: Context) =>
    withCorrelationId(correlationIdOf(event, context), () => serve(event, context));
}

class TimeoutError extends Error {
  constructor() {
    super('[AbortError]: The operation was aborted.');
    this.name = 'TimeoutError';
  }
}

/** The request's headers, metric, log line and audit entry; the three lines leave in one write. */
function finish(event: APIGatewayProxyEventV2, response: HttpResult, ctx: AppContext | undefined): void {
  const correlationId = correlationIdOf(event);
  response.headers = answerHeaders(response.headers, ctx ? correlationId : undefined);
  const status = response.statusCode ?? 200;
  const gathering = gatherStdoutLines();
  try {
    logRequest(ctx, event, { routeKey: event.routeKey, status });
    if (!ctx) return;
    ctx.logger.removeKeys(CORRELATION_KEY);
    const note = auditNotes.get(event);
    if (!note) return;
    if (tracing)
      annotateTrace({
        userId: note.userId,
        jobId: note.resourceType === 'job' ? note.resourceIds.at(-1) : undefined,
      });
    recordAudit(ctx, note, status, correlationId);
  } finally {
    if (gathering) flushStdoutLines();
  }
}
