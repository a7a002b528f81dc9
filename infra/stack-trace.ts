/**
 * Maps a stack trace logged by a Lambda function back to the sources, with the source map `cdk synth` wrote
 * beside the function's bundle. The functions do not run with --enable-source-maps (see
 * FUNCTION_NODE_OPTIONS in infra/functions.ts), so their traces name lines and columns of the minified
 * index.mjs.
 *
 * Usage: npm run stack -- <function | asset dir | .map file> [trace file] [--out <cdk.out dir>]
 * The trace is read from the file, or from stdin. <function> is the function's name as deployed
 * (AiVideoCompute-dev-ApiprojectsFunction…) or a part of its construct path (Api-projects); it is looked up
 * in the templates of the cdk.out directory (default cdk.out, and its stage folders such as cdk.out/dev).
 * A JSON log line works too: its `\n` escapes are kept.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export interface BundleMap {
  map: SourceMap;
  /** The folder the map's source paths are relative to. */
  dir: string;
  /** The bundle's file name (index.mjs): only locations in it are mapped. */
  bundle: string;
}

export function readBundleMap(mapFile: string): BundleMap {
  const payload = JSON.parse(readFileSync(mapFile, 'utf8'));
  return {
    map: new SourceMap(payload),
    dir: path.dirname(path.resolve(mapFile)),
    bundle: typeof payload.file === 'string' ? path.basename(payload.file) : 'index.mjs',
  };
}

interface Origin {
  location: string;
  name: string | undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The trace with every location in the bundle replaced by its place in the sources (relative to `root`),
 * and each frame's function named as in the sources where the map knows the name (from the call site in
 * the frame below it, as Node does with --enable-source-maps). Other lines are left as they are.
 */
export function mapStackTrace(trace: string, bundleMap: BundleMap, root: string = process.cwd()): string {
  const locationPattern = `(?:file://)?[^\\s()"'\`]*${escapeRegExp(bundleMap.bundle)}:(\\d+):(\\d+)`;
  const location = new RegExp(locationPattern, 'g');
  const frame = new RegExp(`^(\\s*at (?:async )?)(?:(.+?) \\()?(${locationPattern})(\\)?)(.*)$`);
  const origin = (line: number, column: number): Origin | undefined => {
    const found = bundleMap.map.findOrigin(line, column);
    if (!('fileName' in found)) return undefined;
    const file = path.relative(root, path.resolve(bundleMap.dir, found.fileName));
    return { location: `${file}:${found.lineNumber}:${found.columnNumber}`, name: found.name };
  };
  // Lines are split on real newlines and on the `\n` escapes of a JSON log line; separators are kept.
  const parts = trace.split(/(\r?\n|\\n)/);
  const frames = parts.map((part, i) => {
    if (i % 2) return undefined;
    const m = frame.exec(part);
    if (!m) return undefined;
    return {
      indent: m[1] as string,
      name: m[2],
      origin: origin(Number(m[4]), Number(m[5])),
      rest: m[7] as string,
    };
  });
  return parts
    .map((part, i) => {
      const f = frames[i];
      if (!f?.origin) {
        return i % 2
          ? part
          : part.replace(location, (whole, line: string, column: string) => {
              return origin(Number(line), Number(column))?.location ?? whole;
            });
      }
      // The function of this frame is the one called at the location of the frame below it.
      const name = frames[i + 2]?.origin?.name ?? f.name;
      return name
        ? `${f.indent}${name} (${f.origin.location})${f.rest}`
        : `${f.indent}${f.origin.location}${f.rest}`;
    })
    .join('');
}

const normalise = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, '');

interface TemplateFunction {
  logicalId: string;
  cdkPath: string;
  assetDir: string;
}

function templateFunctions(out: string): TemplateFunction[] {
  if (!existsSync(out))
    throw new Error(`${out} does not exist: run cdk synth first (see the README, Operations)`);
  const dirs = [out, ...readdirSync(out).map((d) => path.join(out, d))].filter((d) =>
    statSync(d).isDirectory(),
  );
  const found: TemplateFunction[] = [];
  for (const dir of dirs) {
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.template.json'))) {
      const template = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as {
        Resources?: Record<string, { Type: string; Metadata?: Record<string, string> }>;
      };
      for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
        const asset = resource.Metadata?.['aws:asset:path'];
        if (resource.Type !== 'AWS::Lambda::Function' || !asset) continue;
        found.push({
          logicalId,
          cdkPath: resource.Metadata?.['aws:cdk:path'] ?? logicalId,
          assetDir: path.resolve(dir, asset),
        });
      }
    }
  }
  return found;
}

/**
 * The source map of a function's bundle in a cdk.out directory. `name` is the function's deployed name
 * (which holds its logical id, or the start of it) or a part of its construct path or logical id.
 */
export function findFunctionMap(out: string, name: string): string {
  const wanted = normalise(name);
  // A deployed name is `<stack>-<logical id, cut to fit 64 characters>-<suffix>`.
  const parts = name.split('-').filter((part) => part.length >= 8);
  const matches = templateFunctions(out).filter(
    (f) =>
      parts.some((part) => f.logicalId.startsWith(part)) ||
      normalise(f.logicalId).includes(wanted) ||
      normalise(f.cdkPath).includes(wanted),
  );
  const assets = [...new Set(matches.map((m) => m.assetDir))];
  if (assets.length === 0) throw new Error(`no function matching "${name}" in ${out} (run cdk synth first)`);
  if (assets.length > 1) {
    const names = [...new Set(matches.map((m) => m.cdkPath.replace(/\/Resource$/, '')))];
    throw new Error(`"${name}" matches several functions; be more precise:\n${names.join('\n')}`);
  }
  const map = path.join(assets[0] as string, 'index.mjs.map');
  if (!existsSync(map)) throw new Error(`${map} is missing`);
  return map;
}

function resolveMap(target: string, out: string): string {
  if (existsSync(target)) {
    return statSync(target).isDirectory() ? path.join(target, 'index.mjs.map') : target;
  }
  return findFunctionMap(out, target);
}

async function main(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { out: { type: 'string', default: 'cdk.out' } },
  });
  const [target, traceFile] = positionals;
  if (!target) {
    console.error('usage: npm run stack -- <function | asset dir | .map file> [trace file] [--out cdk.out]');
    process.exit(2);
  }
  let trace: string;
  if (traceFile) trace = readFileSync(traceFile, 'utf8');
  else {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    trace = Buffer.concat(chunks).toString('utf8');
  }
  process.stdout.write(mapStackTrace(trace, readBundleMap(resolveMap(target, values.out))));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main(process.argv.slice(2)).catch((error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  });
}
