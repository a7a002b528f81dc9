/**
 * After `cdk synth`: reads the esbuild metafile of every bundled Lambda asset and fails if an embedded
 * stand-in (PGlite, s3rver, dynalite, ffmpeg, aws-local-stepfunctions, …) or infra/local made it inside.
 * Usage: tsx infra/check-bundles.ts <cdk.out dir>...
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { STAND_IN_PACKAGES } from './functions.ts';

let checked = 0;
const problems: string[] = [];
for (const out of process.argv.slice(2)) {
  for (const entry of readdirSync(out)) {
    const meta = path.join(out, entry, 'index.meta.json');
    if (!entry.startsWith('asset.') || !existsSync(meta)) continue;
    checked += 1;
    const inputs = Object.keys((JSON.parse(readFileSync(meta, 'utf8')) as { inputs: object }).inputs);
    for (const input of inputs) {
      if (
        STAND_IN_PACKAGES.some((pkg) => input.includes(`node_modules/${pkg}/`)) ||
        input.includes('infra/local/')
      ) {
        problems.push(`${entry}: ${input}`);
      }
    }
  }
}
if (checked === 0) {
  console.error('no bundled Lambda assets found; run cdk synth first');
  process.exit(1);
}
if (problems.length) {
  console.error(`stand-ins inside Lambda bundles:\n${problems.join('\n')}`);
  process.exit(1);
}
console.log(`${checked} Lambda bundles checked: no embedded stand-in inside`);
