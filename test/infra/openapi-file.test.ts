/**
 * The OpenAPI document's builder (shared/http/openapi.ts and every schema it describes) is
 * openapi-document.mjs beside the api-system bundle as `cdk synth` writes it, not inside the bundle, and no
 * other function has it. Loaded next to the bundle, as Lambda would load it, it builds the same document as
 * the sources.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '#infra/constructs/app-function.ts';
import { OPENAPI_FILE, OPENAPI_MODULE } from '#infra/openapi-bundle.ts';
import { openApiDocument } from '#shared/http/openapi.ts';
import { checkBundles, synthApiAssets } from '#test/support/synth-assets.ts';

const exec = promisify(execFile);

// Inside the project, so the bare `@aws-sdk/*` imports resolve from its node_modules.
const OUT = path.join(PROJECT_ROOT, '.bench', `openapi-file-${process.pid}`);
let assets: Record<'system' | 'templates', string>;

beforeAll(() => {
  assets = synthApiAssets(OUT, ['system', 'templates'] as const);
  expect(assets.system).not.toBe('');
  expect(assets.templates).not.toBe('');
}, 180_000);

afterAll(async () => {
  await rm(OUT, { recursive: true, force: true });
});

describe('the OpenAPI document builder beside the api-system bundle', () => {
  it('is a file of its own there, and the bundle keeps only the import', () => {
    const bundle = readFileSync(path.join(assets.system, 'index.mjs'), 'utf8');
    const file = readFileSync(path.join(assets.system, OPENAPI_FILE), 'utf8');
    expect(bundle).toContain(OPENAPI_MODULE);
    // A message of openapi.ts, which minifying keeps: in the file only.
    const message = 'has no OpenAPI operation';
    expect(file).toContain(message);
    expect(bundle).not.toContain(message);
    const inputs = Object.keys(
      (JSON.parse(readFileSync(path.join(assets.system, 'index.meta.json'), 'utf8')) as { inputs: object })
        .inputs,
    );
    expect(inputs.filter((i) => i === 'shared/http/openapi.ts' || i.endsWith('/schema.ts'))).toEqual([]);
  });

  it('is not written beside a function that does not serve the document', () => {
    expect(readFileSync(path.join(assets.templates, 'index.mjs'), 'utf8')).not.toContain(OPENAPI_MODULE);
    expect(existsSync(path.join(assets.templates, OPENAPI_FILE))).toBe(false);
  });

  it('loads beside the bundle and builds the document the sources build', async () => {
    const url = JSON.stringify(pathToFileURL(path.join(assets.system, OPENAPI_FILE)).href);
    const script = `const m = await import(${url}); process.stdout.write(JSON.stringify(m.openApiDocument()));`;
    const { stdout } = await exec(process.execPath, ['--input-type=module', '-e', script], {
      cwd: PROJECT_ROOT,
      maxBuffer: 16 * 1024 * 1024,
    });
    expect(JSON.parse(stdout)).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
  });

  it('is checked after synth: an asset whose bundle imports it and lacks it fails check-bundles', async () => {
    await expect(checkBundles(OUT)).resolves.toMatchObject({
      stdout: expect.stringContaining('2 Lambda bundles checked'),
    });
    const broken = path.join(OUT, 'broken', path.basename(assets.system));
    await mkdir(broken, { recursive: true });
    for (const file of ['index.mjs', 'index.meta.json', 'powertools-tracer.cjs'])
      await copyFile(path.join(assets.system, file), path.join(broken, file));
    await expect(checkBundles(path.dirname(broken))).rejects.toThrow(`lacks ${OPENAPI_FILE}`);
  });
});
