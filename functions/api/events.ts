import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { API_KEY_CACHE_SECONDS } from '#shared/auth/api-keys.ts';
import type { Caller } from '#shared/auth/port.ts';
import { bearerToken } from '#shared/auth/verifier.ts';
import { loggableError } from '#shared/db/errors.ts';
import { NotFoundError, UnauthorizedError, ValidationError } from '#shared/errors.ts';
import { type EventPosition, parseEventId } from '#shared/events/envelope.ts';
import { streamEvents } from '#shared/events/stream.ts';
import { eventStreamQuery, streamJobParams } from '#shared/events/stream-schema.ts';
import { STREAM_SLOT_RENEW_MS, type StreamSlot } from '#shared/events/stream-slots.ts';
import { authenticate, authenticateCounted } from '#shared/http/authenticate.ts';
import { recordAudit } from '#shared/http/endpoint.ts';
import { toProblemResponse } from '#shared/http/problem.ts';
import { answerHeaders, correlationIdOf, logRequest } from '#shared/http/request-log.ts';
import { matchRoute } from '#shared/http/routes.ts';
import { withCorrelationId } from '#shared/observability/correlation.ts';
import { beginInvocation } from '#shared/observability/tracing.ts';
import { useAwsContext } from '#shared/runtime/aws.ts';
import { type AppContext, getContext } from '#shared/runtime/context.ts';
import { awsEvents } from '#shared/runtime/features/events.ts';
import { zodIssues } from '#shared/schema/issues.ts';

useAwsContext(awsEvents);

/** Where a streamed response goes: the local server's socket or Lambda's response stream. */
export interface ResponseSink {
  start(statusCode: number, headers: Record<string, string>): void;
  write(text: string): Promise<void> | void;
  end(): void;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
}

export interface StreamSettings {
  pollMs?: number;
  heartbeatMs?: number;
  maxDurationMs?: number;
  /** How often an open stream checks its credential again (default: as long as a key check is trusted). */
  credentialCheckMs?: number;
}

/**
 * GET /v1/events and GET /v1/jobs/{jobId}/events: authenticates as every API route does (a bearer token
 * or an API key),
 * then streams Server-Sent Events until the client leaves, the job ends, or the invocation's time is spent.
 * A client resumes with `Last-Event-ID` (or `?lastEventId=`, for clients that cannot set headers).
 * The answer carries the headers every API answer does; its request log line and metric are written when
 * the stream ends, with how long it was open.
 */
export function streamRequest(
  event: APIGatewayProxyEventV2,
  sink: ResponseSink,
  settings: StreamSettings = {},
): Promise<void> {
  const correlationId = correlationIdOf(event);
  return withCorrelationId(correlationId, () => serveStream(event, sink, settings, correlationId));
}

async function serveStream(
  event: APIGatewayProxyEventV2,
  sink: ResponseSink,
  settings: StreamSettings,
  correlationId: string,
): Promise<void> {
  const openedAt = Date.now();
  let ctx: AppContext | undefined;
  let caller: Caller | undefined;
  let routeKey: string | undefined;
  const note = { action: 'event.stream', resourceType: 'event', resourceIds: [] as string[] };
  /** The audit entry of an authenticated caller's stream, opened or refused (as apiHandler writes one). */
  let audited = false;
  const audit = (status: number) => {
    if (!ctx || !caller || audited) return;
    audited = true;
    recordAudit(ctx, { userId: caller.userId, apiKeyId: caller.apiKeyId, ...note }, status, correlationId);
  };
  /** The status the client was sent, once the answer has begun. */
  let sent: number | undefined;
  let slot: StreamSlot | undefined;
  const start = (status: number, headers: Record<string, string>) => {
    sent = status;
    sink.start(status, answerHeaders(headers, correlationId));
  };
  try {
    ctx = await getContext();
    const match = matchRoute('GET', event.rawPath);
    if (!match?.route.stream || event.requestContext.http.method !== 'GET') throw new NotFoundError('stream');
    routeKey = `${match.route.method} ${match.route.path}`;
    // An API key opens a stream as its owner's token does (a stream only reads: any scope will do). Bad
    // tokens are counted: deployed, the stream's function URL has no API Gateway throttling in front of it.
    caller = await authenticateCounted(ctx, event, true);
    const { lastEventId: queryLastId, ...rest } = event.queryStringParameters ?? {};
    const jobId = match.params.jobId;
    if (jobId !== undefined)
      Object.assign(note, { action: 'job.events', resourceType: 'job', resourceIds: [jobId] });
    // A stream only reads: without a users row the caller owns no job and no event.
    ctx.userRows.refuseErased(caller.userId);
    let filter: { jobId?: string; projectId?: string };
    if (jobId !== undefined) {
      const params = streamJobParams.safeParse({ jobId });
      if (!params.success)
        throw new ValidationError(
          'The request path is not valid; see errors.',
          zodIssues(params.error, 'path'),
        );
      await ctx.jobs.get(caller.userId, params.data.jobId);
      filter = { jobId: params.data.jobId };
    } else {
      const query = eventStreamQuery.safeParse(rest);
      if (!query.success)
        throw new ValidationError(
          'The request query is not valid; see errors.',
          zodIssues(query.error, 'query'),
        );
      filter = query.data;
      // Someone else's project or job is 404, as on every other route, not an empty stream.
      if (filter.projectId !== undefined) await ctx.projects.get(caller.userId, filter.projectId);
      if (filter.jobId !== undefined) await ctx.jobs.get(caller.userId, filter.jobId);
      note.resourceIds = [filter.projectId, filter.jobId].filter((id): id is string => id !== undefined);
    }
    const lastId = event.headers['last-event-id'] ?? queryLastId;
    let from: EventPosition;
    if (lastId) {
      const parsed = parseEventId(lastId);
      if (!parsed) {
        throw new ValidationError('Last-Event-ID is not an event id this API sent.', [
          { path: 'header.last-event-id', message: 'must be an id like evt_123_456' },
        ]);
      }
      from = parsed;
    } else {
      // A job's stream replays the job from its start; the account's stream starts now.
      from = jobId !== undefined ? { txId: 0, seq: 0 } : await ctx.outbox.now();
    }
    // Taken last, once the request is known to be good: a refused request holds no slot.
    slot = await ctx.streamSlots.take(caller.userId);
    audit(200);
    start(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    const { credentialCheckMs = API_KEY_CACHE_SECONDS * 1000, ...timings } = settings;
    await streamEvents({
      outbox: ctx.outbox,
      userId: caller.userId,
      filter,
      from,
      endAfterTerminal: jobId !== undefined,
      write: (text) => sink.write(text),
      signal: sink.signal,
      lease: { everyMs: STREAM_SLOT_RENEW_MS, renew: () => (slot as StreamSlot).renew() },
      credential: { everyMs: credentialCheckMs, valid: streamStands(ctx, event, caller.userId, filter) },
      ...timings,
    });
  } catch (error) {
    const result = toProblemResponse(error, correlationId, event.rawPath);
    const status = result.statusCode ?? 500;
    // Once the stream has begun its status is sent: the client sees the stream end (and comes back with
    // Last-Event-ID), and the failure is only logged.
    if (sent !== undefined || status >= 500) {
      ctx?.logger.error('request failed', { correlationId, error: loggableError(error) });
    }
    if (sent === undefined) {
      audit(status);
      start(status, (result.headers ?? {}) as Record<string, string>);
      await sink.write(result.body ?? '');
    }
  }
  await slot?.release().catch((error: unknown) => {
    // The lease runs out by itself; the stream's answer is already complete.
    ctx?.logger.warn('stream slot not released', { correlationId, error: loggableError(error) });
  });
  sink.end();
  logRequest(ctx, event, { routeKey, status: sent ?? 500, durationMs: Date.now() - openedAt });
}

/**
 * Whether the stream may go on: the credential it was opened with still names `userId` (a key revoked or
 * expired, or an account erased, is refused as a new request would be, within the key check's trust
 * window), and the project or job it is filtered by is still there (a deleted project's
 * stream would otherwise stay open, empty, until it expired; reopened, it is a 404).
 */
function streamStands(
  ctx: AppContext,
  event: APIGatewayProxyEventV2,
  userId: string,
  filter: { jobId?: string; projectId?: string },
) {
  return async (): Promise<boolean> => {
    try {
      const again = await authenticate(ctx, event, bearerToken(event.headers?.authorization), true);
      ctx.userRows.refuseErased(again.userId);
      if (again.userId !== userId) return false;
      if (filter.projectId !== undefined) await ctx.projects.get(userId, filter.projectId);
      if (filter.jobId !== undefined) await ctx.jobs.get(userId, filter.jobId);
      return true;
    } catch (error) {
      if (error instanceof UnauthorizedError || error instanceof NotFoundError) return false;
      throw error;
    }
  };
}

type StreamifiedHandler = (
  event: APIGatewayProxyEventV2,
  responseStream: NodeJS.WritableStream,
  context: unknown,
) => Promise<void>;
const awslambda = (globalThis as { awslambda?: unknown }).awslambda as
  | {
      streamifyResponse(handler: StreamifiedHandler): unknown;
      HttpResponseStream: {
        from(
          stream: NodeJS.WritableStream,
          prelude: { statusCode: number; headers: Record<string, string> },
        ): NodeJS.WritableStream;
      };
    }
  | undefined;

/**
 * Deployed behind a function URL in RESPONSE_STREAM mode: Lambda's `awslambda` global turns the handler
 * into one that writes as it goes. Streams end a minute before the function's 15-minute limit.
 */
export const handler =
  typeof awslambda?.streamifyResponse !== 'function'
    ? undefined
    : awslambda.streamifyResponse(async (event, responseStream) => {
        await beginInvocation();
        const aborted = new AbortController();
        let out: NodeJS.WritableStream = responseStream;
        responseStream.on('close', () => aborted.abort());
        responseStream.on('error', () => aborted.abort());
        await streamRequest(
          event,
          {
            start(statusCode, headers) {
              out = (awslambda as NonNullable<typeof awslambda>).HttpResponseStream.from(responseStream, {
                statusCode,
                headers,
              });
            },
            write: (text) =>
              new Promise<void>((resolve) => {
                if (!out.write(text)) out.once('drain', () => resolve());
                else resolve();
              }),
            end: () => out.end(),
            signal: aborted.signal,
          },
          { pollMs: 1_000, maxDurationMs: 14 * 60_000 },
        );
      });
