/** Minified esbuild bundle size of every Lambda function (target ≤ 500 KB each). */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
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

export async function run(): Promise<string> {
  const sizes = await bundleSizes();
  return [
    '## Lambda bundle sizes (esbuild, minified ESM, AWS SDK v3 external as provided by nodejs24.x)',
    '',
    '| function | KB |',
    '|---|---|',
    ...sizes.map((s) => `| ${s.name} | ${(s.bytes / 1024).toFixed(0)} |`),
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(await run());
