/**
 * The assets of functions as `cdk synth` bundles them (AppFunction, bundling on): Powertools idempotency is
 * powertools-idempotency.mjs beside index.mjs where a route uses it (jobs), not inside the bundle, and no
 * such file where none does (auth). The file loads on its own next to the bundle, as Lambda would load it.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '#infra/constructs/app-function.ts';
import { IDEMPOTENCY_FILE, IDEMPOTENCY_MODULE } from '#infra/idempotency-bundle.ts';
import { checkBundles, synthApiAssets } from '#test/support/synth-assets.ts';

const exec = promisify(execFile);

// Inside the project, so the bare `@aws-sdk/*` imports resolve from its node_modules (the runtime's copy on
// Lambda).
const OUT = path.join(PROJECT_ROOT, '.bench', `idempotency-file-${process.pid}`);
let assets: Record<'jobs' | 'auth', string>;

beforeAll(() => {
  assets = synthApiAssets(OUT, ['jobs', 'auth'] as const);
  expect(assets.jobs).not.toBe('');
  expect(assets.auth).not.toBe('');
}, 180_000);

afterAll(async () => {
  await rm(OUT, { recursive: true, force: true });
});

describe('Powertools idempotency beside the bundle', () => {
  it('is a file of its own where a route uses it, and the bundle keeps only the import', () => {
    const bundle = readFileSync(path.join(assets.jobs, 'index.mjs'), 'utf8');
    const file = readFileSync(path.join(assets.jobs, IDEMPOTENCY_FILE), 'utf8');
    expect(bundle).toContain(IDEMPOTENCY_MODULE);
    // A message of Powertools idempotency, which minifying keeps: in the file only.
    const message = 'Failed to save in progress record to idempotency store';
    expect(file).toContain(message);
    expect(bundle).not.toContain(message);
  });

  it('is not written where no route uses it', () => {
    expect(readFileSync(path.join(assets.auth, 'index.mjs'), 'utf8')).not.toContain(IDEMPOTENCY_MODULE);
    expect(existsSync(path.join(assets.auth, IDEMPOTENCY_FILE))).toBe(false);
  });

  it('loads beside the bundle and builds what idempotent.ts uses', async () => {
    const url = JSON.stringify(pathToFileURL(path.join(assets.jobs, IDEMPOTENCY_FILE)).href);
    const script = [
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
      `const m = await import(${url});`,
      "const store = new m.DynamoDBPersistenceLayer({ tableName: 't', awsSdkV3Client: new DynamoDBClient({ region: 'eu-west-1' }) });",
      "const config = new m.IdempotencyConfig({ eventKeyJmesPath: 'key', payloadValidationJmesPath: 'payload' });",
      'const run = m.makeIdempotent(async () => 1, { persistenceStore: store, config });',
      'const errors = [m.IdempotencyValidationError, m.IdempotencyAlreadyInProgressError].map((E) => new E("x") instanceof Error);',
      'process.stdout.write(JSON.stringify({ run: typeof run, errors }));',
    ].join('\n');
    const { stdout } = await exec(process.execPath, ['--input-type=module', '-e', script], {
      cwd: PROJECT_ROOT,
    });
    expect(JSON.parse(stdout)).toEqual({ run: 'function', errors: [true, true] });
  });

  it('is checked after synth: an asset whose bundle imports it and lacks it fails check-bundles', async () => {
    await expect(checkBundles(OUT)).resolves.toMatchObject({
      stdout: expect.stringContaining('2 Lambda bundles checked'),
    });
    const broken = path.join(OUT, 'broken', path.basename(assets.jobs));
    await mkdir(broken, { recursive: true });
    for (const file of ['index.mjs', 'index.meta.json', 'powertools-tracer.cjs'])
      await copyFile(path.join(assets.jobs, file), path.join(broken, file));
    await expect(checkBundles(path.dirname(broken))).rejects.toThrow(`lacks ${IDEMPOTENCY_FILE}`);
  });
});
