/** A Lambda function's bundle as CDK builds it (infra/functions.ts BUNDLE_OPTIONS), in memory. */
import path from 'node:path';
import { build } from 'esbuild';
import { BUNDLE_OPTIONS } from '#infra/functions.ts';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * One esbuild run per entry and test process: the bundle depends on nothing but the sources, and the
 * files that read it (one test each for several properties of every function) only look at it.
 */
const builds = new Map<string, ReturnType<typeof bundle>>();

const bundle = (entry: string) =>
  build({
    ...BUNDLE_OPTIONS,
    mainFields: [...BUNDLE_OPTIONS.mainFields],
    external: [...BUNDLE_OPTIONS.external],
    entryPoints: [path.join(PROJECT_ROOT, entry)],
    write: false,
    // Nothing is written; esbuild wants an output folder to name the outputs.
    outdir: path.join(PROJECT_ROOT, '.bench', 'test-bundles'),
    logLevel: 'silent',
  });

export function buildFunctionBundle(entry: string) {
  let result = builds.get(entry);
  if (!result) {
    result = bundle(entry);
    // A failed build is not kept: the next test builds again and reports its own error.
    result.catch(() => builds.delete(entry));
    builds.set(entry, result);
  }
  return result;
}
