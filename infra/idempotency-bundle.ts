/**
 * Powertools idempotency and its JMESPath (about 45 KB minified) are a file beside the bundles of the API
 * functions that offer Idempotency-Key (jobs, uploads; infra/file-beside-bundle.ts): only the first request
 * that sends a key imports them (shared/idempotency/idempotent.ts).
 */
import { besideBundleCommand, besideOptions, type FileBesideBundle, fileName } from './file-beside-bundle.ts';

const IDEMPOTENCY: FileBesideBundle = {
  module: './powertools-idempotency.mjs',
  entry: 'shared/idempotency/powertools-idempotency.mjs',
  // An ES module like the bundle, the SDK left to the runtime as there.
  options: besideOptions('esm'),
  onlyWhereImported: true,
};

export const IDEMPOTENCY_MODULE = IDEMPOTENCY.module;
export const IDEMPOTENCY_ENTRY = IDEMPOTENCY.entry;
export const IDEMPOTENCY_FILE = fileName(IDEMPOTENCY);
export const IDEMPOTENCY_BUNDLE_OPTIONS = IDEMPOTENCY.options;

/** The shell command (CDK's afterBundling hook) that writes the file beside the bundles that import it. */
export const idempotencyBundleCommand = (inputDir: string, outputDir: string) =>
  besideBundleCommand(IDEMPOTENCY, inputDir, outputDir);
