import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_OPTIONS, FUNCTION_NODE_OPTIONS } from '#infra/functions.ts';
import { findFunctionMap, mapStackTrace, readBundleMap } from '#infra/stack-trace.ts';

const exec = promisify(execFile);

// A function that throws three calls deep, bundled as CDK bundles the functions (minified, external map).
const SOURCES = {
  'src/explode.ts': [
    'export function explodeWithDetail(detail: string): never {',
    "  throw new Error('boom: ' + detail);",
    '}',
    '',
  ].join('\n'),
  'src/handler.ts': [
    "import { explodeWithDetail } from './explode.ts';",
    '',
    'function checkRequest(id: number): string {',
    "  if (id > 0) explodeWithDetail('request ' + id);",
    "  return 'ok';",
    '}',
    '',
    'export const handler = async (id: number) => checkRequest(id);',
    '',
  ].join('\n'),
};

let dir: string;
let bundle: string;
let trace: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'stack-trace-'));
  await mkdir(path.join(dir, 'src'));
  for (const [file, text] of Object.entries(SOURCES)) await writeFile(path.join(dir, file), text);
  bundle = path.join(dir, 'asset.abc', 'index.mjs');
  await build({
    ...BUNDLE_OPTIONS,
    mainFields: [...BUNDLE_OPTIONS.mainFields],
    external: [...BUNDLE_OPTIONS.external],
    entryPoints: [path.join(dir, 'src/handler.ts')],
    outfile: bundle,
    absWorkingDir: dir,
    logLevel: 'silent',
  });
  // Run as a function runs: a fresh node with the functions' Node options (no source maps).
  const script = `import(${JSON.stringify(pathToFileURL(bundle).href)}).then((m) => m.handler(7)).catch((e) => process.stdout.write(e.stack));`;
  const { stdout } = await exec(process.execPath, [...FUNCTION_NODE_OPTIONS, '-e', script], {
    env: { PATH: process.env.PATH ?? '' },
  });
  trace = stdout;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('npm run stack', () => {
  it('maps a logged trace back to the sources, with the functions named as written', async () => {
    // The bundle does not name its map, so Node never reads it at a cold start, and the trace is unmapped.
    expect(await readFile(bundle, 'utf8')).not.toContain('sourceMappingURL');
    expect(trace).toContain('index.mjs:');
    expect(trace).not.toContain('explode.ts');
    const mapped = mapStackTrace(trace, readBundleMap(`${bundle}.map`), dir);
    const lines = mapped.split('\n');
    expect(lines[0]).toBe('Error: boom: request 7');
    expect(lines[1]).toMatch(/^ {4}at explodeWithDetail \(src\/explode\.ts:2:9\)$/);
    expect(lines[2]).toMatch(/^ {4}at checkRequest \(src\/handler\.ts:4:15\)$/);
    // The outermost frame has no call site below it to name it: its minified name stays.
    expect(lines[3]).toMatch(/^ {4}at \S+ \(src\/handler\.ts:8:\d+\)$/);
  });

  it('maps the escaped trace of a JSON log line and keeps it one line', () => {
    const line = JSON.stringify({ level: 'ERROR', error: { stack: trace } });
    const mapped = mapStackTrace(line, readBundleMap(`${bundle}.map`), dir);
    expect(mapped).not.toContain('\n');
    expect(mapped).toContain('at explodeWithDetail (src/explode.ts:2:9)\\n');
    expect(JSON.parse(mapped).level).toBe('ERROR');
  });

  it('leaves lines outside the bundle alone', () => {
    const other =
      'Error: x\n    at run (node:internal/modules/run_main:1:2)\n    at file:///var/task/other.mjs:3:4';
    expect(mapStackTrace(other, readBundleMap(`${bundle}.map`), dir)).toBe(other);
  });

  it('finds the map of a function in cdk.out by its deployed name or construct path', async () => {
    const out = path.join(dir, 'cdk.out');
    const functions = {
      ApiprojectsFunction5E2A1B3C: 'AiVideoCompute-dev/Api-projects/Function/Resource',
      ApiprojectsviewFunction99AA00BB: 'AiVideoCompute-dev/Api-projects-view/Function/Resource',
    };
    const resources: Record<string, object> = {};
    for (const [id, cdkPath] of Object.entries(functions)) {
      await mkdir(path.join(out, 'dev', `asset.${id}`), { recursive: true });
      await writeFile(path.join(out, 'dev', `asset.${id}`, 'index.mjs.map'), '{}');
      resources[id] = {
        Type: 'AWS::Lambda::Function',
        Metadata: { 'aws:cdk:path': cdkPath, 'aws:asset:path': `asset.${id}` },
      };
    }
    await writeFile(
      path.join(out, 'dev', 'AiVideoCompute-dev.template.json'),
      JSON.stringify({ Resources: resources }),
    );
    const projects = path.join(out, 'dev', 'asset.ApiprojectsFunction5E2A1B3C', 'index.mjs.map');
    expect(findFunctionMap(out, 'AiVideoCompute-dev-ApiprojectsFunction5E2A1B3C-Xy12Ab34')).toBe(projects);
    expect(findFunctionMap(out, 'AiVideoCompute-dev-ApiprojectsviewFunct-Xy12Ab34')).not.toBe(projects);
    expect(findFunctionMap(out, 'Api-projects/Function')).toBe(projects);
    expect(() => findFunctionMap(out, 'Api-projects')).toThrow(/several functions/);
    expect(() => findFunctionMap(out, 'Api-clips')).toThrow(/no function matching/);
  });
});
