/** Minified esbuild bundle size of every Lambda function (target ≤ 500 KB each). */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { BUNDLE_OPTIONS, FUNCTION_ENTRIES } from '../infra/functions.ts';
import {
  IDEMPOTENCY_BUNDLE_OPTIONS,
  IDEMPOTENCY_ENTRY,
  IDEMPOTENCY_FILE,
} from '../infra/idempotency-bundle.ts';
import { OPENAPI_BUNDLE_OPTIONS, OPENAPI_ENTRY, OPENAPI_FILE } from '../infra/openapi-bundle.ts';
import { TRACER_BUNDLE_OPTIONS, TRACER_ENTRY, TRACER_FILE } from '../infra/tracer-bundle.ts';

export async function bundleSizes(): Promise<{ name: string; bytes: number }[]> {
  const root = path.resolve(import.meta.dirname, '..');
  const sizes: { name: string; bytes: number }[] = [];
  for (const fn of FUNCTION_ENTRIES) {
    const result = await build({
      ...BUNDLE_OPTIONS,
      mainFields: [...BUNDLE_OPTIONS.mainFields],
      external: [...BUNDLE_OPTIONS.external],
      entryPoints: [path.join(root, fn.entry)],
      write: false,
      outdir: '/tmp/bundle-bench',
      logLevel: 'silent',
    });
    const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
    sizes.push({ name: fn.name, bytes: js?.contents.byteLength ?? 0 });
  }
  return sizes;
}

/**
 * A file beside the bundles: the Tracer's (infra/tracer-bundle.ts), loaded only where tracing is on,
 * Powertools idempotency's (infra/idempotency-bundle.ts), loaded by the first request with an
 * Idempotency-Key, or the OpenAPI document's builder (infra/openapi-bundle.ts).
 */
async function fileBesideSize(
  options: typeof TRACER_BUNDLE_OPTIONS | typeof IDEMPOTENCY_BUNDLE_OPTIONS | typeof OPENAPI_BUNDLE_OPTIONS,
  entry: string,
): Promise<number> {
  const result = await build({
    ...options,
    external: [...options.external],
    entryPoints: [path.resolve(import.meta.dirname, '..', entry)],
    write: false,
    outdir: '/tmp/bundle-bench',
    logLevel: 'silent',
  });
  return result.outputFiles.find((f) => f.path.endsWith('.js'))?.contents.byteLength ?? 0;
}

export async function run(): Promise<string> {
  const sizes = await bundleSizes();
  const tracer = await fileBesideSize(TRACER_BUNDLE_OPTIONS, TRACER_ENTRY);
  const idempotency = await fileBesideSize(IDEMPOTENCY_BUNDLE_OPTIONS, IDEMPOTENCY_ENTRY);
  const openApi = await fileBesideSize(OPENAPI_BUNDLE_OPTIONS, OPENAPI_ENTRY);
  return [
    '## Lambda bundle sizes (esbuild, minified ESM, AWS SDK v3 external as provided by nodejs24.x)',
    '',
    `index.mjs of each function; beside each, ${TRACER_FILE} (Powertools Tracer and the X-Ray SDK, loaded only with tracing on): ${(tracer / 1024).toFixed(0)} KB; beside jobs' and uploads', ${IDEMPOTENCY_FILE} (Powertools idempotency, loaded by the first request with an Idempotency-Key): ${(idempotency / 1024).toFixed(0)} KB; beside system's, ${OPENAPI_FILE} (the OpenAPI document's builder and every schema, loaded by the first GET /v1/openapi.json): ${(openApi / 1024).toFixed(0)} KB.`,
    '',
    '| function | KB |',
    '|---|---|',
    ...sizes.map((s) => `| ${s.name} | ${(s.bytes / 1024).toFixed(0)} |`),
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(await run());
