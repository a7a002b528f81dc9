/**
 * Requests generated from the OpenAPI document for every route, for the fuzz test (a fixed-seed sample in
 * `npm test`) and the fuzz benchmark (`npm run bench -- fuzz`, ≥ 10,000 requests against a server in
 * another process). Each request mixes valid values with boundary and invalid ones: wrong types, lengths
 * one past the limit, unicode (emoji, RTL override, lone surrogates), NUL, huge and deeply nested bodies,
 * bad cursors, malformed percent-encoding, bad tokens, and the ids of another user's resources.
 *
 * The oracle: no response is a 5xx, every 4xx is application/problem+json, and no request made with one
 * user's token succeeds on a project, clip or job of the other user.
 */
import fc from 'fast-check';

export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: JsonSchema;
}

interface Operation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema: JsonSchema }> };
  security?: unknown[];
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

/** The document with every `$ref` to a named schema replaced by that schema (named ones do not recurse). */
export function inlineSchemas(doc: OpenApiDocument): OpenApiDocument {
  const named = doc.components?.schemas ?? {};
  const inline = (value: unknown, depth: number): unknown => {
    if (Array.isArray(value)) return value.map((v) => inline(v, depth));
    if (!value || typeof value !== 'object') return value;
    const ref = (value as { $ref?: unknown }).$ref;
    if (typeof ref === 'string' && ref.startsWith('#/components/schemas/') && depth < 8)
      return inline(named[ref.slice('#/components/schemas/'.length)], depth + 1);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inline(v, depth)]));
  };
  return { ...doc, paths: inline(doc.paths, 0) as OpenApiDocument['paths'] };
}

/** Two users and what each owns; ids are added as the fuzz creates resources. */
export interface FuzzWorld {
  users: { token: string; userId: string; apiKey: string }[];
  /** Ids by owner index, by kind (project, clip, job, template). */
  owned: Map<string, { owner: number; kind: string }>;
}

export interface FuzzRequest {
  method: string;
  /** The route template, for reporting. */
  route: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Index of the user whose token is sent (undefined: no or a bad token). */
  as?: number;
  /** The path ids sent and who owns them, for the cross-user check. */
  ids: string[];
}

export interface FuzzOutcome {
  status: number;
  contentType: string | null;
  text: string;
}

// ---------------------------------------------------------------- values

const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '%00',
  '\ud800',
  'x\udfff',
  '\u202eevil',
  '\u200b',
  '🎬🦊',
  'naïve café',
  "' OR 1=1 --",
  '"; DROP TABLE users; --',
  '../../etc/passwd',
  '{{constructor}}',
  '{{__proto__}}',
  '__proto__',
  'constructor',
  '<script>alert(1)</script>',
  '\\',
  '\n\r\t',
  'null',
  '-1',
  '1e400',
  'NaN',
  '0x10',
];

const nastyString = fc.oneof(
  fc.constantFrom(...NASTY_STRINGS),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ maxLength: 20 }).map((s) => `${s}\u0000${s}`),
);

const junk: fc.Arbitrary<unknown> = fc.oneof(
  nastyString,
  fc.integer(),
  fc.constantFrom(-1, 0, 1, 2 ** 31, 2 ** 53, -(2 ** 53), 1e308, -1e-308, 0.5),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.uuid(),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
);

function deepValue(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i += 1) value = i % 2 ? [value] : { a: value };
  return value;
}

const freeForm = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }),
  },
  { weight: 1, arbitrary: fc.constantFrom(deepValue(40), deepValue(2000)) },
  { weight: 1, arbitrary: fc.constant({ big: 'x'.repeat(20_000) }) },
  {
    weight: 1,
    arbitrary: fc.constant(JSON.parse('{"__proto__":{"admin":true},"constructor":{"prototype":1}}')),
  },
);

/** Job parameters as a client would send them, mostly valid for the local model. */
const jobParameters = fc.record(
  {
    model: fc.oneof(fc.constantFrom('local', 'nova-reel', 'luma-ray2'), junk),
    durationSeconds: fc.oneof(fc.integer({ min: 1, max: 12 }), junk),
    resolution: fc.oneof(fc.constantFrom('480p', '720p', '1080p', '4k'), junk),
    fps: fc.oneof(fc.constantFrom(24, 30, 60), junk),
    seed: fc.integer(),
    variables: fc.dictionary(
      fc.oneof(fc.constantFrom('animal', 'constructor', '__proto__'), fc.string({ maxLength: 8 })),
      fc.oneof(fc.string({ maxLength: 20 }), junk),
      { maxKeys: 3 },
    ),
    clips: fc.array(fc.record({ clipId: fc.uuid(), start: junk, end: junk }, { requiredKeys: [] }), {
      maxLength: 3,
    }),
    mode: fc.oneof(fc.constantFrom('UPSCALE', 'INTERPOLATE', 'FRAMEFORMER', 'DENOISE'), junk),
  },
  { requiredKeys: [] },
);

function typesOf(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  if (schema.type) return [schema.type];
  if (schema.properties) return ['object'];
  return [];
}

/** Values the schema accepts (mostly), with ids drawn from the world where a uuid is asked for. */
function validValue(schema: JsonSchema, ids: fc.Arbitrary<string>, field = ''): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.const !== undefined) return fc.constant(schema.const);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((s) => validValue(s, ids, field)));
  const types = typesOf(schema);
  if (types.length > 1) return fc.oneof(...types.map((type) => validValue({ ...schema, type }, ids, field)));
  switch (types[0]) {
    case 'string':
      return validString(schema, ids, field);
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? (schema.exclusiveMinimum ?? -1) + 1;
      const max = Math.min(schema.maximum ?? 1_000_000, 1_000_000_000);
      return types[0] === 'integer'
        ? fc.integer({ min, max: Math.max(min, max) })
        : fc.double({ min, max, noNaN: true });
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(validValue(schema.items ?? {}, ids, field), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 5, 5),
      });
    case 'object':
      return validObject(schema, ids, field);
    default:
      return junk;
  }
}

function validString(schema: JsonSchema, ids: fc.Arbitrary<string>, field: string): fc.Arbitrary<string> {
  if (schema.format === 'uuid') return ids;
  if (schema.format === 'email' || field === 'email') return fc.emailAddress();
  if (schema.format === 'date-time')
    return fc
      .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString());
  if (field === 'password') return fc.constantFrom('Secret123', 'Pw12345678A', 'Another1Pass');
  if (field === 'username') return fc.stringMatching(/^[a-z][a-z0-9_]{2,20}$/);
  if (field === 'contentType')
    return fc.constantFrom('video/mp4', 'video/quicktime', 'image/png', 'text/html');
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? 60, 60));
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength, maxLength }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength, maxLength }) },
  );
}

function validObject(schema: JsonSchema, ids: fc.Arbitrary<string>, field: string): fc.Arbitrary<unknown> {
  if (!schema.properties) return field === 'parameters' ? jobParameters : freeForm;
  const shape: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, property] of Object.entries(schema.properties)) {
    shape[name] = name === 'parameters' ? fc.oneof(jobParameters, freeForm) : validValue(property, ids, name);
  }
  return fc.record(shape, { requiredKeys: schema.required ?? [] });
}

/** Values one step outside the schema: boundaries, wrong types, hostile strings. */
function invalidValue(schema: JsonSchema): fc.Arbitrary<unknown> {
  const edges: fc.Arbitrary<unknown>[] = [junk, nastyString];
  const types = typesOf(schema);
  if (types.includes('string')) {
    if (schema.maxLength !== undefined) {
      edges.push(fc.constant('x'.repeat(schema.maxLength)), fc.constant('x'.repeat(schema.maxLength + 1)));
      edges.push(fc.constant('é'.repeat(schema.maxLength + 1)), fc.constant('🦊'.repeat(schema.maxLength)));
    }
    if (schema.minLength) edges.push(fc.constant('x'.repeat(schema.minLength - 1)));
    edges.push(fc.constant('x'.repeat(100_000)));
  }
  if (types.includes('integer') || types.includes('number')) {
    const limits = [schema.minimum, schema.maximum, schema.exclusiveMinimum, schema.exclusiveMaximum].filter(
      (x): x is number => typeof x === 'number',
    );
    edges.push(
      fc.constantFrom(
        ...limits.flatMap((x) => [x - 1, x, x + 1, x + 0.5]),
        1e308,
        -1e308,
        2 ** 53 + 2,
        '12',
        0,
      ),
    );
  }
  if (types.includes('array'))
    edges.push(
      fc.constant(
        Array.from({ length: (schema.maxItems ?? 10) + 1 }, () => '00000000-0000-4000-8000-000000000000'),
      ),
    );
  return fc.oneof(...edges);
}

function bodyValue(schema: JsonSchema, ids: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
  const properties = Object.entries(schema.properties ?? {});
  const valid = validValue(schema, ids);
  const arbitraries: fc.WeightedArbitrary<unknown>[] = [
    { weight: 5, arbitrary: valid },
    { weight: 1, arbitrary: junk },
    { weight: 1, arbitrary: fc.array(junk, { maxLength: 3 }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(valid, fc.string({ maxLength: 10 }), junk)
        .map(([v, key, value]) => (v && typeof v === 'object' ? { ...(v as object), [key]: value } : v)),
    },
  ];
  if (properties.length) {
    // One field replaced by an invalid value, or dropped.
    arbitraries.push({
      weight: 6,
      arbitrary: fc.tuple(valid, fc.constantFrom(...properties)).chain(([v, [name, property]]) =>
        fc.option(invalidValue(property), { nil: undefined, freq: 8 }).map((bad) => {
          const copy = { ...(v as Record<string, unknown>) };
          if (bad === undefined) delete copy[name];
          else copy[name] = bad;
          return copy;
        }),
      ),
    });
  }
  return fc.oneof(...arbitraries);
}

// ---------------------------------------------------------------- requests

/** A value as it would appear in a URL: objects as JSON (String() throws on `{"toString":"x"}`). */
const text = (value: unknown): string =>
  value !== null && typeof value === 'object' ? JSON.stringify(value) : String(value);

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A raw body that is not a JSON rendering of a value: broken, deep, huge, or not JSON at all. */
const rawBodies = fc.constantFrom(
  '{',
  '{"title": "unterminated',
  'null',
  '[]',
  '"text"',
  '\u0000',
  '{"title":"a\\u0000b"}',
  `{"settings":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`,
  `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
  `{"title":"${'x'.repeat(1024 * 1024 + 10)}"}`,
  `{"title":"\\ud800\\udc00\\ud800"}`,
  '{"title":"x","title":"y"}',
  '{"__proto__":{"isAdmin":true},"title":"p"}',
);

const badCursor = fc.oneof(
  fc
    .constantFrom(
      '0000-01-01T00:00:00.000Z',
      '+275760-09-13T00:00:00.000Z',
      '-271821-04-20T00:00:00.000Z',
      '+010000-01-01T00:00:00.000Z',
      '1970-01-01T00:00:00.000Z',
      'not a date',
    )
    .chain((at) =>
      fc
        .constantFrom('00000000-0000-4000-8000-000000000000', 'x', '')
        .map((id) => Buffer.from(JSON.stringify([at, id])).toString('base64url')),
    ),
  fc.string({ maxLength: 30 }),
  fc.constantFrom('%00', '!!!', 'W10', 'bnVsbA', 'x'.repeat(600)),
  fc.jsonValue({ maxDepth: 2 }).map((v) => Buffer.from(JSON.stringify(v)).toString('base64url')),
);

const badPathSegments = fc.oneof(
  fc.constantFrom(
    '%',
    '%E0%A4%A',
    '%ZZ',
    '%00',
    '%2F',
    '..',
    '.',
    '%2e%2e',
    'x'.repeat(2000),
    '%F0%9F%A6%8A',
  ),
  nastyString.filter((s) => s.length > 0).map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, 'x'))),
);

export function requestArbitrary(document: OpenApiDocument, world: FuzzWorld): fc.Arbitrary<FuzzRequest> {
  const doc = inlineSchemas(document);
  const ownedIds = () => [...world.owned.keys()];
  const ids: fc.Arbitrary<string> = fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .constant(null)
        .map(() => ownedIds())
        .chain((all) => (all.length ? fc.constantFrom(...all) : fc.uuid())),
    },
    { weight: 1, arbitrary: fc.uuid() },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '00000000-0000-0000-0000-000000000000',
        'ffffffff-ffff-ffff-ffff-ffffffffffff',
      ),
    },
  );
  const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ path, method: method.toUpperCase(), op })),
  );
  const generic = fc.constantFrom(...operations).chain(({ path, method, op }) => {
    const parameters = op.parameters ?? [];
    const pathParams = parameters.filter((p) => p.in === 'path');
    const queryParams = parameters.filter((p) => p.in === 'query');
    const bodySchema = op.requestBody?.content?.['application/json']?.schema;
    const segment = (p: Parameter) =>
      fc.oneof(
        { weight: 8, arbitrary: validValue(p.schema, ids, p.name).map((v) => encodeURIComponent(text(v))) },
        { weight: 2, arbitrary: badPathSegments },
      );
    const queryValue = (p: Parameter) =>
      fc.option(
        p.name === 'cursor'
          ? badCursor
          : fc.oneof(
              { weight: 3, arbitrary: validValue(p.schema, ids, p.name).map(text) },
              { weight: 1, arbitrary: invalidValue(p.schema).map(text) },
            ),
        { nil: undefined, freq: 2 },
      );
    const body = bodySchema
      ? fc.oneof(
          { weight: 10, arbitrary: bodyValue(bodySchema, ids).map((v) => JSON.stringify(v) ?? 'null') },
          { weight: 1, arbitrary: rawBodies },
        )
      : method === 'GET'
        ? fc.constant(undefined)
        : fc.option(
            fc.oneof(
              rawBodies,
              fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
            ),
            { freq: 6, nil: undefined },
          );
    const auth = fc.oneof(
      {
        weight: 6,
        arbitrary: fc
          .integer({ min: 0, max: world.users.length - 1 })
          .map((as) => ({ as, header: `Bearer ${world.users[as]?.token}` })),
      },
      {
        weight: 2,
        arbitrary: fc
          .integer({ min: 0, max: world.users.length - 1 })
          .map((as) => ({ as, header: `Bearer ${world.users[as]?.apiKey}` })),
      },
      {
        weight: 1,
        arbitrary: fc
          .constantFrom(
            undefined,
            'Bearer',
            `Bearer avk_${'A'.repeat(43)}`,
            'Bearer avk_',
            'Bearer ',
            'Bearer a.b.c',
            'Basic dXNlcjpwYXNz',
            'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
            'Bearer \u00ff',
          )
          .map((header) => ({ as: undefined as number | undefined, header })),
      },
    );
    const contentType = fc.oneof(
      { weight: 12, arbitrary: fc.constant('application/json') },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          'text/plain',
          'application/json; charset=utf-16',
          'application/merge-patch+json',
          'multipart/form-data',
          '',
        ),
      },
    );
    return fc
      .record({
        segments: fc.tuple(...pathParams.map(segment)),
        query: fc.tuple(...queryParams.map(queryValue)),
        extraQuery: fc.option(fc.tuple(fc.constantFrom('limit', 'x', '__proto__', 'cursor'), nastyString), {
          freq: 5,
          nil: undefined,
        }),
        body,
        auth,
        contentType,
        ifNoneMatch: fc.option(fc.constantFrom('*', '"abc"', 'W/"x", "y"'), { freq: 10, nil: undefined }),
      })
      .map(({ segments, query, extraQuery, body: generated, auth, contentType, ifNoneMatch }) => {
        const body =
          method === 'DELETE' && path === '/v1/me' && auth.as !== undefined
            ? withoutErasure(generated)
            : generated;
        let i = 0;
        const sentIds: string[] = [];
        const concrete = path.replace(/\{[^}]+\}/g, () => {
          const value = segments[i++] ?? 'x';
          if (uuidPattern.test(value)) sentIds.push(value);
          return value;
        });
        const search = new URLSearchParams();
        queryParams.forEach((p, j) => {
          const value = query[j];
          if (value !== undefined) search.append(p.name, value.replaceAll(/[\ud800-\udfff]/g, '?'));
        });
        if (extraQuery) search.append(extraQuery[0], extraQuery[1].replaceAll(/[\ud800-\udfff]/g, '?'));
        const qs = search.toString();
        const headers: Record<string, string> = {};
        if (auth.header !== undefined) headers.authorization = auth.header;
        if (body !== undefined && contentType) headers['content-type'] = contentType;
        if (ifNoneMatch) headers['if-none-match'] = ifNoneMatch;
        const request: FuzzRequest = {
          method,
          route: `${method} ${path}`,
          path: `${concrete}${qs ? `?${qs}` : ''}`,
          headers,
          ids: sentIds,
          ...(body !== undefined ? { body } : {}),
          ...(auth.as !== undefined ? { as: auth.as } : {}),
        };
        return request;
      });
  });
  // One request in 200 is a job that passes validation, on the caller's own project (send() cancels it
  // at once), so that the accepted path is fuzzed too without loading the ffmpeg pipeline.
  const validJob = fc.integer({ min: 0, max: world.users.length - 1 }).chain((as) => {
    const own = [...world.owned].filter(([, o]) => o.owner === as && o.kind === 'project').map(([id]) => id);
    return fc.constantFrom(...(own.length ? own : ['00000000-0000-4000-8000-000000000000'])).map(
      (projectId): FuzzRequest => ({
        method: 'POST',
        route: 'POST /v1/projects/{projectId}/jobs',
        path: `/v1/projects/${projectId}/jobs`,
        headers: { authorization: `Bearer ${world.users[as]?.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          jobType: 'GENERATE',
          prompt: 'a red fox in snow',
          parameters: { model: 'local', durationSeconds: 2 },
        }),
        as,
        ids: [projectId],
      }),
    );
  });
  return fc.oneof({ weight: 199, arbitrary: generic }, { weight: 1, arbitrary: validJob });
}

/**
 * Erasing a fuzz user would end the run early: DELETE /v1/me as a world user always carries a wrong password
 * (a 403), unless its body is no JSON object at all (a 400 or 415 anyway).
 */
function withoutErasure(body: string | undefined): string {
  let parsed: unknown = {};
  try {
    parsed = body === undefined ? {} : JSON.parse(body);
  } catch {
    return body ?? '';
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return body ?? '';
  try {
    return JSON.stringify({ ...parsed, password: 'Not-the-password-1' });
  } catch {
    // Nested deeper than JSON.stringify's stack allows (JSON.parse allows more): the wrong password goes in
    // as text, last, so it wins over any password the generator wrote.
    return `${(body ?? '{}').replace(/\}\s*$/, '')},"password":"Not-the-password-1"}`;
  }
}

/** What is wrong with a response, or undefined when it is acceptable. */
export function verdict(request: FuzzRequest, outcome: FuzzOutcome, world: FuzzWorld): string | undefined {
  if (outcome.status >= 500) return `${outcome.status}`;
  if (outcome.status >= 400 && outcome.contentType !== 'application/problem+json')
    return `${outcome.status} as ${outcome.contentType}`;
  if (outcome.status < 300 && request.as !== undefined) {
    for (const id of request.ids) {
      const owner = world.owned.get(id);
      // Another user's public template may be read; nothing else of theirs.
      if (!owner || owner.owner === request.as) continue;
      if (owner.kind === 'template' && request.method === 'GET') continue;
      return `${outcome.status} on another user's ${owner.kind}`;
    }
  }
  return undefined;
}

const KIND_BY_PREFIX: [RegExp, string][] = [
  [/^\/v1\/projects\/[^/]+\/jobs$/, 'job'],
  [/^\/v1\/projects\/[^/]+\/uploads$/, 'job'],
  [/^\/v1\/projects$/, 'project'],
  [/^\/v1\/templates$/, 'template'],
  [/^\/v1\/api-keys$/, 'apiKey'],
  [/^\/v1\/me\/export$/, 'export'],
];

/** Remembers what a successful create made, so later requests can use (and cross-use) its id. */
export function learn(request: FuzzRequest, outcome: FuzzOutcome, world: FuzzWorld): string | undefined {
  if (request.method !== 'POST' || outcome.status >= 300 || request.as === undefined) return undefined;
  const path = request.path.split('?')[0] ?? '';
  const kind = KIND_BY_PREFIX.find(([pattern]) => pattern.test(path))?.[1];
  if (!kind) return undefined;
  try {
    const body = JSON.parse(outcome.text) as { id?: string; uploadId?: string; exportId?: string };
    const id = body.id ?? body.uploadId ?? body.exportId;
    if (typeof id === 'string') {
      world.owned.set(id, { owner: request.as, kind });
      return kind === 'job' && path.endsWith('/jobs') ? id : undefined;
    }
  } catch {
    // not JSON: nothing to learn
  }
  return undefined;
}

export interface FuzzTally {
  total: number;
  serverErrors: number;
  nonProblem4xx: number;
  crossUser: number;
  transportErrors: number;
  /** Jobs the fuzz got accepted (each cancelled at once). */
  jobsCancelled: number;
  byStatus: Record<string, number>;
  failures: { request: string; problem: string; response: string }[];
}

export function newTally(): FuzzTally {
  return {
    total: 0,
    serverErrors: 0,
    nonProblem4xx: 0,
    crossUser: 0,
    transportErrors: 0,
    jobsCancelled: 0,
    byStatus: {},
    failures: [],
  };
}

/** Sends one request; a job the fuzz started is cancelled at once, so the pipeline never piles up. */
export async function send(
  baseUrl: string,
  request: FuzzRequest,
  world: FuzzWorld,
  tally: FuzzTally,
): Promise<void> {
  tally.total += 1;
  let outcome: FuzzOutcome;
  try {
    const res = await fetch(`${baseUrl}${request.path}`, {
      method: request.method,
      headers: request.headers,
      ...(request.body !== undefined ? { body: request.body } : {}),
    });
    const contentType = res.headers.get('content-type');
    // A live event stream never ends by itself: its status and headers are the answer.
    const stream = contentType?.startsWith('text/event-stream');
    if (stream) await res.body?.cancel();
    outcome = { status: res.status, contentType, text: stream ? '' : await res.text() };
  } catch (error) {
    tally.transportErrors += 1;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    tally.failures.push({
      request: describeRequest(request),
      problem: 'transport',
      response: `${(error as Error).message}: ${cause?.code ?? ''} ${cause?.message ?? ''}`,
    });
    return;
  }
  tally.byStatus[outcome.status] = (tally.byStatus[outcome.status] ?? 0) + 1;
  const problem = verdict(request, outcome, world);
  if (problem) {
    if (outcome.status >= 500) tally.serverErrors += 1;
    else if (outcome.status >= 400) tally.nonProblem4xx += 1;
    else tally.crossUser += 1;
    tally.failures.push({ request: describeRequest(request), problem, response: outcome.text.slice(0, 300) });
  }
  const jobId = learn(request, outcome, world);
  if (jobId && request.as !== undefined) {
    tally.jobsCancelled += 1;
    await fetch(`${baseUrl}/v1/jobs/${jobId}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${world.users[request.as]?.token}` },
    }).then(
      (r) => r.text(),
      () => undefined,
    );
  }
}

export function describeRequest(request: FuzzRequest): string {
  const body =
    request.body === undefined
      ? ''
      : ` ${request.body.length > 200 ? `${request.body.slice(0, 200)}… (${request.body.length} chars)` : request.body}`;
  return `${request.method} ${request.path.slice(0, 200)} as=${request.as ?? '-'}${body}`;
}

/** Two users, each with a project and a template, created through the API itself. */
export async function seedWorld(baseUrl: string): Promise<FuzzWorld> {
  const world: FuzzWorld = { users: [], owned: new Map() };
  const call = async (method: string, path: string, body: unknown, token?: string) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, string>;
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  for (let i = 0; i < 2; i += 1) {
    const tag = `${Date.now().toString(36)}${i}${Math.random().toString(36).slice(2, 8)}`;
    const email = `fuzz${tag}@example.com`;
    const signUp = await call('POST', '/v1/auth/signup', {
      email,
      username: `fz_${tag}`.slice(0, 30),
      password: 'Secret123',
    });
    const login = await call('POST', '/v1/auth/login', { email, password: 'Secret123' });
    const token = login.accessToken as string;
    const key = await call('POST', '/v1/api-keys', { name: 'fuzz', scopes: ['read', 'write'] }, token);
    world.users.push({ token, userId: signUp.userId as string, apiKey: key.key as string });
    for (let p = 0; p < 2; p += 1) {
      const project = await call('POST', '/v1/projects', { title: `Fuzz ${i}.${p}` }, token);
      world.owned.set(project.id as string, { owner: i, kind: 'project' });
    }
    const template = await call(
      'POST',
      '/v1/templates',
      { name: `Fuzz ${i}`, category: 'general', prompt: 'a {{animal}} in snow' },
      token,
    );
    world.owned.set(template.id as string, { owner: i, kind: 'template' });
  }
  return world;
}
