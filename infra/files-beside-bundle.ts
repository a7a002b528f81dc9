/**
 * Dependencies built into files of their own beside a function's bundle instead of into it: V8 compiles
 * every byte of a bundle at each cold start, and such a file is compiled only when the code that needs it
 * imports it (tracing on a sampled invocation, idempotency on a keyed request, the OpenAPI document on its
 * first request). The bundle keeps the import (the module is external) and resolves it next to itself; CDK
 * writes the file after bundling (`besideBundleCommand`), the benchmarks and the tests build it with the
 * same options.
 */
import path from 'node:path';

export interface FileBesideBundle {
  /** The specifier the code imports, kept as it is in the bundle, so it names the file beside it. */
  module: string;
  /** The module the file is built from, relative to the project root. */
  entry: string;
  /** esbuild options of the file. */
  options: {
    bundle: true;
    platform: 'node';
    target: 'node24';
    format: 'cjs' | 'esm';
    minify: true;
    sourcemap: 'external';
    sourcesContent: false;
    external: readonly string[];
  };
  /** Written only beside bundles that import it (else beside every bundle). */
  onlyWhereImported: boolean;
}

/** A file beside the bundle is built as the bundle is (minified, its map apart, the SDK left to the runtime). */
export const besideOptions = (format: 'cjs' | 'esm'): FileBesideBundle['options'] => ({
  bundle: true,
  platform: 'node',
  target: 'node24',
  format,
  minify: true,
  sourcemap: 'external',
  sourcesContent: false,
  external: ['@aws-sdk/*'],
});

/**
 * Powertools Tracer and the X-Ray SDK (about 135 KB minified), beside every bundle:
 * shared/observability/tracing.ts imports them on the first invocation X-Ray samples.
 */
export const TRACER: FileBesideBundle = {
  module: './powertools-tracer.cjs',
  entry: 'shared/observability/powertools-tracer.cjs',
  // CommonJS, so it requires `node:http` (see powertools-tracer.cjs).
  options: besideOptions('cjs'),
  onlyWhereImported: false,
};

/**
 * Powertools idempotency and its JMESPath (about 45 KB minified), beside the bundles of the functions that
 * offer Idempotency-Key (jobs, uploads): the first request that sends a key imports them
 * (shared/idempotency/idempotent.ts).
 */
export const IDEMPOTENCY: FileBesideBundle = {
  module: './powertools-idempotency.mjs',
  entry: 'shared/idempotency/powertools-idempotency.mjs',
  options: besideOptions('esm'),
  onlyWhereImported: true,
};

/**
 * The OpenAPI document's builder (shared/http/openapi.ts, every route's schemas, zod's JSON Schema writer),
 * beside the api-system bundle: the first GET /v1/openapi.json imports it (shared/http/openapi-served.ts),
 * so the function's other routes (models, health) do not compile it at each cold start.
 */
export const OPENAPI: FileBesideBundle = {
  module: './openapi-document.mjs',
  entry: 'shared/http/openapi-document.mjs',
  options: besideOptions('esm'),
  onlyWhereImported: true,
};

/** Every file beside the bundles, in the order CDK writes them. */
export const FILES_BESIDE_BUNDLE: readonly FileBesideBundle[] = [TRACER, IDEMPOTENCY, OPENAPI];

/** The file's name beside the bundle. */
export const fileName = (file: FileBesideBundle) => path.posix.basename(file.module);

const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;

/** The shell command (CDK's afterBundling hook) that writes the file into a bundle's folder. */
export function besideBundleCommand(file: FileBesideBundle, inputDir: string, outputDir: string): string {
  const o = file.options;
  const args = [
    path.posix.join(inputDir, file.entry),
    '--bundle',
    `--platform=${o.platform}`,
    `--target=${o.target}`,
    `--format=${o.format}`,
    '--minify',
    `--sourcemap=${o.sourcemap}`,
    `--sources-content=${o.sourcesContent}`,
    ...o.external.map((e) => `--external:${e}`),
    `--outfile=${path.posix.join(outputDir, fileName(file))}`,
    '--log-level=warning',
  ];
  const build = ['npx', '--no-install', 'esbuild', ...args].map(quote).join(' ');
  if (!file.onlyWhereImported) return build;
  const bundle = quote(path.posix.join(outputDir, 'index.mjs'));
  return `if grep -qF ${quote(file.module)} ${bundle}; then ${build}; fi`;
}
