/** A Lambda function's bundle as CDK builds it (infra/functions.ts BUNDLE_OPTIONS), in memory. */
import path from 'node:path';
import { build } from 'esbuild';
import { BUNDLE_OPTIONS } from '#infra/functions.ts';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');

export function buildFunctionBundle(entry: string) {
  return build({
    ...BUNDLE_OPTIONS,
    mainFields: [...BUNDLE_OPTIONS.mainFields],
    external: [...BUNDLE_OPTIONS.external],
    entryPoints: [path.join(PROJECT_ROOT, entry)],
    write: false,
    // Nothing is written; esbuild wants an output folder to name the outputs.
    outdir: path.join(PROJECT_ROOT, '.bench', 'test-bundles'),
    logLevel: 'silent',
  });
}
