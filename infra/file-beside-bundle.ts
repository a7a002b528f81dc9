/**
 * A dependency built into a file of its own beside a function's bundle instead of into it: V8 compiles
 * every byte of a bundle at each cold start, and such a file is compiled only when the code that needs it
 * imports it (tracing on a sampled invocation, idempotency on a keyed request). The bundle keeps the import
 * (the module is external) and resolves it next to itself; CDK writes the file after bundling
 * (`besideBundleCommand`), the benchmarks and the tests build it with the same options.
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
