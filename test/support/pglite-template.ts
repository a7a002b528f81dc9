/**
 * A migrated, empty PGlite data directory that test databases start from, so each one skips initdb and
 * the migrations (about a second each, more on a loaded machine). global-setup.ts builds it.
 */
import { readFile } from 'node:fs/promises';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate?: string;
  }
}

let cached: Promise<Blob | undefined> | undefined;

/**
 * The template for this test process; undefined when the global setup did not provide one, or outside
 * vitest (the benchmarks start the local API through these helpers too).
 */
export function pgliteTemplate(): Promise<Blob | undefined> {
  cached ??= (async () => {
    const file = process.env.VITEST ? inject('pgliteTemplate') : undefined;
    return file ? new Blob([await readFile(file)]) : undefined;
  })();
  return cached;
}

/** The template as a startLocalEnvironment option (nothing when there is none). */
export async function templateOption(): Promise<{ pgliteTemplate?: Blob }> {
  const template = await pgliteTemplate();
  return template ? { pgliteTemplate: template } : {};
}
