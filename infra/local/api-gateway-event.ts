/**
 * Turns a Node HTTP request into the event API Gateway HTTP API (payload format 2.0) gives a Lambda
 * function, and the function's result back into an HTTP response, the way API Gateway does.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { ContentTooLargeError } from '#shared/http/problem.ts';
import { utf8OrUndefined } from '#shared/http/utf8.ts';

const TEXT_TYPES = /^(application\/(json|problem\+json|x-www-form-urlencoded|xml)|text\/)/i;

/** API Gateway HTTP API's payload limit: a larger request is answered 413 before any function runs. */
export const GATEWAY_PAYLOAD_LIMIT = 10 * 1024 * 1024;

const NO_BODY = Buffer.alloc(0);

/**
 * Reads the request body; more than `limitBytes` (declared or sent) is a 413, without buffering it. A request
 * with neither Content-Length nor Transfer-Encoding has no body (RFC 9112, 6.3), and a GET rarely has one:
 * it is answered without waiting on the stream (Node discards what is left of a request once it answers).
 */
export async function readBody(req: IncomingMessage, limitBytes = GATEWAY_PAYLOAD_LIMIT): Promise<Buffer> {
  const length = req.headers['content-length'];
  if (length === undefined && req.headers['transfer-encoding'] === undefined) return NO_BODY;
  const declared = Number(length ?? 0);
  if (declared > limitBytes) throw new ContentTooLargeError(limitBytes);
  if (declared === 0 && req.headers['transfer-encoding'] === undefined) return NO_BODY;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) throw new ContentTooLargeError(limitBytes);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The request's URL; a target such as `//host/path` stays a path, as it does at API Gateway. */
export function requestUrl(req: IncomingMessage): URL {
  const target = req.url?.startsWith('/') ? req.url : `/${req.url ?? ''}`;
  return new URL(`http://localhost${target}`);
}

export function toApiGatewayEvent(
  req: IncomingMessage,
  body: Buffer,
  routeKey: string,
): APIGatewayProxyEventV2 {
  const url = requestUrl(req);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name === 'cookie') continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  // Collected in a Map: on a plain object, `__proto__` would be dropped and `constructor` or `toString`
  // found already there (inherited); API Gateway keeps every name as its own parameter.
  const params = new Map<string, string>();
  for (const [name, value] of url.searchParams) {
    const earlier = params.get(name);
    params.set(name, earlier === undefined ? value : `${earlier},${value}`);
  }
  const query: Record<string, string> = Object.fromEntries(params);
  const contentType = headers['content-type'] ?? '';
  // A text body whose bytes are not UTF-8 is handed over as its bytes, base64-encoded, so the route reads
  // them strictly and answers 400 rather than storing U+FFFD where they were.
  const text = body.length && TEXT_TYPES.test(contentType) ? utf8OrUndefined(body) : undefined;
  const isText = body.length === 0 || text !== undefined;
  const now = new Date();
  const cookies = req.headers.cookie?.split(/;\s*/).filter(Boolean);
  // API Gateway adds this header; the local server speaks plain HTTP.
  headers['x-forwarded-proto'] ??= 'http';
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(cookies?.length ? { cookies } : {}),
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: (req.method ?? 'GET').toUpperCase(),
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length ? { body: text ?? body.toString('base64') } : {}),
    isBase64Encoded: !isText,
  };
}

export function lambdaContext(functionName: string, timeoutMs = 30_000): Context {
  const deadline = Date.now() + timeoutMs;
  const requestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Writes a Lambda result to the response as API Gateway would (a bare value becomes a JSON 200). */
export function writeResult(res: ServerResponse, result: unknown): void {
  const structured =
    typeof result === 'object' && result !== null && 'statusCode' in result
      ? (result as APIGatewayProxyStructuredResultV2)
      : {
          statusCode: 200,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(result ?? null),
        };
  const headers: Record<string, string | number | boolean | string[]> = { ...(structured.headers ?? {}) };
  if (structured.cookies?.length) headers['set-cookie'] = structured.cookies;
  const status = structured.statusCode ?? 200;
  const body = structured.body ?? '';
  const payload = structured.isBase64Encoded ? Buffer.from(body, 'base64') : body;
  // API Gateway sends a function's response whole, with its length; without one Node would send it in
  // chunks (framing written around the body on every response).
  if (status >= 200 && status !== 204 && status !== 304 && headers['content-length'] === undefined)
    headers['content-length'] = Buffer.byteLength(payload);
  res.writeHead(status, headers as Record<string, string | string[]>);
  res.end(payload);
}
