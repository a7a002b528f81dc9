/**
 * A function's asset as `cdk synth` bundles it (AppFunction, bundling on): the Tracer and the X-Ray SDK are
 * in powertools-tracer.cjs beside index.mjs, not in it. Run as Lambda runs it with tracing on, the bundle
 * loads that file and a request is traced to the X-Ray daemon address; with tracing off the file is never
 * loaded, and the request is answered all the same.
 */
import { execFile } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { App, Stack } from 'aws-cdk-lib';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stageConfig } from '#infra/config.ts';
import { AppFunction, PROJECT_ROOT } from '#infra/constructs/app-function.ts';
import { BUNDLE_OPTIONS, FUNCTION_NODE_ENV } from '#infra/functions.ts';
import { TRACER_FILE, TRACER_MODULE } from '#infra/tracer-bundle.ts';
import { TRACE_ROOT } from '#test/support/lambda-tracing-env.ts';

const exec = promisify(execFile);

// Inside the project, so the bundle's bare `@aws-sdk/*` imports resolve from its node_modules (the runtime's
// copy on Lambda).
const OUT = path.join(PROJECT_ROOT, '.bench', `tracer-file-${process.pid}`);
let asset: string;

beforeAll(() => {
  const app = new App({ outdir: OUT, context: { stage: 'dev' } });
  const stack = new Stack(app, 'TracerFile');
  new AppFunction(stack, 'Auth', { config: stageConfig('dev'), entry: 'functions/api/auth.ts' });
  app.synth();
  const dirs = readdirSync(OUT).filter(
    (d) => d.startsWith('asset.') && existsSync(path.join(OUT, d, 'index.mjs')),
  );
  expect(dirs).toHaveLength(1);
  asset = path.join(OUT, dirs[0] as string);
}, 120_000);

afterAll(async () => {
  await rm(OUT, { recursive: true, force: true });
});

/** What the function is given on Lambda (fake values: the request below makes no AWS call). */
const FUNCTION_ENV = {
  ...FUNCTION_NODE_ENV,
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKE',
  AWS_SECRET_ACCESS_KEY: 'fake',
  POWERTOOLS_SERVICE_NAME: 'ai-video',
  STAGE: 'dev',
  DB_CLUSTER_ARN: 'arn:aws:rds:eu-west-1:123456789012:cluster:ai-video-dev',
  DB_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ai-video-dev-app',
  DB_NAME: 'aivideo',
  RATE_LIMIT_TABLE: 'ai-video-dev-rate-limit',
  AUDIT_TABLE: 'ai-video-dev-audit',
  IDEMPOTENCY_TABLE: 'ai-video-dev-idempotency',
  USER_POOL_ID: 'eu-west-1_fake',
  USER_POOL_CLIENT_ID: 'fakeclientid',
  MEDIA_BUCKET: 'ai-video-dev-media',
  STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:ai-video-dev',
};

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
 * A fresh node imports the asset's index.mjs and invokes its handler once per trace header (none: once,
 * without one), setting _X_AMZN_TRACE_ID before each as Lambda's runtime does; the last answer is returned.
 */
async function invoke(env: Record<string, string>, traceHeaders: string[] = []): Promise<Invocation> {
  const url = JSON.stringify(pathToFileURL(path.join(asset, 'index.mjs')).href);
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
    cwd: asset,
    env: { PATH: process.env.PATH ?? '', ...FUNCTION_ENV, ...env },
  });
  const at = stdout.lastIndexOf('@@');
  const result = JSON.parse(stdout.slice(at + 2)) as Invocation;
  // The function's log lines, to tell why it answered otherwise.
  return { ...result, body: `${result.body}\n${stdout.slice(0, at)}` };
}

describe('the Tracer beside the bundle', () => {
  it('is a file of its own in the asset, and the bundle holds none of it', () => {
    expect(existsSync(path.join(asset, TRACER_FILE))).toBe(true);
    const meta = JSON.parse(readFileSync(path.join(asset, 'index.meta.json'), 'utf8')) as {
      inputs: Record<string, unknown>;
    };
    const tracing = Object.keys(meta.inputs).filter((input) =>
      ['node_modules/aws-xray-sdk-core/', 'node_modules/@aws-lambda-powertools/tracer/'].some((pkg) =>
        input.includes(pkg),
      ),
    );
    expect(tracing).toEqual([]);
    const bundle = readFileSync(path.join(asset, 'index.mjs'), 'utf8');
    const tracer = readFileSync(path.join(asset, TRACER_FILE), 'utf8');
    // A string of the X-Ray SDK, which minifying keeps: in the tracer file only.
    expect(tracer).toContain('AWS_XRAY_DAEMON_ADDRESS');
    expect(bundle).not.toContain('AWS_XRAY_DAEMON_ADDRESS');
  });

  it('leaves the bundle smaller by about the tracer file', async () => {
    // The same bundle with the tracer inside it, as every bundle was before.
    const inlined = await build({
      ...BUNDLE_OPTIONS,
      mainFields: [...BUNDLE_OPTIONS.mainFields],
      external: BUNDLE_OPTIONS.external.filter((e) => e !== TRACER_MODULE),
      entryPoints: [path.join(PROJECT_ROOT, 'functions/api/auth.ts')],
      write: false,
      outdir: path.join(OUT, 'inlined'),
      logLevel: 'silent',
    });
    const inlinedBytes = inlined.outputFiles.find((f) => f.path.endsWith('.js'))?.contents.byteLength ?? 0;
    const bundleBytes = statSync(path.join(asset, 'index.mjs')).size;
    const tracerBytes = statSync(path.join(asset, TRACER_FILE)).size;
    expect(tracerBytes).toBeGreaterThan(100 * 1024);
    expect(inlinedBytes - bundleBytes).toBeGreaterThan(0.9 * tracerBytes);
  });

  it('is checked after synth: an asset whose bundle imports it and lacks it fails check-bundles', async () => {
    const check = (dir: string) =>
      exec(process.execPath, ['--import', 'tsx', 'infra/check-bundles.ts', dir], { cwd: PROJECT_ROOT });
    await expect(check(OUT)).resolves.toMatchObject({
      stdout: expect.stringContaining('1 Lambda bundles checked'),
    });
    const broken = path.join(OUT, 'broken', path.basename(asset));
    await mkdir(broken, { recursive: true });
    for (const file of ['index.mjs', 'index.meta.json'])
      await copyFile(path.join(asset, file), path.join(broken, file));
    await expect(check(path.dirname(broken))).rejects.toThrow(`lacks ${TRACER_FILE}`);
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
      LAMBDA_TASK_ROOT: asset,
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
      expect(loaded).not.toContain(path.join(asset, TRACER_FILE));
    });

    it('is loaded by a sampled first invocation, which is traced to the daemon as the cold start', async () => {
      const { status, body, loaded } = await invoke(lambdaEnv(), [header(TRACE_ROOT, 1)]);
      expect(status, body).toBe(400);
      expect(loaded).toContain(path.join(asset, TRACER_FILE));
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
      expect(loaded).toContain(path.join(asset, TRACER_FILE));
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
    expect(loaded).not.toContain(path.join(asset, TRACER_FILE));
  });
});
