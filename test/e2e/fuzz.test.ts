import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { API_ROUTES } from '#shared/http/routes.ts';
import { type LocalApi, startLocalApi } from '#test/support/local-api.ts';

let api: LocalApi;
let token: string;
beforeAll(async () => {
  api = await startLocalApi();
  token = (await api.newUser()).token;
});
afterAll(async () => {
  await api?.stop();
});

const junk = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant('00000000-0000-0000-0000-000000000000'),
  fc.uuid(),
  fc.string({ maxLength: 3000 }),
);
const bodies = fc.oneof(
  fc.dictionary(
    fc.constantFrom(
      'title',
      'name',
      'prompt',
      'jobType',
      'parameters',
      'email',
      'password',
      'fileSize',
      'category',
      'limit',
      'username',
      'refreshToken',
      'templateId',
      'sourceClipIds',
    ),
    fc.oneof(
      junk,
      fc.array(junk, { maxLength: 3 }),
      fc.dictionary(fc.string({ maxLength: 8 }), junk, { maxKeys: 3 }),
    ),
  ),
  fc.array(junk, { maxLength: 3 }),
  junk,
);

it('answers malformed bodies, paths and queries with 4xx problem+json, never 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...API_ROUTES),
      fc.string({ maxLength: 40 }),
      fc.dictionary(
        fc.constantFrom('limit', 'cursor', 'status', 'q', 'jobType', 'category'),
        fc.string({ maxLength: 20 }),
        {
          maxKeys: 3,
        },
      ),
      bodies,
      async (route, segment, query, body) => {
        const path = route.path.replace(/\{\w+\}/g, () => encodeURIComponent(segment) || 'x');
        const qs = new URLSearchParams(query).toString();
        const res = await api.call(route.method, `${path}${qs ? `?${qs}` : ''}`, {
          token,
          ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { body }),
        });
        expect(res.status, `${route.method} ${path} ${res.text}`).toBeLessThan(500);
        if (res.status >= 400) expect(res.headers.get('content-type')).toBe('application/problem+json');
      },
    ),
    { numRuns: 300 },
  );
});
