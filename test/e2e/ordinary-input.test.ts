import { request } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ApiResponse, type LocalApi, startLocalApi } from '#test/support/local-api.ts';

let api: LocalApi;
let token: string;
let projectId: string;
beforeAll(async () => {
  api = await startLocalApi();
  token = (await api.newUser()).token;
  projectId = (await api.call('POST', '/v1/projects', { token, body: { title: 'Input' } })).body.id;
});
afterAll(async () => {
  await api?.stop();
});

function expectProblem(res: ApiResponse, status: number, field: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(field);
}

const json = (rawBody: string) => ({ token, rawBody, headers: { 'content-type': 'application/json' } });

it('answers NUL characters in any text field or query parameter with a 400 naming it', async () => {
  expectProblem(
    await api.call('POST', '/v1/projects', { token, body: { title: 'a\u0000b' } }),
    400,
    'body.title',
  );
  expectProblem(
    await api.call('PATCH', `/v1/projects/${projectId}`, {
      token,
      body: { settings: { note: ['x', '\u0000'] } },
    }),
    400,
    'body.settings.note.1',
  );
  expectProblem(
    await api.call('PATCH', '/v1/me', { token, body: { username: 'ab\u0000c' } }),
    400,
    'body.username',
  );
  expectProblem(
    await api.call('POST', '/v1/auth/signup', {
      body: { email: 'nul\u0000@example.com', username: 'nul_user', password: 'Secret123' },
    }),
    400,
    'body.email',
  );
  expectProblem(
    await api.call('POST', `/v1/projects/${projectId}/jobs`, {
      token,
      body: { jobType: 'GENERATE', prompt: 'a fox\u0000', parameters: { model: 'local' } },
    }),
    400,
    'body.prompt',
  );
  // A JSON type API Gateway base64-encodes is checked as well.
  expectProblem(
    await api.call('POST', '/v1/projects', {
      token,
      rawBody: '{"title":"x","description":"a\\u0000"}',
      headers: { 'content-type': 'application/merge-patch+json' },
    }),
    400,
    'body.description',
  );
  expectProblem(await api.call('GET', '/v1/templates?q=a%00b', { token }), 400, 'query.q');
  // jsonb refuses an unpaired surrogate escape as it refuses \u0000.
  expectProblem(
    await api.call(
      'POST',
      '/v1/templates',
      json('{"name":"n","category":"general","prompt":"p","parameters":{"x":"\\ud800"}}'),
    ),
    400,
    'body.parameters.x',
  );
  expectProblem(await api.call('GET', '/v1/projects?cursor=%00', { token }), 400, 'query.cursor');
});

it('answers cursors with out-of-range dates with a 400 naming the cursor', async () => {
  for (const at of [
    '0000-01-01T00:00:00.000Z',
    '+275760-09-13T00:00:00.000Z',
    '-271821-04-20T00:00:00.000Z',
    '+010000-01-01T00:00:00.000Z',
  ]) {
    const cursor = Buffer.from(JSON.stringify([at, '00000000-0000-4000-8000-000000000000'])).toString(
      'base64url',
    );
    for (const path of [
      '/v1/projects',
      `/v1/projects/${projectId}/clips`,
      '/v1/templates',
      `/v1/projects/${projectId}/jobs`,
    ]) {
      expectProblem(await api.call('GET', `${path}?cursor=${cursor}`, { token }), 400, 'query.cursor');
    }
  }
});

it('answers a cursor of another list or another user with a 400 naming the cursor', async () => {
  await api.call('POST', '/v1/projects', { token, body: { title: 'Second' } });
  const page = await api.call('GET', '/v1/projects?limit=1', { token });
  const cursor = page.body.nextCursor;
  expect(cursor).toEqual(expect.any(String));
  expect((await api.call('GET', `/v1/projects?cursor=${cursor}`, { token })).status).toBe(200);
  for (const path of [
    '/v1/templates',
    `/v1/projects/${projectId}/clips`,
    `/v1/projects/${projectId}/jobs`,
    `/v1/projects/${projectId}/uploads`,
    '/v1/webhooks',
  ]) {
    expectProblem(await api.call('GET', `${path}?cursor=${cursor}`, { token }), 400, 'query.cursor');
  }
  const other = (await api.newUser()).token;
  expectProblem(
    await api.call('GET', `/v1/projects?cursor=${cursor}`, { token: other }),
    400,
    'query.cursor',
  );
});

it('answers JSON nested 20,000 deep with a 400 naming the body', async () => {
  const deepObject = `{"settings":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`;
  const deepArray = `{"settings":{"a":${'['.repeat(20_000)}${']'.repeat(20_000)}}}`;
  for (const body of [deepObject, deepArray]) {
    expectProblem(await api.call('PATCH', `/v1/projects/${projectId}`, json(body)), 400, 'body');
  }
  expectProblem(await api.call('POST', '/v1/templates', json(deepObject)), 400, 'body');
});

it('answers malformed percent-encoding in a path with a 400 naming the parameter', async () => {
  expectProblem(await api.call('GET', '/v1/projects/%E0%A4%A', { token }), 400, 'path.projectId');
  expectProblem(await api.call('DELETE', '/v1/clips/%', { token }), 400, 'path.clipId');
  expectProblem(await api.call('GET', '/v1/media/hls/%ZZ/index.m3u8'), 400, 'path.token');
});

it('answers a body over the limit with 413: the API at 1 MiB, the local gateway at 10 MB', async () => {
  const oneMiB = `{"title":"${'x'.repeat(1024 * 1024)}"}`;
  const tooLarge = await api.call('POST', '/v1/projects', json(oneMiB));
  expectProblem(tooLarge, 413, 'body');
  expect(tooLarge.body.detail).toContain('1048576');
  const huge = await api.call('POST', '/v1/projects', json('x'.repeat(11 * 1024 * 1024)));
  expectProblem(huge, 413, 'body');
  // Declared too large: refused before the body is read.
  const declared = await new Promise<number>((resolve, reject) => {
    const req = request(`${api.url}/v1/projects`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(50 * 1024 * 1024) },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.write('{"title":"');
  });
  expect(declared).toBe(413);
  // The server still answers afterwards.
  expect((await api.call('GET', '/v1/health')).status).toBe(200);
});

it('answers a request line over the HTTP parser’s limit with a 431 problem', async () => {
  const res = await api.call('GET', `/v1/templates?q=${'x'.repeat(20_000)}`, { token });
  expect(res.status).toBe(431);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(res.body.status).toBe(431);
});

it('answers JSON that a JavaScript parser would silently change with a 400 naming the field', async () => {
  const project = `/v1/projects/${projectId}`;
  // Each of these was stored as something else: the last of two titles, null for 1e309, a rounded
  // integer, a settings object without its "__proto__" key.
  const cases: [string, string][] = [
    ['{"title":"first","title":"second"}', 'body.title'],
    ['{"settings":{"a":1,"b":{"c":1,"\\u0063":2}}}', 'body.settings.b.c'],
    ['{"settings":{"inf":1e309}}', 'body.settings.inf'],
    ['{"settings":{"list":[1,-1E400]}}', 'body.settings.list.1'],
    ['{"settings":{"tiny":1e-400}}', 'body.settings.tiny'],
    ['{"settings":{"big":12345678901234567890123}}', 'body.settings.big'],
    ['{"settings":{"__proto__":{"x":1}}}', 'body.settings.__proto__'],
  ];
  for (const [body, field] of cases) {
    expectProblem(await api.call('PATCH', project, json(body)), 400, field);
  }
  // What JSON and JavaScript read alike passes, and comes back as sent.
  const fine = await api.call(
    'PATCH',
    project,
    json(
      '{"settings":{"max":9007199254740991,"neg":-0,"f":1.5e300,"e":2e-300,"k":{"a":1},"l":[{"a":1},{"a":2}]}}',
    ),
  );
  expect(fine.status, fine.text).toBe(200);
  expect(fine.body.settings).toEqual({
    max: 9007199254740991,
    neg: 0,
    f: 1.5e300,
    e: 2e-300,
    k: { a: 1 },
    l: [{ a: 1 }, { a: 2 }],
  });
});

it('answers a body declared in a charset other than UTF-8 with 415 instead of reading it as UTF-8', async () => {
  const send = (contentType: string, bytes: Buffer) =>
    fetch(`${api.url}/v1/projects`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
      body: bytes,
    });
  // "Café" in ISO-8859-1: read as UTF-8, its é became U+FFFD in the stored title.
  const latin1 = Buffer.from('{"title":"Café"}', 'latin1');
  for (const type of ['application/json; charset=iso-8859-1', 'application/json;charset="UTF-16"']) {
    const res = await send(type, latin1);
    expect(res.status, type).toBe(415);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(((await res.json()) as { detail: string }).detail).toMatch(/UTF-8/);
  }
  for (const type of ['application/json; charset=utf-8', 'application/json;charset="UTF-8"']) {
    const res = await send(type, Buffer.from('{"title":"Café"}'));
    expect(res.status, type).toBe(201);
    expect(((await res.json()) as { title: string }).title).toBe('Café');
  }
});

it('answers a body whose bytes are not UTF-8 with a 400 instead of storing U+FFFD in their place', async () => {
  // API Gateway hands a JSON body it does not take for text (merge-patch) over as its bytes, base64-encoded.
  const res = await fetch(`${api.url}/v1/projects/${projectId}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/merge-patch+json' },
    body: Buffer.concat([Buffer.from('{"title":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]),
  });
  expect(res.status).toBe(400);
  const problem = (await res.json()) as { errors: { path: string; message: string }[] };
  expect(problem.errors).toEqual([{ path: 'body', message: expect.stringMatching(/UTF-8/) }]);
  const kept = await api.call('GET', `/v1/projects/${projectId}`, { token });
  expect(kept.body.title).not.toContain('\uFFFD');
  // The same bytes as application/json, which API Gateway takes for text.
  const created = await fetch(`${api.url}/v1/projects`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: Buffer.concat([Buffer.from('{"title":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]),
  });
  expect(created.status).toBe(400);
  expect(((await created.json()) as { errors: { path: string }[] }).errors).toEqual([
    { path: 'body', message: expect.stringMatching(/UTF-8/) },
  ]);
});

it('answers a query parameter named __proto__ or like another Object.prototype member as an unknown one', async () => {
  for (const name of ['__proto__', 'constructor', 'toString']) {
    const res = await api.call('GET', `/v1/projects?${name}=x`, { token });
    expect(res.status, name).toBe(400);
    expect(res.body.errors, name).toEqual([{ path: 'query', message: `Unrecognized key: "${name}"` }]);
  }
});
