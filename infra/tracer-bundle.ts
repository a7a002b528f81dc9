/**
 * Powertools Tracer and the X-Ray SDK (about 135 KB minified) are a second file beside each function's
 * bundle, not part of it: shared/observability/tracing.ts imports them only where tracing can be on, and V8
 * compiles a file only when it is loaded, so a bundle that holds them pays for parsing them at every cold
 * start, traced or not. The bundle keeps the import (`TRACER_MODULE` is external) and resolves it next to
 * itself; CDK writes the file after bundling (`tracerBundleCommand`), the bench and the tests build it with
 * the same options.
 */
import path from 'node:path';

/** The specifier tracing.ts imports: kept as it is in the bundle, so it names the file beside it. */
export const TRACER_MODULE = './powertools-tracer.cjs';

/** The module that file is built from, relative to the project root. */
export const TRACER_ENTRY = 'shared/observability/powertools-tracer.cjs';

/** The file's name beside the bundle. */
export const TRACER_FILE = path.posix.basename(TRACER_MODULE);

/** esbuild options of the tracer file: CommonJS, so it requires `node:http` (see powertools-tracer.cjs). */
export const TRACER_BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  minify: true,
  sourcemap: 'external',
  sourcesContent: false,
  external: ['@aws-sdk/*'],
} as const;

const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;

/** The shell command that writes the tracer file into a bundle's folder (CDK's afterBundling hook). */
export function tracerBundleCommand(inputDir: string, outputDir: string): string {
  const o = TRACER_BUNDLE_OPTIONS;
  const args = [
    path.posix.join(inputDir, TRACER_ENTRY),
    ...(o.bundle ? ['--bundle'] : []),
    `--platform=${o.platform}`,
    `--target=${o.target}`,
    `--format=${o.format}`,
    ...(o.minify ? ['--minify'] : []),
    `--sourcemap=${o.sourcemap}`,
    `--sources-content=${o.sourcesContent}`,
    ...o.external.map((e) => `--external:${e}`),
    `--outfile=${path.posix.join(outputDir, TRACER_FILE)}`,
    '--log-level=warning',
  ];
  return ['npx', '--no-install', 'esbuild', ...args].map(quote).join(' ');
}
