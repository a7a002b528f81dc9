import { ValidationError } from '../errors.ts';

/**
 * Every HTTP route, the API function that serves it and whether it needs a bearer token. The CDK stack,
 * the local server and the OpenAPI coverage test all read this table, so a route exists in one place.
 */
export type ApiFunctionName =
  | 'auth'
  | 'me'
  | 'keys'
  | 'projects'
  | 'clips'
  | 'uploads'
  | 'jobs'
  | 'templates'
  | 'webhooks'
  | 'events'
  | 'system';
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** 4xx statuses a route may answer besides the ones its shape implies (see `errorStatuses` in openapi.ts). */
export type ErrorStatus = 403 | 409 | 413 | 429;

export interface ApiRoute {
  method: HttpMethod;
  /** API Gateway path template, `{name}` for a path parameter. */
  path: string;
  fn: ApiFunctionName;
  auth: boolean;
  /** The OpenAPI operation id: a verb then the resource, unique (`createJob`, `getClip`, `listProjects`). */
  operationId: string;
  /**
   * Problems this route answers beyond those that follow from its shape (400 for any input, 401 with auth,
   * 404 with path parameters, 413/415 with a body): a tier rule (403), a conflict (409), the storage quota
   * (413), a rate limit (429; the deployed stage throttles every route, so a route with no other problem
   * declares that one).
   */
  errors: readonly ErrorStatus[];
  /**
   * A write of one resource whose GET answers an ETag: it honours If-Match, answering 412 when the tag is not
   * the resource's current one (see shared/http/if-match.ts).
   */
  ifMatch?: true;
  /**
   * A Server-Sent Events stream. API Gateway HTTP APIs buffer responses, so deployed these are served by a
   * Lambda function URL with response streaming instead (see infra/stacks/stateless.ts).
   */
  stream?: true;
}

const route = (
  method: HttpMethod,
  path: string,
  fn: ApiFunctionName,
  operationId: string,
  options: { auth?: boolean; errors?: ErrorStatus[]; ifMatch?: true } = {},
): ApiRoute => ({
  method,
  path,
  fn,
  auth: options.auth ?? true,
  operationId,
  errors: options.errors ?? [],
  ...(options.ifMatch ? { ifMatch: true } : {}),
});
const stream = (path: string, operationId: string): ApiRoute => ({
  method: 'GET',
  path,
  fn: 'events',
  auth: true,
  operationId,
  // Past the user's open streams (10), or after a run of refused tokens from the address.
  errors: [429],
  stream: true,
});

const open = { auth: false } as const;
const ifMatch = { ifMatch: true } as const;

export const API_ROUTES: readonly ApiRoute[] = [
  route('POST', '/v1/auth/signup', 'auth', 'signUp', { ...open, errors: [409, 429] }),
  route('POST', '/v1/auth/confirm', 'auth', 'confirmSignUp', { ...open, errors: [429] }),
  route('POST', '/v1/auth/login', 'auth', 'logIn', { ...open, errors: [429] }),
  route('POST', '/v1/auth/refresh', 'auth', 'refreshTokens', { ...open, errors: [429] }),
  route('GET', '/v1/me', 'me', 'getMe'),
  route('PATCH', '/v1/me', 'me', 'updateMe', { ...ifMatch, errors: [409] }),
  route('DELETE', '/v1/me', 'me', 'deleteAccount', { errors: [403, 429] }),
  route('GET', '/v1/me/usage', 'me', 'getUsage'),
  route('POST', '/v1/me/export', 'me', 'createExport', { errors: [409, 429] }),
  route('GET', '/v1/me/exports/{exportId}', 'me', 'getExport'),
  route('POST', '/v1/api-keys', 'keys', 'createApiKey', { errors: [403, 409] }),
  route('GET', '/v1/api-keys', 'keys', 'listApiKeys', { errors: [403] }),
  route('DELETE', '/v1/api-keys/{keyId}', 'keys', 'deleteApiKey', { errors: [403] }),
  route('GET', '/v1/projects', 'projects', 'listProjects'),
  route('POST', '/v1/projects', 'projects', 'createProject', { errors: [409] }),
  route('GET', '/v1/projects/{projectId}', 'projects', 'getProject'),
  route('PATCH', '/v1/projects/{projectId}', 'projects', 'updateProject', ifMatch),
  route('DELETE', '/v1/projects/{projectId}', 'projects', 'deleteProject', ifMatch),
  route('GET', '/v1/projects/{projectId}/clips', 'clips', 'listClips'),
  route('GET', '/v1/clips/{clipId}', 'clips', 'getClip'),
  route('PATCH', '/v1/clips/{clipId}', 'clips', 'updateClip', ifMatch),
  route('DELETE', '/v1/clips/{clipId}', 'clips', 'deleteClip', ifMatch),
  // The link carries its own signed, expiring token (players cannot send a bearer token); 429 after a run
  // of forged or expired ones from the address.
  route('GET', '/v1/media/hls/{token}/{file}', 'clips', 'getHlsPlaylist', { ...open, errors: [429] }),
  route('GET', '/v1/projects/{projectId}/uploads', 'uploads', 'listUploads'),
  route('POST', '/v1/projects/{projectId}/uploads', 'uploads', 'createUpload', { errors: [403, 413, 429] }),
  // An upload's own path, as for clips and jobs; 409 once its file has arrived (then it is a job).
  route('DELETE', '/v1/uploads/{uploadId}', 'uploads', 'cancelUpload', { errors: [409] }),
  route('GET', '/v1/projects/{projectId}/jobs', 'jobs', 'listJobs'),
  route('POST', '/v1/projects/{projectId}/jobs', 'jobs', 'createJob', { errors: [403, 409, 413, 429] }),
  route('GET', '/v1/jobs/{jobId}', 'jobs', 'getJob'),
  route('POST', '/v1/jobs/{jobId}/cancel', 'jobs', 'cancelJob', { errors: [409] }),
  route('GET', '/v1/templates', 'templates', 'listTemplates'),
  route('POST', '/v1/templates', 'templates', 'createTemplate', { errors: [409] }),
  route('GET', '/v1/templates/{templateId}', 'templates', 'getTemplate'),
  route('PATCH', '/v1/templates/{templateId}', 'templates', 'updateTemplate', { ...ifMatch, errors: [409] }),
  route('DELETE', '/v1/templates/{templateId}', 'templates', 'deleteTemplate', ifMatch),
  route('GET', '/v1/webhooks', 'webhooks', 'listWebhooks'),
  route('POST', '/v1/webhooks', 'webhooks', 'createWebhook', { errors: [409] }),
  route('GET', '/v1/webhooks/{webhookId}', 'webhooks', 'getWebhook'),
  route('PATCH', '/v1/webhooks/{webhookId}', 'webhooks', 'updateWebhook'),
  route('DELETE', '/v1/webhooks/{webhookId}', 'webhooks', 'deleteWebhook'),
  route('POST', '/v1/webhooks/{webhookId}/rotate-secret', 'webhooks', 'rotateWebhookSecret'),
  // Both queue a delivery on request, so both count against the user's manual sends (429 past them).
  route('POST', '/v1/webhooks/{webhookId}/test', 'webhooks', 'sendWebhookTest', { errors: [409, 429] }),
  route('GET', '/v1/webhooks/{webhookId}/deliveries', 'webhooks', 'listWebhookDeliveries'),
  route(
    'POST',
    '/v1/webhooks/{webhookId}/deliveries/{deliveryId}/retry',
    'webhooks',
    'retryWebhookDelivery',
    {
      errors: [409, 429],
    },
  ),
  stream('/v1/events', 'streamEvents'),
  stream('/v1/jobs/{jobId}/events', 'streamJobEvents'),
  route('GET', '/v1/models', 'system', 'listModels'),
  route('GET', '/v1/health', 'system', 'getHealth', { ...open, errors: [429] }),
  route('GET', '/v1/openapi.json', 'system', 'getOpenApiDocument', { ...open, errors: [429] }),
];

export const API_FUNCTIONS: readonly ApiFunctionName[] = [...new Set(API_ROUTES.map((r) => r.fn))];

export function routesOf(fn: ApiFunctionName): ApiRoute[] {
  return API_ROUTES.filter((r) => r.fn === fn);
}

/** Path parameters that are credentials: never logged nor audited as they came. */
export const SECRET_PATH_PARAMS: ReadonlySet<string> = new Set(['token']);

interface CompiledRoute {
  route: ApiRoute;
  names: string[];
  regex: RegExp;
}

function compile(r: ApiRoute): CompiledRoute {
  const names: string[] = [];
  const pattern = r.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { route: r, names, regex: new RegExp(`^${pattern}$`) };
}

// Built on first use: every API function loads this table at init, and on Lambda only the routes with a
// secret are ever matched here (the route comes from API Gateway's route key).
let all: CompiledRoute[] | undefined;
const compiled = () => (all ??= API_ROUTES.map(compile));
let secret: CompiledRoute[] | undefined;
/** The routes whose path holds a secret (the HLS token): the only ones `redactPath` must look at. */
const withSecrets = () =>
  (secret ??= API_ROUTES.filter((r) =>
    [...SECRET_PATH_PARAMS].some((name) => r.path.includes(`{${name}}`)),
  ).map(compile));

/**
 * Finds the route for a concrete method and path, filling the (percent-decoded) path parameters. A
 * parameter that is not valid percent-encoding is a 400 naming it.
 */
export function matchRoute(
  method: string,
  path: string,
): { route: ApiRoute; params: Record<string, string> } | undefined {
  const clean = path.length > 1 ? path.replace(/\/$/, '') : path;
  for (const { route: r, names, regex } of compiled()) {
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
  for (const { route, regex } of withSecrets()) {
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
