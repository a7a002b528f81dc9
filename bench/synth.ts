/** `cdk synth` wall time per stage, with esbuild bundling of every function and the cdk-nag checks. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { STAGES } from '../infra/config.ts';

const exec = promisify(execFile);

export async function run(): Promise<string> {
  const rows: string[] = [];
  for (const stage of STAGES) {
    const out = await mkdtemp(path.join(os.tmpdir(), `synth-${stage}-`));
    const started = performance.now();
    await exec('npx', ['cdk', 'synth', '-c', `stage=${stage}`, '--quiet', '-o', out], {
      cwd: path.resolve(import.meta.dirname, '..'),
      maxBuffer: 64 * 1024 ** 2,
    });
    rows.push(`| ${stage} | ${((performance.now() - started) / 1000).toFixed(1)} |`);
    await rm(out, { recursive: true, force: true });
  }
  return [
    '## cdk synth per stage (19 esbuild bundles, cdk-nag AwsSolutions)',
    '',
    '| stage | seconds |',
    '|---|---|',
    ...rows,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(await run());
