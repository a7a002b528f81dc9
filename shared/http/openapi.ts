import {
  deleteMeBody,
  erasureAccepted,
  exportParams,
  exportResponse,
  exportStarted,
} from '../account/schema.ts';
import {
  apiKeyParams,
  apiKeyResponse,
  createApiKeyBody,
  createdApiKeyResponse,
  listApiKeysQuery,
} from '../api-keys/schema.ts';
import {
  clipParams,
  clipResponse,
  hlsParams,
  listClipsQuery,
  listUploadsQuery,
  MAX_CLIP_SECONDS,
  updateClipBody,
  uploadBody,
  uploadInProgress,
  uploadParams,
  uploadResponse,
} from '../clips/schema.ts';
import { EVENT_TYPES } from '../events/types.ts';
import { modelResponse, modelsResponse } from '../generation/schema.ts';
import { createJobBody, jobParams, jobResponse, listJobsQuery } from '../jobs/schema.ts';
import { MIN_TRIM_SECONDS } from '../jobs/trim.ts';
import {
  createProjectBody,
  listProjectsQuery,
  projectParams,
  projectResponse,
  updateProjectBody,
} from '../projects/schema.ts';
import { pageOf } from '../schema/common.ts';
import { builtSchema, lazySchema } from '../schema/lazy.ts';
import * as z from '../schema/zod.ts';
import {
  createTemplateBody,
  listTemplatesQuery,
  templateParams,
  templateResponse,
  updateTemplateBody,
} from '../templates/schema.ts';
import { usageQuery, usageResponse } from '../usage/schema.ts';
import {
  confirmBody,
  loginBody,
  refreshBody,
  signUpBody,
  tokens,
  updateMeBody,
  userResponse,
} from '../users/schema.ts';
import {
  createWebhookBody,
  deliveryParams,
  deliveryResponse,
  eventEnvelope,
  eventStreamQuery,
  listDeliveriesQuery,
  listWebhooksQuery,
  updateWebhookBody,
  webhookParams,
  webhookResponse,
  webhookWithSecret,
} from '../webhooks/schema.ts';
import { MANUAL_SENDS_PER_MINUTE } from '../webhooks/send-limiter.ts';
import { examples, problemExamples } from './openapi-examples.ts';
import { API_ROUTES, type ApiRoute } from './routes.ts';

interface Operation {
  summary: string;
  /** Longer notes for the operation, where the summary cannot say enough. */
  description?: string;
  status: number;
  params?: z.ZodMiniObject;
  query?: z.ZodMiniObject;
  body?: z.ZodMiniType;
  response?: z.ZodMiniType;
  /** A response that is not JSON (the HLS playlist). */
  content?: Record<string, unknown>;
  /** A Server-Sent Events stream whose `data:` lines carry this schema. */
  stream?: z.ZodMiniType;
}

const fieldIssue = lazySchema(() =>
  z.object({
    path: z
      .string()
      .check(z.meta({ description: 'Where the problem is: `body.title`, `query.limit`, `path.projectId`' })),
    message: z.string(),
  }),
);
const problem = lazySchema(() =>
  z.object({
    type: z.string(),
    title: z.string(),
    status: z.number().check(z.int()),
    detail: z.string(),
    instance: z.optional(z.string()),
    errors: z
      .optional(z.array(fieldIssue))
      .check(z.meta({ description: 'One entry per field that is not valid' })),
    correlationId: z.optional(z.string()),
  }),
);

const signUpResult = lazySchema(() =>
  z.object({
    userId: z.string(),
    email: z.string(),
    username: z.string(),
    confirmed: z.boolean(),
    next: z.string(),
  }),
);
const health = lazySchema(() =>
  z.object({ status: z.enum(['ok', 'degraded']), checks: z.record(z.string(), z.string()) }),
);
const projectPage = lazySchema(() => pageOf(projectResponse));
const clipPage = lazySchema(() => pageOf(clipResponse));
const jobPage = lazySchema(() => pageOf(jobResponse));
const templatePage = lazySchema(() => pageOf(templateResponse));

/**
 * The schemas named under components/schemas, so that generators make one type of each; wherever one of
 * them appears in another (a Clip in a ClipPage) the document refers to it.
 */
type Names = z.core.$ZodRegistry<{ id: string; examples?: unknown[] }>;
let named: Names | undefined;

/**
 * Keyed by each schema itself, not its lazy stand-in (schema/lazy.ts): a named schema meets the document
 * both ways, as the stand-in (an item of a page) and as the schema (inside its own `.optional()`). Built
 * with the first document, so a function loading this module builds no schema.
 */
function names(): Names {
  if (!named) {
    const registry: Names = z.registry<{ id: string; examples?: unknown[] }>();
    const name = (schema: z.ZodMiniType, id: string, example?: object) =>
      registry.add(builtSchema(schema), example ? { id, examples: [example] } : { id });
    name(problem, 'Problem', problemExamples[400]);
    name(fieldIssue, 'FieldIssue');
    name(projectResponse, 'Project', examples.Project);
    name(projectPage, 'ProjectPage');
    name(createProjectBody, 'CreateProjectRequest', examples.CreateProjectRequest);
    name(updateProjectBody, 'UpdateProjectRequest', examples.UpdateProjectRequest);
    name(clipResponse, 'Clip', examples.Clip);
    name(clipPage, 'ClipPage');
    name(updateClipBody, 'UpdateClipRequest', examples.UpdateClipRequest);
    name(uploadBody, 'UploadRequest', examples.UploadRequest);
    name(uploadResponse, 'UploadTicket');
    name(uploadInProgress, 'UploadInProgress');
    name(jobResponse, 'Job', examples.Job);
    name(jobPage, 'JobPage');
    name(createJobBody, 'CreateJobRequest', examples.CreateJobRequest);
    name(templateResponse, 'Template', examples.Template);
    name(templatePage, 'TemplatePage');
    name(createTemplateBody, 'CreateTemplateRequest', examples.CreateTemplateRequest);
    name(updateTemplateBody, 'UpdateTemplateRequest', examples.UpdateTemplateRequest);
    name(userResponse, 'User', examples.User);
    name(updateMeBody, 'UpdateMeRequest', examples.UpdateMeRequest);
    name(signUpBody, 'SignUpRequest', examples.SignUpRequest);
    name(signUpResult, 'SignUpResult');
    name(confirmBody, 'ConfirmSignUpRequest', examples.ConfirmSignUpRequest);
    name(loginBody, 'LoginRequest', examples.LoginRequest);
    name(refreshBody, 'RefreshRequest');
    name(tokens, 'Tokens');
    name(modelResponse, 'Model');
    name(modelsResponse, 'ModelList');
    name(health, 'Health');
    name(webhookResponse, 'Webhook');
    name(webhookWithSecret, 'WebhookWithSecret');
    name(createWebhookBody, 'CreateWebhookRequest');
    name(updateWebhookBody, 'UpdateWebhookRequest');
    name(deliveryResponse, 'WebhookDelivery');
    name(eventEnvelope, 'EventEnvelope');
    named = registry;
  }
  return named;
}

const QUEUE_POSITION_NOTE =
  "A waiting GENERATE job's `queuePosition` is read here only, at the time of the request: job events do not carry it, because places move for most of the line at every grant and arrival. Poll while the job is QUEUED; its first job.progress event says it has started.";
const SUBMIT_JOB_NOTE = `Everything that can be checked is checked here (400 naming the field), before a job exists. An EDIT clip's \`start\` and \`end\` are seconds from 0 to ${MAX_CLIP_SECONDS}; the part kept must last at least ${MIN_TRIM_SECONDS} s once an \`end\` past the clip's end is cut to it. The prompt, a template's with its variables filled in, must hold 1–2000 characters with something visible and no invisible controls (line breaks and tabs are fine). \`parameters.variables\` go with a \`templateId\` and name only its placeholders.`;
const EVENTS_NOTE =
  "Job events carry the job as GET /v1/jobs/{jobId} returns it, less `queuePosition`: a waiting job's place in line is read with GET only (it moves for most of the line at every grant and arrival). A stream filtered by `projectId` or `jobId` ends within seconds of that project or job being deleted; opened again it is a 404.";

const MANUAL_SENDS_NOTE = `Each call adds a delivery of up to 8 attempts, so test sends and retries together are limited to ${MANUAL_SENDS_PER_MINUTE} a minute per user; past that the answer is 429 with Retry-After (the seconds until the minute ends). A call that sends nothing (404, 409) is not counted.`;

export const OPERATIONS: Record<string, Operation> = {
  'POST /v1/auth/signup': {
    summary: 'Create an account',
    status: 201,
    body: signUpBody,
    response: signUpResult,
  },
  'POST /v1/auth/confirm': { summary: 'Confirm the email with its code', status: 200, body: confirmBody },
  'POST /v1/auth/login': { summary: 'Sign in', status: 200, body: loginBody, response: tokens },
  'POST /v1/auth/refresh': {
    summary: 'New tokens from a refresh token',
    status: 200,
    body: refreshBody,
    response: tokens,
  },
  'GET /v1/me': { summary: 'The caller, with tier and storage', status: 200, response: userResponse },
  'PATCH /v1/me': { summary: 'Change the username', status: 200, body: updateMeBody, response: userResponse },
  'DELETE /v1/me': {
    summary:
      'Erase the account: running jobs cancelled, every row and object deleted, sign-in removed, audit entries kept under a pseudonym. A user token only, with the current password or a sign-in within 5 minutes',
    status: 202,
    body: deleteMeBody,
    response: erasureAccepted,
  },
  'GET /v1/me/usage': {
    summary:
      'What the month’s jobs generated and transcoded, jobs by outcome, storage, and the estimated AWS cost with its price table',
    status: 200,
    query: usageQuery,
    response: usageResponse,
  },
  'POST /v1/me/export': {
    summary: 'Start an export of every row and a manifest of every object of the account, as a zip',
    status: 202,
    response: exportStarted,
  },
  'GET /v1/me/exports/{exportId}': {
    summary: 'An export’s status, with a signed link to its zip once written',
    status: 200,
    params: exportParams,
    response: exportResponse,
  },
  'POST /v1/api-keys': {
    summary: 'Create an API key (shown once); a user token only',
    status: 201,
    body: createApiKeyBody,
    response: createdApiKeyResponse,
  },
  'GET /v1/api-keys': {
    summary: 'The caller’s API keys (never the keys themselves); a user token only',
    status: 200,
    query: listApiKeysQuery,
    response: lazySchema(() => pageOf(apiKeyResponse)),
  },
  'DELETE /v1/api-keys/{keyId}': {
    summary: 'Revoke an API key (refused everywhere within 5 seconds); a user token only',
    status: 204,
    params: apiKeyParams,
  },
  'GET /v1/projects': {
    summary: 'Own projects',
    status: 200,
    query: listProjectsQuery,
    response: projectPage,
  },
  'POST /v1/projects': {
    summary: 'Create a project',
    status: 201,
    body: createProjectBody,
    response: projectResponse,
  },
  'GET /v1/projects/{projectId}': {
    summary: 'A project',
    status: 200,
    params: projectParams,
    response: projectResponse,
  },
  'PATCH /v1/projects/{projectId}': {
    summary: 'Change a project',
    status: 200,
    params: projectParams,
    body: updateProjectBody,
    response: projectResponse,
  },
  'DELETE /v1/projects/{projectId}': {
    summary: 'Delete a project, its clips and media; frees storage',
    status: 204,
    params: projectParams,
  },
  'GET /v1/projects/{projectId}/clips': {
    summary: 'Clips of a project',
    status: 200,
    params: projectParams,
    query: listClipsQuery,
    response: clipPage,
  },
  'GET /v1/clips/{clipId}': {
    summary: 'A clip with signed media URLs',
    description:
      'The MP4 and thumbnail links are signed as of the current 5-minute window, so reading the clip again within it gives the same links (a browser reuses what it fetched). `media.expiresAt` is when they stop working: 15 to 20 minutes from the read. The ETag covers the clip, not its links.',
    status: 200,
    params: clipParams,
    response: clipResponse,
  },
  'PATCH /v1/clips/{clipId}': {
    summary: 'Change a clip',
    status: 200,
    params: clipParams,
    body: updateClipBody,
    response: clipResponse,
  },
  'DELETE /v1/clips/{clipId}': {
    summary: 'Delete a clip and its media; frees storage',
    status: 204,
    params: clipParams,
  },
  'GET /v1/projects/{projectId}/uploads': {
    summary: 'Uploads of a project in progress: requested and not yet a clip, failed, cancelled or lapsed',
    status: 200,
    params: projectParams,
    query: listUploadsQuery,
    response: lazySchema(() => pageOf(uploadInProgress)),
  },
  'POST /v1/projects/{projectId}/uploads': {
    summary: 'A presigned POST for an upload; the upload becomes a TRANSCODE job and a clip',
    status: 201,
    params: projectParams,
    body: uploadBody,
    response: uploadResponse,
  },
  'DELETE /v1/uploads/{uploadId}': {
    summary:
      'Cancel an upload whose file has not arrived; its storage and its place among the uploads in progress come back at once',
    description:
      'A file still sent with the cancelled presigned POST is deleted when it arrives and becomes no job or clip. Cancelling again answers 204 and changes nothing. Once the file has arrived the upload is the TRANSCODE job with the same id: the answer is 409, and POST /v1/jobs/{jobId}/cancel cancels it.',
    status: 204,
    params: uploadParams,
  },
  'GET /v1/projects/{projectId}/jobs': {
    summary: 'Jobs of a project',
    description: QUEUE_POSITION_NOTE,
    status: 200,
    params: projectParams,
    query: listJobsQuery,
    response: jobPage,
  },
  'POST /v1/projects/{projectId}/jobs': {
    summary: 'Submit a job (Idempotency-Key supported)',
    description: SUBMIT_JOB_NOTE,
    status: 202,
    params: projectParams,
    body: createJobBody,
    response: jobResponse,
  },
  'GET /v1/jobs/{jobId}': {
    summary: 'A job: status, progress, error, clip',
    description: QUEUE_POSITION_NOTE,
    status: 200,
    params: jobParams,
    response: jobResponse,
  },
  'POST /v1/jobs/{jobId}/cancel': {
    summary: 'Cancel a QUEUED or PROCESSING job',
    status: 200,
    params: jobParams,
    response: jobResponse,
  },
  'GET /v1/templates': {
    summary: 'Public templates and the caller’s own',
    status: 200,
    query: listTemplatesQuery,
    response: templatePage,
  },
  'POST /v1/templates': {
    summary: 'Create a template',
    status: 201,
    body: createTemplateBody,
    response: templateResponse,
  },
  'GET /v1/templates/{templateId}': {
    summary: 'A template',
    status: 200,
    params: templateParams,
    response: templateResponse,
  },
  'PATCH /v1/templates/{templateId}': {
    summary: 'Change an own template',
    status: 200,
    params: templateParams,
    body: updateTemplateBody,
    response: templateResponse,
  },
  'DELETE /v1/templates/{templateId}': {
    summary: 'Delete an own template',
    status: 204,
    params: templateParams,
  },
  'GET /v1/media/hls/{token}/{file}': {
    summary:
      'An HLS playlist of a clip, from the hlsUrl of GET /v1/clips/{clipId}; segments come as signed URLs',
    status: 200,
    params: hlsParams,
    content: { 'application/vnd.apple.mpegurl': { schema: { type: 'string' } } },
  },
  'GET /v1/webhooks': {
    summary: 'Your webhook endpoints (never their secrets)',
    status: 200,
    query: listWebhooksQuery,
    response: lazySchema(() => pageOf(webhookResponse)),
  },
  'POST /v1/webhooks': {
    summary: 'Add a webhook endpoint; the signing secret (whsec_…) is shown only in this response',
    status: 201,
    body: createWebhookBody,
    response: webhookWithSecret,
  },
  'GET /v1/webhooks/{webhookId}': {
    summary: 'A webhook endpoint',
    status: 200,
    params: webhookParams,
    response: webhookResponse,
  },
  'PATCH /v1/webhooks/{webhookId}': {
    summary: 'Change its URL, event types, description, or enable/disable it',
    status: 200,
    params: webhookParams,
    body: updateWebhookBody,
    response: webhookResponse,
  },
  'DELETE /v1/webhooks/{webhookId}': {
    summary: 'Remove a webhook endpoint and its delivery log',
    status: 204,
    params: webhookParams,
  },
  'POST /v1/webhooks/{webhookId}/rotate-secret': {
    summary: 'A new signing secret (shown once); the old one keeps signing beside it for 24 hours',
    status: 200,
    params: webhookParams,
    response: webhookWithSecret,
  },
  'POST /v1/webhooks/{webhookId}/test': {
    summary: 'Send a webhook.test event to this endpoint',
    description: MANUAL_SENDS_NOTE,
    status: 202,
    params: webhookParams,
    response: lazySchema(() => z.object({ deliveryId: z.string() })),
  },
  'GET /v1/webhooks/{webhookId}/deliveries': {
    summary: 'The delivery log: status, attempts, last status code and latency, next attempt',
    status: 200,
    params: webhookParams,
    query: listDeliveriesQuery,
    response: lazySchema(() => pageOf(deliveryResponse)),
  },
  'POST /v1/webhooks/{webhookId}/deliveries/{deliveryId}/retry': {
    summary: 'Send a delivery again now',
    description: MANUAL_SENDS_NOTE,
    status: 202,
    params: deliveryParams,
    response: lazySchema(() => z.object({ deliveryId: z.string() })),
  },
  'GET /v1/events': {
    summary:
      'Your events as Server-Sent Events (id, event, data: the envelope), resumable with Last-Event-ID; a comment heartbeat every 15 s',
    description: EVENTS_NOTE,
    status: 200,
    query: eventStreamQuery,
    stream: eventEnvelope,
  },
  'GET /v1/jobs/{jobId}/events': {
    summary:
      "One job's events as Server-Sent Events from its start (or after Last-Event-ID); ends after its terminal event",
    description: EVENTS_NOTE,
    status: 200,
    params: jobParams,
    stream: eventEnvelope,
  },
  'GET /v1/models': {
    summary: 'The video models, their Regions, lifecycle, capabilities and availability here',
    status: 200,
    response: modelsResponse,
  },
  'GET /v1/health': { summary: 'Liveness and database readiness', status: 200, response: health },
  'GET /v1/openapi.json': { summary: 'This document', status: 200 },
};

const REF = '#/components/schemas/';

/**
 * JSON Schema of `t` with every named schema in it replaced by a reference; the named ones it meets are
 * collected into `components`.
 */
function schemaOf(t: z.ZodMiniType, components: Record<string, object>): object {
  const id = names().get(builtSchema(t))?.id;
  if (id) {
    // zod writes a named root as a reference to its own entry in $defs; collect moves that entry too.
    if (!components[id]) collect(jsonSchema(t), components);
    return { $ref: `${REF}${id}` };
  }
  return collect(jsonSchema(t), components);
}

/**
 * The metadata the document is written with: each schema's own description (`.describe`, `.meta`, kept in
 * zod's global registry) under the names and examples above. Passing `named` alone would drop every
 * description.
 */
const documented = {
  get(t: z.ZodMiniType) {
    const schema = builtSchema(t);
    const { id: _id, ...described } = (z.globalRegistry.get(schema) ?? {}) as Record<string, unknown>;
    const meta = { ...described, ...names().get(schema) };
    return Object.keys(meta).length ? meta : undefined;
  },
} as unknown as Names;

function jsonSchema(t: z.ZodMiniType): object {
  const out = z.toJSONSchema(t, {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-2020-12',
    metadata: documented,
  }) as Record<string, unknown>;
  delete out.$schema;
  delete out.id;
  return out;
}

/** Moves `$defs` into components and points their references there. */
function collect(schema: object, components: Record<string, object>): object {
  const { $defs, ...rest } = schema as { $defs?: Record<string, object> };
  for (const [id, def] of Object.entries($defs ?? {})) {
    const { id: _id, ...body } = def as Record<string, unknown>;
    components[id] ??= retarget(body) as object;
  }
  return retarget(rest) as object;
}

function retarget(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(retarget);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      k === '$ref' && typeof v === 'string' ? v.replace('#/$defs/', REF) : retarget(v),
    ]),
  );
}

function parameters(
  where: 'path' | 'query',
  obj: z.ZodMiniObject | undefined,
  components: Record<string, object>,
) {
  if (!obj) return [];
  return Object.entries(obj.shape).map(([name, field]) => ({
    name,
    in: where,
    required: where === 'path' || !(field as z.ZodMiniType).safeParse(undefined).success,
    schema: schemaOf(field as z.ZodMiniType, components),
  }));
}

const IF_MATCH = {
  name: 'If-Match',
  in: 'header',
  required: false,
  description:
    'The ETag of the resource as last read (its GET answers it), or `*`. When it is not the current one the answer is 412 and nothing changes: read it again and retry with the new ETag. Without it the change is made whatever the resource holds now.',
  schema: { type: 'string' },
  example: '"3q2-7wK1bq6f0u1nF4mXy8cPz9Q"',
};

const IF_NONE_MATCH = {
  name: 'If-None-Match',
  in: 'header',
  required: false,
  description:
    'On a change or deletion: `*`, or ETags the resource must no longer have (weak comparison). When the resource exists and `*` is sent, or it has one of the ETags, the answer is 412 and nothing changes.',
  schema: { type: 'string' },
  example: '*',
};

/** The shared problem responses under components/responses, by status. */
const ERRORS: Record<number, { name: string; description: string }> = {
  400: { name: 'BadRequest', description: 'The input is not valid; `errors` names each field' },
  401: { name: 'Unauthorized', description: 'No valid bearer token' },
  403: { name: 'Forbidden', description: "A tier rule, or the API key's scope, forbids it" },
  404: { name: 'NotFound', description: 'No such resource of the caller (another user’s answers the same)' },
  409: { name: 'Conflict', description: 'It conflicts with the current state' },
  412: {
    name: 'PreconditionFailed',
    description:
      'If-Match did not name the current ETag (the resource changed since it was read), or If-None-Match named it; nothing was changed',
  },
  413: {
    name: 'ContentTooLarge',
    description: 'The body is too large, or the bytes exceed the storage left',
  },
  415: { name: 'UnsupportedMediaType', description: 'The body is not application/json' },
  429: {
    name: 'TooManyRequests',
    description:
      'Too many requests; see Retry-After. The deployed gateway’s own throttle answers `{message}`',
  },
  500: { name: 'ServerError', description: 'An error on the server; quote the correlation id' },
};

/** The 4xx problems a route answers: those its shape implies plus the ones it declares. */
export function errorStatuses(route: ApiRoute, op: Operation): number[] {
  const statuses = new Set<number>(route.errors);
  if (op.params || op.query || op.body) statuses.add(400);
  if (route.auth) statuses.add(401);
  // A read-only API key may not change anything.
  if (route.auth && route.method !== 'GET') statuses.add(403);
  if (op.params) statuses.add(404);
  if (route.ifMatch) statuses.add(412);
  if (op.body) {
    statuses.add(413);
    statuses.add(415);
  }
  return [...statuses].sort();
}

function problemResponse(status: number) {
  const problemJson = {
    schema: { $ref: `${REF}Problem` },
    example: problemExamples[status] ?? problemExamples[500],
  };
  const gateway = {
    schema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] },
    example: { message: 'Too Many Requests' },
  };
  return {
    description: ERRORS[status]?.description ?? 'A problem',
    content: {
      'application/problem+json': problemJson,
      ...(status === 429 ? { 'application/json': gateway } : {}),
    },
  };
}

const responseRef = (status: number) => ({ $ref: `#/components/responses/${ERRORS[status]?.name}` });

const TAGS: Record<ApiRoute['fn'], string> = {
  auth: 'Sign up, confirm, sign in and refresh tokens',
  me: 'The signed-in account: tier, storage, usage and cost, export and erasure',
  keys: 'API keys for machine clients',
  projects: 'Video projects',
  clips: 'Clips, their media and HLS playlists',
  uploads: 'Uploading videos with a presigned POST',
  jobs: 'Generate, edit, enhance and transcode jobs',
  templates: 'Prompt templates with variables',
  webhooks: 'Webhook endpoints, their signing secrets and delivery logs',
  events: 'Job and clip events as Server-Sent Events',
  system: 'Models, health and this document',
};

/** The OpenAPI 3.1 document, built from the route table and the same zod schemas the handlers use. */
export function openApiDocument(serverUrl = '/') {
  const components: Record<string, object> = {};
  const paths: Record<string, Record<string, unknown>> = {};
  const usedErrors = new Set<number>([500]);
  for (const route of API_ROUTES) {
    const op = OPERATIONS[`${route.method} ${route.path}`];
    if (!op) throw new Error(`route ${route.method} ${route.path} has no OpenAPI operation`);
    const responses: Record<string, unknown> = {
      [op.status]: op.response
        ? {
            description: op.summary,
            content: { 'application/json': { schema: schemaOf(op.response, components) } },
          }
        : op.stream
          ? {
              description: op.summary,
              content: { 'text/event-stream': { schema: schemaOf(op.stream, components) } },
            }
          : { description: op.summary, ...(op.content ? { content: op.content } : {}) },
    };
    for (const status of errorStatuses(route, op)) {
      if (!ERRORS[status]) throw new Error(`${route.operationId}: no shared response for ${status}`);
      responses[status] = responseRef(status);
      usedErrors.add(status);
    }
    responses.default = responseRef(500);
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = {
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      operationId: route.operationId,
      tags: [route.fn],
      ...(route.auth ? { security: [{ bearer: [] }] } : { security: [] }),
      parameters: [
        ...parameters('path', op.params, components),
        ...parameters('query', op.query, components),
        ...(route.ifMatch ? [IF_MATCH, IF_NONE_MATCH] : []),
      ],
      ...(op.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: schemaOf(op.body, components) } },
            },
          }
        : {}),
      responses,
    };
  }
  schemaOf(problem, components);
  schemaOf(eventEnvelope, components);
  const used = new Set(API_ROUTES.map((r) => r.fn));
  return {
    openapi: '3.1.0',
    info: {
      title: 'AI video backend',
      version: '1.0.0',
      description: 'Projects, AI-generated clips, jobs, uploads and templates.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: serverUrl }],
    tags: Object.entries(TAGS)
      .filter(([tag]) => used.has(tag as ApiRoute['fn']))
      .map(([tag, description]) => ({ name: tag, description })),
    components: {
      schemas: Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b))),
      responses: Object.fromEntries(
        [...usedErrors].sort().map((status) => [ERRORS[status]!.name, problemResponse(status)]),
      ),
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'A user access token (JWT) or an API key (avk_…)',
        },
      },
    },
    paths,
    webhooks: eventWebhooks(),
  };
}

/**
 * What an endpoint receives: one POST per event, signed per Standard Webhooks (`webhook-id` is the event id,
 * `webhook-signature` is `v1,` + base64 HMAC-SHA256 of `id.timestamp.body`); any 2xx within 10 s is success.
 */
function eventWebhooks() {
  const headers = Object.fromEntries(
    ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [
      name,
      { name, in: 'header', required: true, schema: { type: 'string' } },
    ]),
  );
  return Object.fromEntries(
    EVENT_TYPES.map((type) => [
      type,
      {
        post: {
          summary: `The ${type} event`,
          operationId: `receive${type
            .split(/[._]/)
            .map((w) => w[0]!.toUpperCase() + w.slice(1))
            .join('')}Event`,
          // Authenticated by its Standard Webhooks signature, not by a bearer token.
          security: [],
          parameters: Object.values(headers),
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  allOf: [{ $ref: '#/components/schemas/EventEnvelope' }],
                  properties: { type: { const: type } },
                },
              },
            },
          },
          responses: { '2XX': { description: 'Received; anything else (or no answer in 10 s) is retried' } },
        },
      },
    ]),
  );
}
