import * as z from 'zod';
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
  updateClipBody,
  uploadBody,
  uploadResponse,
} from '../clips/schema.ts';
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
import { API_ROUTES } from './routes.ts';

interface Operation {
  summary: string;
  status: number;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  response?: z.ZodType;
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
    response: pageOf(apiKeyResponse),
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
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'A user access token (JWT) or an API key (avk_…)',
        },
      },
    },
    paths,
  };
}
