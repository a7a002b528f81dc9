/**
 * The API functions load at cold start only the SDK packages every request uses (the RDS Data API, and
 * DynamoDB, where API keys' failed checks are counted; audit entries are log lines); S3, Cognito, Step
 * Functions and Secrets Manager are imported on first use.
 * The pipeline tasks and event handlers import MediaConvert (only the probe uses it) and Bedrock (only the
 * generation tasks) on first use. What a bundle evaluates at init is what its entry reaches through static
 * imports and requires (a dynamic import is evaluated when it runs): the Tracer, the X-Ray SDK and Powertools
 * idempotency are not among it, and an API function reaches no service but its own area's.
 */
import path from 'node:path';
import { getTableName } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { FUNCTION_ENTRIES } from '../../../infra/functions.ts';
import { schema } from '../../../shared/db/tables.ts';
import { buildFunctionBundle as bundle } from '../../support/function-bundle.ts';

const EVERY_REQUEST = new Set([
  '@aws-sdk/client-rds-data',
  '@aws-sdk/client-dynamodb',
  '@aws-sdk/lib-dynamodb',
  '@aws-sdk/util-dynamodb',
]);

async function sdkImports(entry: string) {
  const result = await bundle(entry);
  const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint);
  const sdk = (output?.imports ?? []).filter((i) => i.external && i.path.startsWith('@aws-sdk/'));
  return {
    atLoad: new Set(sdk.filter((i) => i.kind !== 'dynamic-import').map((i) => i.path)),
    onFirstUse: new Set(sdk.filter((i) => i.kind === 'dynamic-import').map((i) => i.path)),
  };
}

/** The bundle's inputs evaluated when it loads, and the modules its entry file imports itself. */
async function evaluatedAtInit(entry: string) {
  const { metafile } = await bundle(entry);
  const start = path.relative(
    path.resolve(import.meta.dirname, '../../..'),
    path.resolve(import.meta.dirname, '../../..', entry),
  );
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length) {
    const input = stack.pop() as string;
    if (seen.has(input)) continue;
    seen.add(input);
    for (const i of metafile.inputs[input]?.imports ?? []) {
      if (!i.external && (i.kind === 'import-statement' || i.kind === 'require-call')) stack.push(i.path);
    }
  }
  const direct = new Set((metafile.inputs[start]?.imports ?? []).map((i) => i.path));
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint);
  const builtinsAtLoad = (output?.imports ?? [])
    .filter((i) => i.external && i.kind === 'import-statement' && !i.path.startsWith('@aws-sdk/'))
    .map((i) => i.path.replace(/^node:/, ''));
  return { seen: [...seen], direct, builtinsAtLoad };
}

const SERVICES = ['clips', 'jobs', 'projects', 'uploads', 'webhooks'].map((d) => `shared/${d}/service.ts`);
const TRACING_ONLY = ['node_modules/aws-xray-sdk-core/', 'node_modules/@aws-lambda-powertools/tracer/'];

describe('what a bundle evaluates at init', () => {
  it.each(FUNCTION_ENTRIES)(
    '$name evaluates neither the Tracer nor idempotency at init',
    async ({ entry }) => {
      const { seen, builtinsAtLoad } = await evaluatedAtInit(entry);
      const heavy = [...TRACING_ONLY, 'node_modules/@aws-lambda-powertools/idempotency/'];
      expect(seen.filter((input) => heavy.some((pkg) => input.includes(pkg)))).toEqual([]);
      // An ES module import of node:http makes Node build its namespace, which loads the internal undici.
      expect(builtinsAtLoad).not.toContain('http');
    },
  );

  it.each(FUNCTION_ENTRIES.filter((f) => f.name.startsWith('api-')))(
    '$name reaches at init only the service of its own area',
    async ({ name, entry }) => {
      const { seen, direct } = await evaluatedAtInit(entry);
      const own = `shared/${name.slice('api-'.length)}/service.ts`;
      expect(seen.filter((input) => SERVICES.includes(input) && input !== own && !direct.has(input))).toEqual(
        [],
      );
    },
  );

  // A schema module builds (on first use) every schema of its area and those they are made of: the templates
  // function takes the job prompt, and the event stream its query, without the job, clip or webhook schemas.
  it.each([
    { name: 'api-templates', others: ['jobs', 'clips'] },
    { name: 'api-events', others: ['jobs', 'clips', 'webhooks'] },
  ])('$name bundles none of the schema modules of $others', async ({ name, others }) => {
    const entry = FUNCTION_ENTRIES.find((f) => f.name === name)?.entry as string;
    const { metafile } = await bundle(entry);
    const schemas = others.map((area) => `shared/${area}/schema.ts`);
    expect(Object.keys(metafile.inputs).filter((input) => schemas.includes(input))).toEqual([]);
  });

  // A dynamic import of a module inside the bundle makes esbuild wrap that module and everything it imports
  // (zod, drizzle, the tables) in lazy initialisers: parsed twice and trimmed less by tree shaking.
  it.each(FUNCTION_ENTRIES)('$name imports none of its own ES modules dynamically', async ({ entry }) => {
    const { metafile } = await bundle(entry);
    const dynamic = Object.entries(metafile.inputs).flatMap(([from, input]) =>
      input.imports
        .filter(
          (i) => i.kind === 'dynamic-import' && !i.external && /^(shared|functions)\/.*\.ts$/.test(i.path),
        )
        .map((i) => `${from} -> ${i.path}`),
    );
    expect(dynamic).toEqual([]);
  });
});

// Every schema is written with zod/mini (shared/schema/zod.ts): classic zod, methods and all, added about
// 90 KB to a bundle and 8 ms to its init, and one import of it anywhere brings it all back.
it.each(FUNCTION_ENTRIES)('$name carries no classic zod', async ({ entry }) => {
  const { metafile } = await bundle(entry);
  expect(Object.keys(metafile.inputs).filter((input) => input.includes('zod/v4/classic/'))).toEqual([]);
});

describe('tables in a bundle', () => {
  // Every table a bundle holds is built at init (its columns, indexes and checks): a function whose code
  // reads only the users table carries no other.
  it('cognito-post-confirmation defines the users table and no other', async () => {
    const entry = FUNCTION_ENTRIES.find((f) => f.name === 'cognito-post-confirmation')?.entry as string;
    const { outputFiles } = await bundle(entry);
    const code = outputFiles?.find((f) => f.path.endsWith('.js'))?.text ?? '';
    const defined = Object.values(schema)
      .map((table) => getTableName(table))
      .filter((name) => new RegExp(`\\("${name}",`).test(code));
    expect(defined).toEqual(['users']);
  });
});

describe('API function bundles', () => {
  const api = FUNCTION_ENTRIES.filter((f) => f.name.startsWith('api-'));

  // Only the functions whose routes store or sign media carry the S3 client (shared/runtime/aws.ts).
  // api-jobs deletes a waiting upload's file when its job is cancelled.
  const S3_USERS = ['api-projects', 'api-clips', 'api-uploads', 'api-me', 'api-jobs'];

  it.each(api)('$name imports at load only the SDK packages every request uses', async ({ name, entry }) => {
    const { atLoad, onFirstUse } = await sdkImports(entry);
    expect([...atLoad].filter((p) => !EVERY_REQUEST.has(p))).toEqual([]);
    expect(onFirstUse.has('@aws-sdk/client-s3')).toBe(S3_USERS.includes(name));
    expect(onFirstUse).toContain('@aws-sdk/client-cognito-identity-provider');
  });
});

describe('pipeline and event function bundles', () => {
  const others = FUNCTION_ENTRIES.filter((f) => !f.name.startsWith('api-') && f.name !== 'migrate');

  it.each(others)('$name imports MediaConvert and Bedrock only on first use', async ({ entry }) => {
    const { atLoad } = await sdkImports(entry);
    expect(atLoad).not.toContain('@aws-sdk/client-mediaconvert');
    expect(atLoad).not.toContain('@aws-sdk/client-bedrock-runtime');
  });

  // Its Step Functions client starts an owner's waiting uploads, which most ended executions have none of.
  it('execution-ended imports Step Functions only on first use', async () => {
    const { atLoad, onFirstUse } = await sdkImports('functions/events/execution-ended.ts');
    expect(atLoad).not.toContain('@aws-sdk/client-sfn');
    expect(onFirstUse).toContain('@aws-sdk/client-sfn');
  });
});
