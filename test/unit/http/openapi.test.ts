import { describe, expect, it } from 'vitest';
import { clipResponse, uploadBody } from '#shared/clips/schema.ts';
import { openApiDocument } from '#shared/http/openapi.ts';
import { examples } from '#shared/http/openapi-examples.ts';
import { API_ROUTES } from '#shared/http/routes.ts';
import { createJobBody, jobResponse } from '#shared/jobs/schema.ts';
import { createProjectBody, projectResponse } from '#shared/projects/schema.ts';
import { createTemplateBody, templateResponse } from '#shared/templates/schema.ts';
import { signUpBody, userResponse } from '#shared/users/schema.ts';

describe('OpenAPI document', () => {
  const doc = openApiDocument();
  const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
  );
  const routed = API_ROUTES.map((r) => `${r.method} ${r.path}`);

  it('documents every routed path and routes every documented one', () => {
    expect([...documented].sort()).toEqual([...routed].sort());
  });

  it('describes request bodies, path parameters and bearer auth from the zod schemas', () => {
    const create = doc.paths['/v1/projects']?.post as {
      requestBody: {
        content: {
          'application/json': { schema: { properties: Record<string, unknown>; required: string[] } };
        };
      };
      security: unknown[];
    };
    expect(create.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/CreateProjectRequest',
    });
    const body = doc.components.schemas.CreateProjectRequest as {
      properties: Record<string, unknown>;
      required: string[];
    };
    expect(body.required).toContain('title');
    expect(body.properties.title).toMatchObject({ type: 'string', maxLength: 100 });
    expect(create.security).toEqual([{ bearer: [] }]);
    const get = doc.paths['/v1/projects/{projectId}']?.get as { parameters: { name: string; in: string }[] };
    expect(get.parameters).toContainEqual(expect.objectContaining({ name: 'projectId', in: 'path' }));
    const health = doc.paths['/v1/health']!.get as { security: unknown[] };
    expect(health.security).toEqual([]);
  });
});

describe('OpenAPI descriptions', () => {
  const doc = openApiDocument();
  type Parameter = { name: string; schema: { description?: string } };
  const queryOf = (path: string) => (doc.paths[path] as { get: { parameters: Parameter[] } }).get.parameters;

  it('carry what the zod schemas describe: page parameters, the usage month, clip fields', () => {
    const page = Object.fromEntries(queryOf('/v1/projects').map((p) => [p.name, p.schema.description]));
    expect(page.limit).toMatch(/The most items a page holds/);
    expect(page.cursor).toMatch(/one from another list or another user is refused \(400\)/);
    const [month] = queryOf('/v1/me/usage');
    expect(month?.schema.description).toMatch(/2000-01 up to the current one in UTC/);
    expect(JSON.stringify(doc.components.schemas.Clip)).toContain('Bytes of the MP4');
  });

  it('state the submission checks of a job: trims of at least 0.1 s, readable prompts', () => {
    const submit = (doc.paths['/v1/projects/{projectId}/jobs'] as { post: { description: string } }).post;
    expect(submit.description).toMatch(/at least 0\.1 s once an `end` past the clip's end is cut to it/);
    expect(submit.description).toMatch(/no invisible controls/);
  });
});

describe('OpenAPI document for generators', () => {
  const doc = openApiDocument();
  type Op = {
    operationId: string;
    responses: Record<string, { $ref?: string }>;
    requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
  };
  const operations = Object.values(doc.paths).flatMap((ops) => Object.values(ops) as Op[]);
  const VERBS =
    /^(list|get|create|update|delete|cancel|confirm|sign|log|refresh|revoke|rotate|export|stream|download|retry|send|test)[A-Z]\w*$/;

  it('gives every route a unique verb-style operation id', () => {
    const ids = API_ROUTES.map((r) => r.operationId);
    for (const id of ids) expect(id, `${id} should start with a verb`).toMatch(VERBS);
    expect(new Set(ids).size).toBe(ids.length);
    expect(operations.map((o) => o.operationId).sort()).toEqual([...ids].sort());
  });

  it('documents at least one 4xx problem and a default for every operation', () => {
    for (const op of operations) {
      const fourXx = Object.keys(op.responses).filter((s) => /^4\d\d$/.test(s));
      expect(fourXx.length, op.operationId).toBeGreaterThan(0);
      expect(op.responses.default).toEqual({ $ref: '#/components/responses/ServerError' });
      for (const status of fourXx) expect(op.responses[status]!.$ref).toMatch(/^#\/components\/responses\//);
    }
    const responses = doc.components.responses as Record<string, { content: Record<string, unknown> }>;
    for (const response of Object.values(responses))
      expect(Object.keys(response.content)).toContain('application/problem+json');
  });

  it('derives problems from a route’s shape: 401 with auth, 404 with path parameters, 413/415 with a body', () => {
    const createJob = doc.paths['/v1/projects/{projectId}/jobs']!.post as Op;
    expect(Object.keys(createJob.responses).sort()).toEqual(
      ['202', '400', '401', '403', '404', '409', '413', '415', '429', 'default'].sort(),
    );
    const login = doc.paths['/v1/auth/login']!.post as Op;
    expect(login.responses['401']).toBeUndefined();
  });

  it('documents If-Match and its 412 on the writes of a resource with an ETag, and nowhere else', () => {
    const conditional = operations.filter((op) =>
      (op as Op & { parameters: { name: string; in: string }[] }).parameters.some(
        (p) => p.name === 'If-Match' && p.in === 'header',
      ),
    );
    expect(conditional.map((op) => op.operationId).sort()).toEqual(
      [
        'updateMe',
        'updateProject',
        'deleteProject',
        'updateClip',
        'deleteClip',
        'updateTemplate',
        'deleteTemplate',
      ].sort(),
    );
    for (const op of conditional) expect(op.responses['412'], op.operationId).toBeDefined();
    const others = operations.filter((op) => !conditional.includes(op));
    for (const op of others) expect(op.responses['412'], op.operationId).toBeUndefined();
  });

  it('names the resources, pages and request bodies under components/schemas and refers to them', () => {
    const names = Object.keys(doc.components.schemas);
    for (const name of [
      'Project',
      'ProjectPage',
      'Clip',
      'ClipPage',
      'Job',
      'JobPage',
      'Template',
      'Problem',
    ])
      expect(names).toContain(name);
    expect(names).toEqual(
      expect.arrayContaining(['CreateJobRequest', 'CreateProjectRequest', 'UploadRequest']),
    );
    const createJob = doc.paths['/v1/projects/{projectId}/jobs']!.post as Op;
    expect(createJob.requestBody!.content['application/json']!.schema).toEqual({
      $ref: '#/components/schemas/CreateJobRequest',
    });
    const page = doc.components.schemas.ClipPage as { properties: { items: { items: unknown } } };
    expect(page.properties.items.items).toEqual({ $ref: '#/components/schemas/Clip' });
    expect(JSON.stringify(doc)).not.toContain('$defs');
  });
});

describe('OpenAPI examples', () => {
  it('are what the API’s own schemas accept', () => {
    expect(projectResponse.safeParse(examples.Project).success).toBe(true);
    expect(clipResponse.safeParse(examples.Clip).success).toBe(true);
    expect(jobResponse.safeParse(examples.Job).success).toBe(true);
    expect(templateResponse.safeParse(examples.Template).success).toBe(true);
    expect(userResponse.safeParse(examples.User).success).toBe(true);
    expect(createJobBody.safeParse(examples.CreateJobRequest).success).toBe(true);
    expect(createProjectBody.safeParse(examples.CreateProjectRequest).success).toBe(true);
    expect(createTemplateBody.safeParse(examples.CreateTemplateRequest).success).toBe(true);
    expect(uploadBody.safeParse(examples.UploadRequest).success).toBe(true);
    expect(signUpBody.safeParse(examples.SignUpRequest).success).toBe(true);
  });
});
