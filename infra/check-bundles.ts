/**
 * After `cdk synth`: reads the esbuild metafile of every bundled Lambda asset and fails if an embedded
 * stand-in (PGlite, s3rver, dynalite, ffmpeg, aws-local-stepfunctions, …) or infra/local made it inside,
 * and checks that the functions of PINNED_SDK (and only they) carry their packages at the locked versions,
 * and that a bundle which imports a file beside it (the Tracer's, Powertools idempotency's, the OpenAPI
 * document's builder) has it there (infra/files-beside-bundle.ts).
 * Usage: tsx infra/check-bundles.ts <cdk.out dir>...
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FILES_BESIDE_BUNDLE, fileName } from './files-beside-bundle.ts';
import { PINNED_SDK, STAND_IN_PACKAGES } from './functions.ts';

const lockedVersions = (
  JSON.parse(readFileSync(path.join(import.meta.dirname, '..', 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string }>;
  }
).packages;

/** What is wrong with the packages an asset carries beside its bundle (PINNED_SDK), if anything. */
function carriedPackageProblems(assetDir: string, inputs: string[]): string[] {
  const pinned = Object.entries(PINNED_SDK).find(([entry]) => inputs.includes(entry))?.[1] ?? [];
  const carried = existsSync(path.join(assetDir, 'node_modules'));
  if (!pinned.length) return carried ? ['carries node_modules it should not'] : [];
  return pinned.flatMap((pkg) => {
    const manifest = path.join(assetDir, 'node_modules', pkg, 'package.json');
    if (!existsSync(manifest)) return [`lacks ${pkg} in its node_modules`];
    const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
    const locked = lockedVersions[`node_modules/${pkg}`]?.version;
    return version === locked ? [] : [`carries ${pkg} ${version}, not the locked ${locked}`];
  });
}

/**
 * The files beside it the bundle imports and the asset lacks (on Lambda, a failed init for the Tracer, a
 * failed request for idempotency or the OpenAPI document).
 */
function missingFilesBeside(
  assetDir: string,
  outputs: Record<string, { imports?: { path: string }[] }>,
): string[] {
  return FILES_BESIDE_BUNDLE.filter(
    (file) =>
      Object.values(outputs).some((o) => o.imports?.some((i) => i.path === file.module)) &&
      !existsSync(path.join(assetDir, fileName(file))),
  ).map(fileName);
}

let checked = 0;
const problems: string[] = [];
for (const out of process.argv.slice(2)) {
  for (const entry of readdirSync(out)) {
    const meta = path.join(out, entry, 'index.meta.json');
    if (!entry.startsWith('asset.') || !existsSync(meta)) continue;
    checked += 1;
    const metafile = JSON.parse(readFileSync(meta, 'utf8')) as {
      inputs: object;
      outputs: Record<string, { imports?: { path: string }[] }>;
    };
    const inputs = Object.keys(metafile.inputs);
    for (const problem of carriedPackageProblems(path.join(out, entry), inputs))
      problems.push(`${entry}: ${problem}`);
    for (const file of missingFilesBeside(path.join(out, entry), metafile.outputs))
      problems.push(`${entry}: lacks ${file}`);
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
  console.error(
    `Lambda bundles with stand-ins inside or wrong packages beside them:\n${problems.join('\n')}`,
  );
  process.exit(1);
}
console.log(
  `${checked} Lambda bundles checked: no embedded stand-in inside; pinned SDK packages beside their bundles at the locked versions; the Tracer's, idempotency's and the OpenAPI builder's files beside every bundle that imports them`,
);
