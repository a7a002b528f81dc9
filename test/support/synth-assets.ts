/**
 * API functions as `cdk synth` bundles them (AppFunction, bundling on), for the tests of what is written
 * beside a bundle: each function's asset folder, and check-bundles run on a folder of assets.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { App, Stack } from 'aws-cdk-lib';
import { stageConfig } from '#infra/config.ts';
import { AppFunction, PROJECT_ROOT } from '#infra/constructs/app-function.ts';

const exec = promisify(execFile);

/** Synthesizes the API functions `names` (functions/api/<name>.ts) into `out`; each one's asset folder. */
export function synthApiAssets<N extends string>(out: string, names: readonly N[]): Record<N, string> {
  const app = new App({ outdir: out, context: { stage: 'dev' } });
  const stack = new Stack(app, 'FilesBeside');
  for (const name of names)
    new AppFunction(stack, name, { config: stageConfig('dev'), entry: `functions/api/${name}.ts` });
  app.synth();
  const assets = Object.fromEntries(names.map((n) => [n, ''])) as Record<N, string>;
  for (const dir of readdirSync(out).filter((d) => d.startsWith('asset.'))) {
    const meta = path.join(out, dir, 'index.meta.json');
    if (!existsSync(meta)) continue;
    const inputs = Object.keys((JSON.parse(readFileSync(meta, 'utf8')) as { inputs: object }).inputs);
    for (const name of names)
      if (inputs.includes(`functions/api/${name}.ts`)) assets[name] = path.join(out, dir);
  }
  return assets;
}

/** infra/check-bundles.ts on a folder of assets (rejects with its output when it finds a problem). */
export const checkBundles = (dir: string) =>
  exec(process.execPath, ['--import', 'tsx', 'infra/check-bundles.ts', dir], { cwd: PROJECT_ROOT });
