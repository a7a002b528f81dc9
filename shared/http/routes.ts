import { ValidationError } from '../errors.ts';

/**
 * Every HTTP route, the API function that serves it and whether it needs a bearer token. The CDK stack,
 * the local server and the OpenAPI coverage test all read this table, so a route exists in one place.
 */
export type ApiFunctionName =
  | 'auth'
  | 'me'
  | 'projects'
  | 'clips'
  | 'uploads'
  | 'jobs'
  | 'templates'
  | 'webhooks'
  | 'events'
  | 'system';
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface ApiRoute {
  method: HttpMethod;
  /** API Gateway path template, `{name}` for a path parameter. */
  path: string;
  fn: ApiFunctionName;
  auth: boolean;
  /**
   * A Server-Sent Events stream. API Gateway HTTP APIs buffer responses, so deployed these are served by a
   * Lambda function URL with response streaming instead (see infra/stacks/stateless.ts).
   */
  stream?: true;
}

const route = (method: HttpMethod, path: string, fn: ApiFunctionName, auth = true): ApiRoute => ({
  method,
  path,
  fn,
  auth,
});
const stream = (path: string): ApiRoute => ({ method: 'GET', path, fn: 'events', auth: true, stream: true });

export const API_ROUTES: readonly ApiRoute[] = [
  route('POST', '/v1/auth/signup', 'auth', false),
  route('POST', '/v1/auth/confirm', 'auth', false),
  route('POST', '/v1/auth/login', 'auth', false),
  route('POST', '/v1/auth/refresh', 'auth', false),
  route('GET', '/v1/me', 'me'),
  route('PATCH', '/v1/me', 'me'),
  route('GET', '/v1/projects', 'projects'),
  route('POST', '/v1/projects', 'projects'),
  route('GET', '/v1/projects/{projectId}', 'projects'),
  route('PATCH', '/v1/projects/{projectId}', 'projects'),
  route('DELETE', '/v1/projects/{projectId}', 'projects'),
  route('GET', '/v1/projects/{projectId}/clips', 'clips'),
  route('GET', '/v1/clips/{clipId}', 'clips'),
  route('PATCH', '/v1/clips/{clipId}', 'clips'),
  route('DELETE', '/v1/clips/{clipId}', 'clips'),
  // The link carries its own signed, expiring token (players cannot send a bearer token).
  route('GET', '/v1/media/hls/{token}/{file}', 'clips', false),
  route('POST', '/v1/projects/{projectId}/uploads', 'uploads'),
  route('GET', '/v1/projects/{projectId}/jobs', 'jobs'),
  route('POST', '/v1/projects/{projectId}/jobs', 'jobs'),
  route('GET', '/v1/jobs/{jobId}', 'jobs'),
  route('POST', '/v1/jobs/{jobId}/cancel', 'jobs'),
  route('GET', '/v1/templates', 'templates'),
  route('POST', '/v1/templates', 'templates'),
  route('GET', '/v1/templates/{templateId}', 'templates'),
  route('PATCH', '/v1/templates/{templateId}', 'templates'),
  route('DELETE', '/v1/templates/{templateId}', 'templates'),
  route('GET', '/v1/webhooks', 'webhooks'),
  route('POST', '/v1/webhooks', 'webhooks'),
  route('GET', '/v1/webhooks/{webhookId}', 'webhooks'),
  route('PATCH', '/v1/webhooks/{webhookId}', 'webhooks'),
  route('DELETE', '/v1/webhooks/{webhookId}', 'webhooks'),
  route('POST', '/v1/webhooks/{webhookId}/rotate-secret', 'webhooks'),
  route('POST', '/v1/webhooks/{webhookId}/test', 'webhooks'),
  route('GET', '/v1/webhooks/{webhookId}/deliveries', 'webhooks'),
  route('POST', '/v1/webhooks/{webhookId}/deliveries/{deliveryId}/retry', 'webhooks'),
  stream('/v1/events'),
  stream('/v1/jobs/{jobId}/events'),
  route('GET', '/v1/models', 'system'),
  route('GET', '/v1/health', 'system', false),
  route('GET', '/v1/openapi.json', 'system', false),
];

export const API_FUNCTIONS: readonly ApiFunctionName[] = [...new Set(API_ROUTES.map((r) => r.fn))];

export function routesOf(fn: ApiFunctionName): ApiRoute[] {
  return API_ROUTES.filter((r) => r.fn === fn);
}

/** Path parameters that are credentials: never logged nor audited as they came. */
export const SECRET_PATH_PARAMS: ReadonlySet<string> = new Set(['token']);

const compiled = API_ROUTES.map((r) => {
  const names: string[] = [];
  const pattern = r.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { route: r, names, regex: new RegExp(`^${pattern}$`) };
});

/**
 * Finds the route for a concrete method and path, filling the (percent-decoded) path parameters. A
 * parameter that is not valid percent-encoding is a 400 naming it.
 */
export function matchRoute(
  method: string,
  path: string,
): { route: ApiRoute; params: Record<string, string> } | undefined {
  const clean = path.length > 1 ? path.replace(/\/$/, '') : path;
  for (const { route: r, names, regex } of compiled) {
    if (r.method !== method) continue;
    const match = regex.exec(clean);
    if (!match) continue;
    const params: Record<string, string> = {};
    names.forEach((name, i) => {
      params[name] = decodePathSegment(name, match[i + 1] ?? '');
    });
    return { route: r, params };
  }
  return undefined;
}

function decodePathSegment(name: string, raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new ValidationError('The path is not valid percent-encoding.', [
      { path: `path.${name}`, message: 'malformed percent-encoding' },
    ]);
  }
}

/** The path with every secret parameter (the HLS token) replaced by its `{name}`, for logs. */
export function redactPath(path: string): string {
  const clean = path.length > 1 ? path.replace(/\/$/, '') : path;
  for (const { route, names, regex } of compiled) {
    if (!names.some((n) => SECRET_PATH_PARAMS.has(n))) continue;
    const match = regex.exec(clean);
    if (!match) continue;
    let i = 0;
    return route.path.replace(/\{([^}]+)\}/g, (placeholder, name: string) => {
      i += 1;
      return SECRET_PATH_PARAMS.has(name) ? placeholder : (match[i] ?? '');
    });
  }
  return path;
}
