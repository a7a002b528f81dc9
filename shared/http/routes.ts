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
  | 'system';
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface ApiRoute {
  method: HttpMethod;
  /** API Gateway path template, `{name}` for a path parameter. */
  path: string;
  fn: ApiFunctionName;
  auth: boolean;
}

const route = (method: HttpMethod, path: string, fn: ApiFunctionName, auth = true): ApiRoute => ({
  method,
  path,
  fn,
  auth,
});

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
  route('GET', '/v1/models', 'system'),
  route('GET', '/v1/health', 'system', false),
  route('GET', '/v1/openapi.json', 'system', false),
];

export const API_FUNCTIONS: readonly ApiFunctionName[] = [...new Set(API_ROUTES.map((r) => r.fn))];

export function routesOf(fn: ApiFunctionName): ApiRoute[] {
  return API_ROUTES.filter((r) => r.fn === fn);
}

/** Finds the route for a concrete method and path, filling the path parameters. */
export function matchRoute(
  method: string,
  path: string,
): { route: ApiRoute; params: Record<string, string> } | undefined {
  const clean = path.length > 1 ? path.replace(/\/$/, '') : path;
  for (const r of API_ROUTES) {
    if (r.method !== method) continue;
    const names: string[] = [];
    const pattern = r.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    const match = new RegExp(`^${pattern}$`).exec(clean);
    if (!match) continue;
    const params: Record<string, string> = {};
    names.forEach((name, i) => {
      params[name] = decodeURIComponent(match[i + 1] ?? '');
    });
    return { route: r, params };
  }
  return undefined;
}
