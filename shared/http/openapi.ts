import * as z from 'zod';
import {
  clipParams,
  clipResponse,
  hlsParams,
  listClipsQuery,
  updateClipBody,
  uploadBody,
  uploadResponse,
} from '../clips/schema.ts';
import { EVENT_TYPES } from '../events/types.ts';
import { modelsResponse } from '../generation/schema.ts';
import { createJobBody, jobParams, jobResponse, listJobsQuery } from '../jobs/schema.ts';
import {
  createProjectBody,
  listProjectsQuery,
  projectParams,
  projectResponse,
  updateProjectBody,
} from '../projects/schema.ts';
import { pageOf } from '../schema/common.ts';
import {
  createTemplateBody,
  listTemplatesQuery,
  templateParams,
  templateResponse,
  updateTemplateBody,
} from '../templates/schema.ts';
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
import { API_ROUTES } from './routes.ts';

interface Operation {
  summary: string;
  status: number;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  response?: z.ZodType;
  /** A Server-Sent Events stream whose `data:` lines carry this schema. */
  stream?: z.ZodType;
}

const problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  correlationId: z.string().optional(),
});

const signUpResult = z.object({
  userId: z.string(),
  email: z.string(),
  username: z.string(),
  confirmed: z.boolean(),
  next: z.string(),
});
const health = z.object({ status: z.enum(['ok', 'degraded']), checks: z.record(z.string(), z.string()) });

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
  'GET /v1/projects': {
    summary: 'Own projects',
    status: 200,
    query: listProjectsQuery,
    response: pageOf(projectResponse),
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
    response: pageOf(clipResponse),
  },
  'GET /v1/clips/{clipId}': {
    summary: 'A clip with signed media URLs',
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
  'POST /v1/projects/{projectId}/uploads': {
    summary: 'A presigned POST for an upload; the upload becomes a TRANSCODE job and a clip',
    status: 201,
    params: projectParams,
    body: uploadBody,
    response: uploadResponse,
  },
  'GET /v1/projects/{projectId}/jobs': {
    summary: 'Jobs of a project',
    status: 200,
    params: projectParams,
    query: listJobsQuery,
    response: pageOf(jobResponse),
  },
  'POST /v1/projects/{projectId}/jobs': {
    summary: 'Submit a job (Idempotency-Key supported)',
    status: 202,
    params: projectParams,
    body: createJobBody,
    response: jobResponse,
  },
  'GET /v1/jobs/{jobId}': {
    summary: 'A job: status, progress, error, clip',
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
    response: pageOf(templateResponse),
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
  },
  'GET /v1/webhooks': {
    summary: 'Your webhook endpoints (never their secrets)',
    status: 200,
    query: listWebhooksQuery,
    response: pageOf(webhookResponse),
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
    status: 202,
    params: webhookParams,
    response: z.object({ deliveryId: z.string() }),
  },
  'GET /v1/webhooks/{webhookId}/deliveries': {
    summary: 'The delivery log: status, attempts, last status code and latency, next attempt',
    status: 200,
    params: webhookParams,
    query: listDeliveriesQuery,
    response: pageOf(deliveryResponse),
  },
  'POST /v1/webhooks/{webhookId}/deliveries/{deliveryId}/retry': {
    summary: 'Send a delivery again now',
    status: 202,
    params: deliveryParams,
    response: z.object({ deliveryId: z.string() }),
  },
  'GET /v1/events': {
    summary:
      'Your events as Server-Sent Events (id, event, data: the envelope), resumable with Last-Event-ID; a comment heartbeat every 15 s',
    status: 200,
    query: eventStreamQuery,
    stream: eventEnvelope,
  },
  'GET /v1/jobs/{jobId}/events': {
    summary:
      "One job's events as Server-Sent Events from its start (or after Last-Event-ID); ends after its terminal event",
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

const schema = (t: z.ZodType) =>
  z.toJSONSchema(t, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });

function parameters(where: 'path' | 'query', obj: z.ZodObject | undefined) {
  if (!obj) return [];
  return Object.entries(obj.shape).map(([name, field]) => ({
    name,
    in: where,
    required: where === 'path' || !(field as z.ZodType).safeParse(undefined).success,
    schema: schema(field as z.ZodType),
  }));
}

/** The OpenAPI 3.1 document, built from the route table and the same zod schemas the handlers use. */
export function openApiDocument(serverUrl = '/') {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of API_ROUTES) {
    const op = OPERATIONS[`${route.method} ${route.path}`];
    if (!op) throw new Error(`route ${route.method} ${route.path} has no OpenAPI operation`);
    const responses: Record<string, unknown> = {
      [op.status]: op.response
        ? { description: op.summary, content: { 'application/json': { schema: schema(op.response) } } }
        : op.stream
          ? { description: op.summary, content: { 'text/event-stream': { schema: schema(op.stream) } } }
          : { description: op.summary },
      default: {
        description: 'A problem',
        content: { 'application/problem+json': { schema: schema(problem) } },
      },
    };
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = {
      summary: op.summary,
      operationId: `${route.method.toLowerCase()}${route.path.replace(/[{}]/g, '').replace(/\/(\w)/g, (_m, c: string) => c.toUpperCase())}`,
      tags: [route.fn],
      ...(route.auth ? { security: [{ bearer: [] }] } : { security: [] }),
      parameters: [...parameters('path', op.params), ...parameters('query', op.query)],
      ...(op.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: schema(op.body) } } } }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'AI video backend',
      version: '1.0.0',
      description: 'Projects, AI-generated clips, jobs, uploads and templates.',
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { EventEnvelope: schema(eventEnvelope) },
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
