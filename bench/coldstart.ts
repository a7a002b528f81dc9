/**
 * Cold start of every Lambda bundle: the time a fresh Node process takes to `await import()` the bundle
 * (module initialisation, what a Lambda init phase pays before the first event), median of 15, beside the
 * floor: a module importing just the AWS SDK packages the bundle imports at load, from node_modules as the
 * nodejs24.x runtime provides them. Packages the bundle imports only on first use (dynamic `import()`) are
 * listed apart: they are paid by the first request that needs them, not at init.
 *
 * Bundles are built with the options CDK uses (infra/functions.ts, external source maps and NODE_OPTIONS as deployed), in two
 * variants: the SDK left external (as deployed) and the SDK bundled and minified. COLDSTART_NODE picks the
 * node binary (the runtime is Node 24; the default is the node running the benchmark). COLDSTART_ONLY=api-
 * measures only the functions whose name starts with it. COLDSTART_TRACING=1 runs them as Lambda does with
 * tracing on (as deployed): their first request is one X-Ray samples, which loads Powertools Tracer and the
 * X-Ray SDK from the file beside each bundle (infra/files-beside-bundle.ts; never at init, see
 * shared/observability/tracing.ts); without it they run as anywhere else, where that file is never loaded.
 * COLDSTART_SDK_BUNDLED=0 skips the SDK-bundled variant.
 *
 * Each import is timed twice: wall clock, and the CPU time the process spent in it (user + system). On a
 * shared machine a process waits for a core as well as working, and only the wait moves with the other
 * processes' load; the CPU time is what the init itself costs.
 *
 * What a cold start costs is init plus the first request, and work can move from one to the other (a
 * lazy import, a client built on first use), so the API rows also time "init + first request": a fresh
 * process imports the bundle and invokes its handler once with an API Gateway v2 event that needs no
 * network (see firstRequest), beside a floor that imports the same SDK packages and constructs their
 * clients, as the first request does. A change that only moves work out of init shows there.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { fileName, TRACER } from '../infra/files-beside-bundle.ts';
import { BUNDLE_OPTIONS, FUNCTION_ENTRIES, type FunctionEntry } from '../infra/functions.ts';
import { API_ROUTES } from '../shared/http/routes.ts';
import { FAKE_FUNCTION_ENV } from '../test/support/fake-function-env.ts';

const exec = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.COLDSTART_RUNS ?? 15);
const NODE = process.env.COLDSTART_NODE ?? process.execPath;
const TARGET_RATIO = 1.3;
const TRACING = process.env.COLDSTART_TRACING === '1';
// Inside the project, so the bundles' bare `@aws-sdk/*` imports resolve from its node_modules; a run with
// tracing has its own folder, so the two can run at once.
const OUT = path.join(ROOT, '.bench', TRACING ? 'coldstart-tracing' : 'coldstart');
const SDK_BUNDLED = process.env.COLDSTART_SDK_BUNDLED !== '0';

/** What CDK sets on the functions (fake values: nothing is called during initialisation). */
const FUNCTION_ENV: Record<string, string> = {
  ...FAKE_FUNCTION_ENV,
  // As Lambda runs a traced function; the trace header says X-Ray samples the invocation (its first request
  // loads the Tracer: the dearest first request a traced function has).
  ...(TRACING
    ? {
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
        AWS_LAMBDA_FUNCTION_NAME: 'ai-video-dev-coldstart',
        AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
        LAMBDA_TASK_ROOT: ROOT,
        _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
        AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
      }
    : {}),
};

type Variant = 'runtime-sdk' | 'bundled-sdk';

interface Built {
  file: string;
  bytes: number;
  /** SDK packages imported when the module loads, and those imported only on first use. */
  atLoad: string[];
  onFirstUse: string[];
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/**
 * The Tracer's file, built once and copied beside each bundle as synth writes it
 * (infra/files-beside-bundle.ts).
 */
async function tracerFile(): Promise<{ file: string; bytes: number }> {
  const file = path.join(OUT, 'tracer', fileName(TRACER));
  const result = await build({
    ...TRACER.options,
    external: [...TRACER.options.external],
    entryPoints: [path.join(ROOT, TRACER.entry)],
    outfile: file,
    absWorkingDir: ROOT,
    metafile: true,
    logLevel: 'silent',
  });
  return { file, bytes: result.metafile.outputs[path.relative(ROOT, file)]?.bytes ?? 0 };
}

async function bundle(fn: FunctionEntry, variant: Variant, tracer: string): Promise<Built> {
  const outfile = path.join(OUT, variant, fn.name, 'index.mjs');
  const result = await build({
    ...BUNDLE_OPTIONS,
    mainFields: [...BUNDLE_OPTIONS.mainFields],
    // Only the SDK differs between the variants: the files beside the bundle stay beside it in both.
    external:
      variant === 'runtime-sdk'
        ? [...BUNDLE_OPTIONS.external]
        : BUNDLE_OPTIONS.external.filter((e) => e !== '@aws-sdk/*'),
    entryPoints: [path.join(ROOT, fn.entry)],
    outfile,
    absWorkingDir: ROOT,
    logLevel: 'silent',
  });
  await copyFile(tracer, path.join(path.dirname(outfile), fileName(TRACER)));
  const output = result.metafile.outputs[path.relative(ROOT, outfile)];
  const sdk = (output?.imports ?? []).filter((i) => i.external && i.path.startsWith('@aws-sdk/'));
  const atLoad = [...new Set(sdk.filter((i) => i.kind !== 'dynamic-import').map((i) => packageName(i.path)))];
  const onFirstUse = [
    ...new Set(sdk.filter((i) => i.kind === 'dynamic-import').map((i) => packageName(i.path))),
  ].filter((p) => !atLoad.includes(p));
  return { file: outfile, bytes: output?.bytes ?? 0, atLoad: atLoad.sort(), onFirstUse: onFirstUse.sort() };
}

/** The floor of a function: a module importing only the SDK packages its bundle loads at init. */
async function floorModule(fn: FunctionEntry, packages: readonly string[]): Promise<string> {
  const file = path.join(OUT, 'floor', `${fn.name}.mjs`);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, packages.map((p) => `import '${p}';\n`).join(''));
  return file;
}

/**
 * The request a fresh API function serves first in the "init + first request" columns: one that resolves
 * its route, builds the context and takes the error path with no network. For auth, a login with an empty
 * JSON body (route resolution, body validation, 400); for every other function, its first route in the
 * table that needs a token, sent with a token that is not a JWT (route resolution, authentication, 401).
 * The streaming events function has no handler outside Lambda's streaming runtime, so none.
 */
interface FirstRequest {
  label: string;
  expectStatus: number;
  event: object;
}

const SAMPLE_ID = '0b8e7a52-6f1c-4d3e-9a7b-2c5d8e1f4a60';

function firstRequest(fn: FunctionEntry): FirstRequest | undefined {
  if (!fn.name.startsWith('api-')) return undefined;
  const name = fn.name.slice('api-'.length);
  const route =
    name === 'auth'
      ? API_ROUTES.find((r) => r.method === 'POST' && r.path === '/v1/auth/login')
      : API_ROUTES.find((r) => r.fn === name && r.auth && !r.stream);
  if (!route) return undefined;
  const rawPath = route.path.replace(/\{[^}]+\}/g, SAMPLE_ID);
  const pathParameters = Object.fromEntries(
    [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => [m[1] as string, SAMPLE_ID]),
  );
  const open = !route.auth;
  return {
    label: `${route.method} ${route.path} → ${open ? 400 : 401}`,
    expectStatus: open ? 400 : 401,
    event: {
      version: '2.0',
      routeKey: `${route.method} ${route.path}`,
      rawPath,
      rawQueryString: '',
      headers: open
        ? { 'content-type': 'application/json' }
        : { authorization: 'Bearer not-a-jwt', 'content-type': 'application/json' },
      ...(Object.keys(pathParameters).length ? { pathParameters } : {}),
      requestContext: {
        requestId: 'coldstart-bench',
        http: { method: route.method, path: rawPath, sourceIp: '198.51.100.7' },
      },
      ...(open ? { body: '{}' } : {}),
      isBase64Encoded: false,
    },
  };
}

/** The floor of a first request: the same SDK packages imported, and each client package's client built. */
async function floorWithClients(fn: FunctionEntry, packages: readonly string[]): Promise<string> {
  const file = path.join(OUT, 'floor', `${fn.name}.clients.mjs`);
  const clients = packages.filter((p) => p.startsWith('@aws-sdk/client-'));
  await writeFile(
    file,
    [
      ...packages.map((p, i) => `import * as p${i} from '${p}';\n`),
      ...clients.map((p) => {
        const i = packages.indexOf(p);
        return `new (Object.entries(p${i}).find(([k, v]) => /^[A-Za-z0-9]+Client$/.test(k) && typeof v?.prototype?.send === 'function')[1])({});\n`;
      }),
    ].join(''),
  );
  return file;
}

interface InitTime {
  wall: number;
  cpu: number;
}

/**
 * Milliseconds from before to after `await import(file)` in a fresh node process, wall clock and CPU; with a
 * request, until the bundle's handler has answered it too (its status must be the expected one). The result
 * follows a marker, since a handler logs to stdout.
 */
async function initTime(file: string, request?: FirstRequest): Promise<InitTime> {
  const url = JSON.stringify(pathToFileURL(file).href);
  const invoke = request
    ? `const r = await m.handler(${JSON.stringify(request.event)}, { awsRequestId: 'coldstart-bench', getRemainingTimeInMillis: () => 29000 }); if (r?.statusCode !== ${request.expectStatus}) throw new Error('status ' + r?.statusCode + ': ' + r?.body);`
    : '';
  const script = `const c = process.cpuUsage(); const t = performance.now(); const m = await import(${url}); ${invoke} const w = performance.now() - t; const d = process.cpuUsage(c); process.stdout.write('${MARK}' + JSON.stringify({ wall: w, cpu: (d.user + d.system) / 1000 }));`;
  const { stdout } = await exec(NODE, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...FUNCTION_ENV },
  });
  const time = JSON.parse(stdout.slice(stdout.lastIndexOf(MARK) + MARK.length)) as InitTime;
  if (!Number.isFinite(time.wall) || !Number.isFinite(time.cpu)) {
    throw new Error(`unexpected output importing ${file}: ${stdout}`);
  }
  return time;
}

const MARK = '@@coldstart@@';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const short = (packages: readonly string[]) =>
  packages.length ? packages.map((p) => p.replace('@aws-sdk/', '')).join(', ') : '–';

export async function run(): Promise<string> {
  await rm(OUT, { recursive: true, force: true });
  const rows: {
    fn: FunctionEntry;
    external: Built;
    bundled: Built | undefined;
    floor: string;
    first: { request: FirstRequest; floor: string } | undefined;
    times: {
      external: InitTime[];
      bundled: InitTime[];
      floor: InitTime[];
      firstRequest: InitTime[];
      floorClients: InitTime[];
    };
  }[] = [];
  const only = process.env.COLDSTART_ONLY ?? '';
  const tracer = await tracerFile();
  for (const fn of FUNCTION_ENTRIES.filter((f) => f.name.startsWith(only))) {
    const external = await bundle(fn, 'runtime-sdk', tracer.file);
    const bundled = SDK_BUNDLED ? await bundle(fn, 'bundled-sdk', tracer.file) : undefined;
    const floor = await floorModule(fn, external.atLoad);
    const request = firstRequest(fn);
    const first = request ? { request, floor: await floorWithClients(fn, external.atLoad) } : undefined;
    rows.push({
      fn,
      external,
      bundled,
      floor,
      first,
      times: { external: [], bundled: [], floor: [], firstRequest: [], floorClients: [] },
    });
  }
  const { stdout: version } = await exec(NODE, ['--version']);
  // Interleaved, so a burst of load on the machine touches every function alike.
  for (let i = 0; i < RUNS; i++) {
    for (const row of rows) {
      row.times.floor.push(await initTime(row.floor));
      row.times.external.push(await initTime(row.external.file));
      if (row.bundled) row.times.bundled.push(await initTime(row.bundled.file));
      if (row.first) {
        row.times.floorClients.push(await initTime(row.first.floor));
        row.times.firstRequest.push(await initTime(row.external.file, row.first.request));
      }
    }
  }
  const mark = (ratio: number) => `${ratio.toFixed(2)}${ratio <= TARGET_RATIO ? '' : ' ✗'}`;
  const lines = rows.map(({ fn, external, bundled, first, times }) => {
    const floor = {
      wall: median(times.floor.map((t) => t.wall)),
      cpu: median(times.floor.map((t) => t.cpu)),
    };
    const ext = {
      wall: median(times.external.map((t) => t.wall)),
      cpu: median(times.external.map((t) => t.cpu)),
    };
    const cells = [
      fn.name,
      (external.bytes / 1024).toFixed(0),
      ext.wall.toFixed(1),
      floor.wall.toFixed(1),
      mark(ext.wall / floor.wall),
      ext.cpu.toFixed(1),
      floor.cpu.toFixed(1),
      mark(ext.cpu / floor.cpu),
    ];
    if (bundled) {
      const bun = {
        wall: median(times.bundled.map((t) => t.wall)),
        cpu: median(times.bundled.map((t) => t.cpu)),
      };
      cells.push(
        (bundled.bytes / 1024).toFixed(0),
        bun.wall.toFixed(1),
        (bun.wall / floor.wall).toFixed(2),
        (bun.cpu / floor.cpu).toFixed(2),
      );
    }
    if (first) {
      const req = {
        wall: median(times.firstRequest.map((t) => t.wall)),
        cpu: median(times.firstRequest.map((t) => t.cpu)),
      };
      const base = {
        wall: median(times.floorClients.map((t) => t.wall)),
        cpu: median(times.floorClients.map((t) => t.cpu)),
      };
      cells.push(
        first.request.label,
        req.wall.toFixed(1),
        base.wall.toFixed(1),
        (req.wall / base.wall).toFixed(2),
        req.cpu.toFixed(1),
        base.cpu.toFixed(1),
        (req.cpu / base.cpu).toFixed(2),
      );
    } else {
      cells.push('–', '–', '–', '–', '–', '–', '–');
    }
    cells.push(short(external.atLoad), short(external.onFirstUse));
    return cells.join(' | ');
  });
  const columns = [
    'function',
    'bundle KB',
    'init ms',
    'floor ms',
    'ratio',
    'init CPU ms',
    'floor CPU ms',
    'CPU ratio',
    ...(SDK_BUNDLED ? ['SDK bundled: KB', 'init ms', 'ratio', 'CPU ratio'] : []),
    'first request',
    'init + 1st req ms',
    'floor + clients ms',
    'ratio',
    'init + 1st req CPU ms',
    'floor + clients CPU ms',
    'CPU ratio',
    'SDK at init',
    'SDK on first use',
  ];
  await rm(OUT, { recursive: true, force: true });
  return [
    `## Cold start: module initialisation per Lambda bundle (fresh node ${version.trim()}, median of ${RUNS}${TRACING ? ', tracing on as on Lambda' : ''})`,
    '',
    `init = \`await import(bundle)\`; floor = a module importing only the SDK packages the bundle loads at init (node_modules copy); target init ≤ ${TARGET_RATIO}× floor, by wall clock and by the CPU time of the import. "bundle KB" is index.mjs; the Tracer and the X-Ray SDK are ${fileName(TRACER)} beside it (${(tracer.bytes / 1024).toFixed(0)} KB), ${TRACING ? 'loaded with tracing on, as here, by the first invocation X-Ray samples (never at init; the first request below is sampled, so "init + 1st req" includes loading it)' : 'loaded only with tracing on (not here)'}. "SDK bundled" = the same function with the AWS SDK v3 inside the bundle (esbuild, minified), against the same floor. Packages on first use are imported by the first request that needs them. "init + 1st req" = the import and then one invocation of the handler with the event in "first request" (no network: a token that is not a JWT gives 401 after route resolution and authentication; auth's login with an empty body gives 400 after validation), against "floor + clients" = the floor plus constructing each SDK client package's client; the routes, schemas and composition root an API function imports on first use are in it.`,
    '',
    `| ${columns.join(' | ')} |`,
    `|${columns.map(() => '---|').join('')}`,
    ...lines.map((l) => `| ${l} |`),
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(await run());
