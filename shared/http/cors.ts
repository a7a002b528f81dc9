/**
 * The browser (CORS) rules of the HTTP API and of the media bucket, in one place: the CDK stacks configure
 * API Gateway and S3 from them, and the local server and s3rver apply the same rules on a laptop.
 */

/** Methods a page may call the API with (API Gateway answers the preflight itself). */
export const API_CORS_METHODS = ['GET', 'POST', 'PATCH', 'DELETE'] as const;
/** Request headers a page may send beyond the CORS-safelisted ones. */
export const API_CORS_ALLOW_HEADERS = [
  'authorization',
  'content-type',
  'idempotency-key',
  'if-match',
  'if-none-match',
];
/** Response headers a page may read: ETag for If-None-Match and If-Match, Location of created resources, Retry-After. */
export const API_CORS_EXPOSE_HEADERS = ['etag', 'location', 'retry-after', 'x-correlation-id'];
export const CORS_MAX_AGE_SECONDS = 3600;

/** The media bucket's rule: players GET/HEAD presigned objects, pages POST presigned uploads. */
export const MEDIA_CORS = {
  allowedMethods: ['GET', 'HEAD', 'POST'] as const,
  allowedHeaders: ['*'],
  exposedHeaders: ['ETag'],
  maxAgeSeconds: CORS_MAX_AGE_SECONDS,
};

/** What `npm start` allows: a developer's front-end on localhost or 127.0.0.1, on any port. */
export const LOCAL_CORS_ORIGINS = ['http://localhost:*', 'http://127.0.0.1:*'];

/**
 * Whether `origin` is one of `allowed`. An entry is an exact origin, `*`, or holds one `*` that matches any
 * run of characters (S3's rule for AllowedOrigin, e.g. `http://localhost:*`).
 */
export function allowOrigin(origin: string | undefined, allowed: readonly string[]): boolean {
  if (!origin) return false;
  return allowed.some((entry) => {
    const star = entry.indexOf('*');
    if (star < 0) return entry === origin;
    const head = entry.slice(0, star);
    const tail = entry.slice(star + 1);
    return origin.length >= head.length + tail.length && origin.startsWith(head) && origin.endsWith(tail);
  });
}

type Headers = Record<string, string>;

/**
 * The answer to a preflight (OPTIONS with Access-Control-Request-Method), as API Gateway gives it: 204,
 * with CORS headers only when origin, method and every requested header are allowed, so that the browser
 * refuses anything else.
 */
export function preflightHeaders(
  request: { origin?: string; method?: string; headers?: string },
  allowedOrigins: readonly string[],
): Headers {
  const requested = (request.headers ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  const ok =
    allowOrigin(request.origin, allowedOrigins) &&
    (API_CORS_METHODS as readonly string[]).includes((request.method ?? '').toUpperCase()) &&
    requested.every((h) => API_CORS_ALLOW_HEADERS.includes(h));
  if (!ok) return { vary: 'origin' };
  return {
    'access-control-allow-origin': request.origin as string,
    'access-control-allow-methods': API_CORS_METHODS.join(','),
    'access-control-allow-headers': API_CORS_ALLOW_HEADERS.join(','),
    'access-control-max-age': String(CORS_MAX_AGE_SECONDS),
    vary: 'origin',
  };
}

/** Headers every other response carries for a page of an allowed origin (problems and 304s included). */
export function responseCorsHeaders(origin: string | undefined, allowedOrigins: readonly string[]): Headers {
  if (!allowOrigin(origin, allowedOrigins)) return { vary: 'origin' };
  return {
    'access-control-allow-origin': origin as string,
    'access-control-expose-headers': API_CORS_EXPOSE_HEADERS.join(','),
    vary: 'origin',
  };
}
