import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { ResponseSink, StreamSettings } from '#functions/api/events.ts';
import { loggableError } from '#shared/db/errors.ts';
import { DomainError } from '#shared/errors.ts';
import { LOCAL_CORS_ORIGINS, preflightHeaders, responseCorsHeaders } from '#shared/http/cors.ts';
import { problem, toProblemResponse } from '#shared/http/problem.ts';
import { type ApiFunctionName, matchRoute, redactPath } from '#shared/http/routes.ts';
import { lambdaContext, readBody, requestUrl, toApiGatewayEvent, writeResult } from './api-gateway-event.ts';
import { serveConsole } from './static-site.ts';

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

/** The API functions, loaded after the local composition root is installed. */
async function loadHandlers(): Promise<Record<Exclude<ApiFunctionName, 'events'>, Handler>> {
  const [auth, me, keys, projects, clips, uploads, jobs, templates, webhooks, system] = await Promise.all([
    import('#functions/api/auth.ts'),
    import('#functions/api/me.ts'),
    import('#functions/api/keys.ts'),
    import('#functions/api/projects.ts'),
    import('#functions/api/clips.ts'),
    import('#functions/api/uploads.ts'),
    import('#functions/api/jobs.ts'),
    import('#functions/api/templates.ts'),
    import('#functions/api/webhooks.ts'),
    import('#functions/api/system.ts'),
  ]);
  const h = (m: { handler: unknown }) => m.handler as Handler;
  return {
    auth: h(auth),
    me: h(me),
    keys: h(keys),
    projects: h(projects),
    clips: h(clips),
    uploads: h(uploads),
    jobs: h(jobs),
    templates: h(templates),
    webhooks: h(webhooks),
    system: h(system),
  };
}

/**
 * One HTTP server standing in for API Gateway: each request becomes an HTTP API (2.0) event for the function
 * that owns the route, exactly as deployed. It answers CORS preflights and adds CORS headers to every
 * response as the deployed API does, for `corsOrigins` (default: localhost and 127.0.0.1 on any port).
 * It also serves the local issuer's JWKS and, given `consoleDir`, the web console at `/`.
 */
export async function startApiServer(options: {
  port: number;
  host?: string;
  jwks: () => { keys: object[] };
  corsOrigins?: readonly string[];
  /** The built web console (console/dist), served for paths outside the API. */
  consoleDir?: string;
  /** Event stream timings (tests shorten the heartbeat). */
  stream?: StreamSettings;
  /**
   * Until this settles the API answers 503 with Retry-After (the embedded environment is still starting;
   * the server must listen first, because its URL is the token issuer the environment is built with).
   */
  readyWhen?: Promise<unknown>;
}): Promise<{ server: Server; url: string; corsOrigins: readonly string[]; close(): Promise<void> }> {
  const handlers = await loadHandlers();
  const { streamRequest } = await import('#functions/api/events.ts');
  const corsOrigins = options.corsOrigins ?? LOCAL_CORS_ORIGINS;
  // Requests still being handled (their client may be gone); close() waits for them, as Lambda would.
  const inFlight = new Set<Promise<unknown>>();
  // Event streams end only when their client leaves: close() ends them itself.
  const streams = new Set<AbortController>();
  let ready = options.readyWhen === undefined;
  options.readyWhen?.then(
    () => {
      ready = true;
    },
    () => undefined,
  );
  const server = createServer((req, res) => {
    const work = handle(req, res).finally(() => inFlight.delete(work));
    inFlight.add(work);
  });
  // Keep idle connections longer than clients do (undici keeps them 4 s unless told), so that a client
  // never reuses a connection the server is closing at that moment: with Node's 5 s default, a busy
  // machine (PGlite and ffmpeg in this process) turned that race into "fetch failed" (socket closed).
  server.keepAliveTimeout = 65_000;
  // Requests Node's parser refuses (a request line or headers over its 16 KiB, malformed HTTP) are
  // answered as problems too, as API Gateway answers them itself.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const detail =
      status === 431
        ? 'The request line and headers must be at most 16 KiB.'
        : 'The request is not valid HTTP.';
    const body = JSON.stringify(
      problem(status, status === 431 ? 'request-too-large' : 'bad-request', detail),
    );
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/problem+json\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  async function handle(req: IncomingMessage, res: ServerResponse) {
    const origin = req.headers.origin;
    const preflightMethod = req.headers['access-control-request-method'];
    if (req.method === 'OPTIONS' && origin && preflightMethod) {
      // API Gateway answers preflights itself, before any route or function.
      const request = {
        origin,
        method: preflightMethod,
        headers: req.headers['access-control-request-headers'],
      };
      res.writeHead(204, preflightHeaders(request, corsOrigins)).end();
      req.resume();
      return;
    }
    // Set before any answer (problems, 304s, the JWKS): writeHead merges them with the result's headers.
    for (const [name, value] of Object.entries(responseCorsHeaders(origin, corsOrigins))) {
      res.setHeader(name, value);
    }
    try {
      const url = requestUrl(req);
      if (url.pathname === '/.well-known/jwks.json') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(options.jwks()));
        return;
      }
      if (!ready) {
        const body = JSON.stringify(
          problem(503, 'service-unavailable', 'The local server is starting; try again in a moment.'),
        );
        res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '1' }).end(body);
        req.resume();
        return;
      }
      if (
        options.consoleDir &&
        !url.pathname.startsWith('/v1/') &&
        (await serveConsole(options.consoleDir, req, res, url.pathname))
      )
        return;
      const method = (req.method ?? 'GET').toUpperCase();
      const match = matchRoute(method, url.pathname);
      const body = await readBody(req);
      const fn = match?.route.fn ?? 'system';
      const routeKey = match ? `${match.route.method} ${match.route.path}` : '$default';
      const event = toApiGatewayEvent(req, body, routeKey);
      if (match) event.pathParameters = match.params;
      if (fn === 'events') {
        // Deployed, a function URL streams these; here the response is written as events arrive.
        await streamRequest(event, socketSink(res, streams), options.stream);
        return;
      }
      writeResult(res, await handlers[fn](event, lambdaContext(`api-${fn}`)));
    } catch (error) {
      // A body over the gateway's limit and a path parameter that is not percent-encoding are refused
      // here, before any function; anything else is a bug of this server, answered without details.
      if (!(error instanceof DomainError)) console.error('local API server:', loggableError(error));
      const result = toProblemResponse(error, randomUUID(), redactPath(req.url?.split('?')[0] ?? '/'));
      if (result.statusCode === 413) {
        // Do not read the rest of an oversized body; close the connection once answered.
        result.headers = { ...result.headers, connection: 'close' };
        req.resume();
      }
      if (!res.headersSent) writeResult(res, result);
      else res.destroy();
    }
  }
  await new Promise<void>((resolve) => server.listen(options.port, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    corsOrigins,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      for (const stream of streams) stream.abort();
      await Promise.all(inFlight);
      // Nothing is being answered now: connections kept alive (by the JWKS fetcher, say) close too.
      server.closeAllConnections();
      await closed;
    },
  };
}

/** A streamed response on the local server's socket; its signal aborts when the client disconnects. */
function socketSink(res: ServerResponse, open: Set<AbortController>): ResponseSink {
  const aborted = new AbortController();
  open.add(aborted);
  res.on('close', () => {
    open.delete(aborted);
    aborted.abort();
  });
  return {
    start: (statusCode, headers) => {
      res.writeHead(statusCode, headers);
      res.flushHeaders();
    },
    write: (text) =>
      new Promise<void>((resolve) => {
        if (res.destroyed || res.write(text)) resolve();
        else res.once('drain', () => resolve());
      }),
    end: () => res.end(),
    signal: aborted.signal,
  };
}
