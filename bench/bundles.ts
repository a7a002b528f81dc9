/** Minified esbuild bundle size of every Lambda function (target ≤ 500 KB each). */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import {
  FILES_BESIDE_BUNDLE,
  type FileBesideBundle,
  fileName,
  IDEMPOTENCY,
  OPENAPI,
  TRACER,
} from '../infra/files-beside-bundle.ts';
import { BUNDLE_OPTIONS, FUNCTION_ENTRIES } from '../infra/functions.ts';

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

/** A file beside the bundles (infra/files-beside-bundle.ts), built as synth builds it. */
async function fileBesideSize(file: FileBesideBundle): Promise<number> {
  const result = await build({
    ...file.options,
    external: [...file.options.external],
    entryPoints: [path.resolve(import.meta.dirname, '..', file.entry)],
    write: false,
    outdir: '/tmp/bundle-bench',
    logLevel: 'silent',
  });
  return result.outputFiles.find((f) => f.path.endsWith('.js'))?.contents.byteLength ?? 0;
}

export async function run(): Promise<string> {
  const sizes = await bundleSizes();
  const kb = new Map<FileBesideBundle, string>();
  for (const file of FILES_BESIDE_BUNDLE) kb.set(file, ((await fileBesideSize(file)) / 1024).toFixed(0));
  return [
    '## Lambda bundle sizes (esbuild, minified ESM, AWS SDK v3 external as provided by nodejs24.x)',
    '',
    `index.mjs of each function; beside each, ${fileName(TRACER)} (Powertools Tracer and the X-Ray SDK, loaded only with tracing on): ${kb.get(TRACER)} KB; beside jobs' and uploads', ${fileName(IDEMPOTENCY)} (Powertools idempotency, loaded by the first request with an Idempotency-Key): ${kb.get(IDEMPOTENCY)} KB; beside system's, ${fileName(OPENAPI)} (the OpenAPI document's builder and every schema, loaded by the first GET /v1/openapi.json): ${kb.get(OPENAPI)} KB.`,
    '',
    '| function | KB |',
    '|---|---|',
    ...sizes.map((s) => `| ${s.name} | ${(s.bytes / 1024).toFixed(0)} |`),
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(await run());
