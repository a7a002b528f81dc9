/**
 * The files beside a bundle (infra/files-beside-bundle.ts) as `cdk synth` writes them (AppFunction, bundling
 * on), for the functions that tell them apart: api-system imports the OpenAPI document's builder, api-jobs
 * Powertools idempotency, api-auth and api-templates neither; each has the Tracer. Each file is beside the
 * bundles that import it and not inside them, and loads on its own next to the bundle, as Lambda would load
 * it; run as Lambda runs it, the bundle loads the Tracer's file only for an invocation X-Ray samples.
 */
import { execFile } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '#infra/constructs/app-function.ts';
import {
  FILES_BESIDE_BUNDLE,
  type FileBesideBundle,
  fileName,
  IDEMPOTENCY,
  OPENAPI,
  TRACER,
} from '#infra/files-beside-bundle.ts';
import { BUNDLE_OPTIONS } from '#infra/functions.ts';
import { openApiDocument } from '#shared/http/openapi.ts';
import { FAKE_FUNCTION_ENV } from '#test/support/fake-function-env.ts';
import { TRACE_ROOT } from '#test/support/lambda-tracing-env.ts';
import { checkBundles, synthApiAssets } from '#test/support/synth-assets.ts';

const exec = promisify(execFile);

// Inside the project, so the bare `@aws-sdk/*` imports resolve from its node_modules (the runtime's copy on
// Lambda).
const OUT = path.join(PROJECT_ROOT, '.bench', `files-beside-bundle-${process.pid}`);
const FUNCTIONS = ['system', 'templates', 'jobs', 'auth'] as const;
type Fn = (typeof FUNCTIONS)[number];
let assets: Record<Fn, string>;

beforeAll(() => {
  assets = synthApiAssets(OUT, FUNCTIONS);
  for (const fn of FUNCTIONS) expect(assets[fn], fn).not.toBe('');
}, 240_000);

afterAll(async () => {
  await rm(OUT, { recursive: true, force: true });
});

/** What tells one file beside the bundle apart in the assets. */
interface Case {
  file: FileBesideBundle;
  name: string;
  /** A function whose bundle imports it. */
  with: Fn;
  /** A function whose bundle does not import it (none for a file beside every bundle). */
  without?: Fn;
  /** A string of its code that minifying keeps: in the file only. */
  message: string;
  /** Inputs of its code that the bundle must not list. */
  inside: (input: string) => boolean;
  /** A script that imports the file (its URL) and prints what it builds, and what that must be. */
  loads?: { script: (url: string) => string; expected: () => unknown };
}

const CASES: Case[] = [
  {
    file: TRACER,
    name: fileName(TRACER),
    with: 'auth',
    message: 'AWS_XRAY_DAEMON_ADDRESS',
    inside: (input) =>
      ['node_modules/aws-xray-sdk-core/', 'node_modules/@aws-lambda-powertools/tracer/'].some((pkg) =>
        input.includes(pkg),
      ),
    // Loaded as the bundle loads it: see 'the Tracer beside the bundle' below.
  },
  {
    file: IDEMPOTENCY,
    name: fileName(IDEMPOTENCY),
    with: 'jobs',
    without: 'auth',
    message: 'Failed to save in progress record to idempotency store',
    inside: (input) => input.includes('node_modules/@aws-lambda-powertools/idempotency/'),
    loads: {
      script: (url) =>
        [
          "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
          `const m = await import(${url});`,
          "const store = new m.DynamoDBPersistenceLayer({ tableName: 't', awsSdkV3Client: new DynamoDBClient({ region: 'eu-west-1' }) });",
          "const config = new m.IdempotencyConfig({ eventKeyJmesPath: 'key', payloadValidationJmesPath: 'payload' });",
          'const run = m.makeIdempotent(async () => 1, { persistenceStore: store, config });',
          'const errors = [m.IdempotencyValidationError, m.IdempotencyAlreadyInProgressError].map((E) => new E("x") instanceof Error);',
          'process.stdout.write(JSON.stringify({ run: typeof run, errors }));',
        ].join('\n'),
      expected: () => ({ run: 'function', errors: [true, true] }),
    },
  },
  {
    file: OPENAPI,
    name: fileName(OPENAPI),
    with: 'system',
    without: 'templates',
    message: 'has no OpenAPI operation',
    inside: (input) => input === 'shared/http/openapi.ts' || input.endsWith('/schema.ts'),
    loads: {
      script: (url) =>
        `const m = await import(${url}); process.stdout.write(JSON.stringify(m.openApiDocument()));`,
      expected: () => JSON.parse(JSON.stringify(openApiDocument())),
    },
  },
];

const read = (fn: Fn, file: string) => readFileSync(path.join(assets[fn], file), 'utf8');

describe('the files beside the bundles', () => {
  it('are each told apart here', () => {
    expect(CASES.map((c) => c.file)).toEqual(FILES_BESIDE_BUNDLE);
  });

  it.each(CASES)('$name is a file of its own beside $with, and the bundle keeps only the import', (c) => {
    const bundle = read(c.with, 'index.mjs');
    const file = read(c.with, c.name);
    expect(bundle).toContain(c.file.module);
    expect(file).toContain(c.message);
    expect(bundle).not.toContain(c.message);
    const inputs = Object.keys((JSON.parse(read(c.with, 'index.meta.json')) as { inputs: object }).inputs);
    expect(inputs.filter(c.inside)).toEqual([]);
  });

  it.each(CASES)('$name is written only beside the bundles that import it, or beside every one', (c) => {
    expect(c.without === undefined).toBe(!c.file.onlyWhereImported);
    if (c.without) {
      expect(read(c.without, 'index.mjs')).not.toContain(c.file.module);
      expect(existsSync(path.join(assets[c.without], c.name))).toBe(false);
    } else {
      for (const fn of FUNCTIONS) expect(existsSync(path.join(assets[fn], c.name)), fn).toBe(true);
    }
  });

  it.each(CASES.filter((c) => c.loads))(
    '$name loads beside the bundle and builds what it is for',
    async (c) => {
      const url = JSON.stringify(pathToFileURL(path.join(assets[c.with], c.name)).href);
      const { stdout } = await exec(process.execPath, ['--input-type=module', '-e', c.loads!.script(url)], {
        cwd: PROJECT_ROOT,
        maxBuffer: 16 * 1024 * 1024,
      });
      expect(JSON.parse(stdout)).toEqual(c.loads!.expected());
    },
  );

  it('pass check-bundles as synth writes them', async () => {
    await expect(checkBundles(OUT)).resolves.toMatchObject({
      stdout: expect.stringContaining(`${FUNCTIONS.length} Lambda bundles checked`),
    });
  });

  it.each(CASES)(
    '$name is checked after synth: an asset whose bundle imports it and lacks it fails check-bundles',
    async (c) => {
      const broken = path.join(OUT, `broken-${c.name}`, path.basename(assets[c.with]));
      await mkdir(broken, { recursive: true });
      const others = FILES_BESIDE_BUNDLE.map(fileName).filter(
        (name) => name !== c.name && existsSync(path.join(assets[c.with], name)),
      );
      for (const file of ['index.mjs', 'index.meta.json', ...others])
        await copyFile(path.join(assets[c.with], file), path.join(broken, file));
      await expect(checkBundles(path.dirname(broken))).rejects.toThrow(`lacks ${c.name}`);
    },
  );
});

/** A login with an empty body: route resolution and validation, then 400, without a network call. */
const LOGIN = {
  version: '2.0',
  routeKey: 'POST /v1/auth/login',
  rawPath: '/v1/auth/login',
  rawQueryString: '',
  headers: { 'content-type': 'application/json' },
  requestContext: {
    requestId: 'tracer-file-test',
    http: { method: 'POST', path: '/v1/auth/login', sourceIp: '198.51.100.7' },
  },
  body: '{}',
  isBase64Encoded: false,
};

interface Invocation {
  status: number;
  body: string;
  /** The CommonJS files the process loaded (the tracer file, when it is loaded, is one). */
  loaded: string[];
}

/**
 * A fresh node imports the auth asset's index.mjs and invokes its handler once per trace header (none:
 * once, without one), setting _X_AMZN_TRACE_ID before each as Lambda's runtime does; the last answer is
 * returned.
 */
async function invoke(env: Record<string, string>, traceHeaders: string[] = []): Promise<Invocation> {
  const url = JSON.stringify(pathToFileURL(path.join(assets.auth, 'index.mjs')).href);
  const headers = traceHeaders.length ? traceHeaders : [undefined];
  const script = [
    "import { createRequire } from 'node:module';",
    `const m = await import(${url});`,
    'let r;',
    `for (const header of ${JSON.stringify(headers)}) {`,
    '  if (header) process.env._X_AMZN_TRACE_ID = header;',
    `  r = await m.handler(${JSON.stringify(LOGIN)}, { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 29000 });`,
    '}',
    'const loaded = Object.keys(createRequire(import.meta.url).cache);',
    "process.stdout.write('@@' + JSON.stringify({ status: r?.statusCode, body: r?.body, loaded }));",
  ].join('\n');
  const { stdout } = await exec(process.execPath, ['--input-type=module', '-e', script], {
    cwd: assets.auth,
    env: { PATH: process.env.PATH ?? '', ...FAKE_FUNCTION_ENV, ...env },
  });
  const at = stdout.lastIndexOf('@@');
  const result = JSON.parse(stdout.slice(at + 2)) as Invocation;
  // The function's log lines, to tell why it answered otherwise.
  return { ...result, body: `${result.body}\n${stdout.slice(0, at)}` };
}

describe('the Tracer beside the bundle', () => {
  const tracerFile = () => path.join(assets.auth, fileName(TRACER));

  it('leaves the bundle smaller by about the tracer file', async () => {
    // The same bundle with the tracer inside it, as every bundle was before.
    const inlined = await build({
      ...BUNDLE_OPTIONS,
      mainFields: [...BUNDLE_OPTIONS.mainFields],
      external: BUNDLE_OPTIONS.external.filter((e) => e !== TRACER.module),
      entryPoints: [path.join(PROJECT_ROOT, 'functions/api/auth.ts')],
      write: false,
      outdir: path.join(OUT, 'inlined'),
      logLevel: 'silent',
    });
    const inlinedBytes = inlined.outputFiles.find((f) => f.path.endsWith('.js'))?.contents.byteLength ?? 0;
    const bundleBytes = statSync(path.join(assets.auth, 'index.mjs')).size;
    const tracerBytes = statSync(tracerFile()).size;
    expect(tracerBytes).toBeGreaterThan(100 * 1024);
    expect(inlinedBytes - bundleBytes).toBeGreaterThan(0.9 * tracerBytes);
  });

  describe('with tracing on, as on Lambda', () => {
    let daemon: Socket;
    const received: string[] = [];

    beforeAll(async () => {
      daemon = createSocket('udp4');
      daemon.on('message', (message) => received.push(message.toString('utf8')));
      await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
    });
    afterAll(() => {
      daemon.close();
    });

    const lambdaEnv = () => ({
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      AWS_LAMBDA_FUNCTION_NAME: 'ai-video-dev-auth',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      LAMBDA_TASK_ROOT: assets.auth,
      _HANDLER: 'index.handler',
      AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
    });
    const header = (root: string, sampled: 0 | 1) =>
      `Root=${root};Parent=53995c3f42cd8ad8;Sampled=${sampled}`;
    /** The handler subsegments the daemon received for one trace. */
    const handlerSegments = (root: string) =>
      received
        .map((m) => JSON.parse(m.slice(m.indexOf('\n') + 1)) as Record<string, unknown>)
        .filter((s) => s.name === '## index.handler' && s.trace_id === root);

    it('is not loaded at init nor by an invocation X-Ray does not sample', async () => {
      const { status, body, loaded } = await invoke(lambdaEnv(), [header(TRACE_ROOT, 0)]);
      expect(status, body).toBe(400);
      expect(loaded).not.toContain(tracerFile());
    });

    it('is loaded by a sampled first invocation, which is traced to the daemon as the cold start', async () => {
      const { status, body, loaded } = await invoke(lambdaEnv(), [header(TRACE_ROOT, 1)]);
      expect(status, body).toBe(400);
      expect(loaded).toContain(tracerFile());
      // The datagrams were sent before the process ended; the socket may not have read them yet.
      await expect
        .poll(() => handlerSegments(TRACE_ROOT))
        .toContainEqual(
          expect.objectContaining({ annotations: expect.objectContaining({ ColdStart: true }) }),
        );
    });

    it('is loaded by the first sampled invocation after unsampled ones, which is no cold start', async () => {
      const later = '1-5759e988-bd862e3fe1be46a994272794';
      const { status, body, loaded } = await invoke(lambdaEnv(), [
        header('1-5759e988-bd862e3fe1be46a994272795', 0),
        header(later, 1),
      ]);
      expect(status, body).toBe(400);
      expect(loaded).toContain(tracerFile());
      await expect
        .poll(() => handlerSegments(later))
        .toContainEqual(
          expect.objectContaining({ annotations: expect.objectContaining({ ColdStart: false }) }),
        );
    });
  });

  it('with tracing off, never loads the tracer file and answers all the same', async () => {
    const { status, body, loaded } = await invoke({});
    expect(status, body).toBe(400);
    expect(loaded).not.toContain(tracerFile());
  });
});
