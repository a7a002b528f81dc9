import { describe, expect, it } from 'vitest';
import { openApiDocument } from '#shared/http/openapi.ts';
import { API_ROUTES } from '#shared/http/routes.ts';

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
    const body = create.requestBody.content['application/json'].schema;
    expect(body.required).toContain('title');
    expect(body.properties.title).toMatchObject({ type: 'string', maxLength: 100 });
    expect(create.security).toEqual([{ bearer: [] }]);
    const get = doc.paths['/v1/projects/{projectId}']?.get as { parameters: { name: string; in: string }[] };
    expect(get.parameters).toContainEqual(expect.objectContaining({ name: 'projectId', in: 'path' }));
    const health = doc.paths['/v1/health']!.get as { security: unknown[] };
    expect(health.security).toEqual([]);
  });
});
