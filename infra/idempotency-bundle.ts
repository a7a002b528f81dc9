/**
 * Powertools idempotency and its JMESPath (about 45 KB minified) are a file beside the bundles of the API
 * functions that offer Idempotency-Key (jobs, uploads), not part of them: V8 compiles every byte of a bundle
 * when it loads, and only the first request that sends a key imports them (shared/idempotency/idempotent.ts).
 * The bundle keeps the import (`IDEMPOTENCY_MODULE` is external) and resolves it next to itself; CDK writes
 * the file after bundling where the bundle names it (`idempotencyBundleCommand`).
 */
import path from 'node:path';

/** The specifier idempotent.ts imports: kept as it is in the bundle, so it names the file beside it. */
export const IDEMPOTENCY_MODULE = './powertools-idempotency.mjs';

/** The module that file is built from, relative to the project root. */
export const IDEMPOTENCY_ENTRY = 'shared/idempotency/powertools-idempotency.mjs';

/** The file's name beside the bundle. */
export const IDEMPOTENCY_FILE = path.posix.basename(IDEMPOTENCY_MODULE);

/** esbuild options of the file: an ES module like the bundle, the SDK left to the runtime as there. */
export const IDEMPOTENCY_BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  minify: true,
  sourcemap: 'external',
  sourcesContent: false,
  external: ['@aws-sdk/*'],
} as const;

const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;

/**
 * The shell command (CDK's afterBundling hook) that writes the file into a bundle's folder when the bundle
 * imports it, and does nothing for the functions that never do.
 */
export function idempotencyBundleCommand(inputDir: string, outputDir: string): string {
  const o = IDEMPOTENCY_BUNDLE_OPTIONS;
  const args = [
    path.posix.join(inputDir, IDEMPOTENCY_ENTRY),
    ...(o.bundle ? ['--bundle'] : []),
    `--platform=${o.platform}`,
    `--target=${o.target}`,
    `--format=${o.format}`,
    ...(o.minify ? ['--minify'] : []),
    `--sourcemap=${o.sourcemap}`,
    `--sources-content=${o.sourcesContent}`,
    ...o.external.map((e) => `--external:${e}`),
    `--outfile=${path.posix.join(outputDir, IDEMPOTENCY_FILE)}`,
    '--log-level=warning',
  ];
  const build = ['npx', '--no-install', 'esbuild', ...args].map(quote).join(' ');
  const bundle = quote(path.posix.join(outputDir, 'index.mjs'));
  return `if grep -qF ${quote(IDEMPOTENCY_MODULE)} ${bundle}; then ${build}; fi`;
}
