/**
 * The API functions load at cold start only the SDK packages every request uses (the RDS Data API, and
 * DynamoDB, where API keys' failed checks are counted; audit entries are log lines); S3, Cognito, Step
 * Functions and Secrets Manager are imported on first use.
 * The pipeline tasks and event handlers import MediaConvert (only the probe uses it) and Bedrock (only the
 * generation tasks) on first use.
 */
import path from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { BUNDLE_OPTIONS, FUNCTION_ENTRIES } from '../../../infra/functions.ts';

const EVERY_REQUEST = new Set([
  '@aws-sdk/client-rds-data',
  '@aws-sdk/client-dynamodb',
  '@aws-sdk/lib-dynamodb',
  '@aws-sdk/util-dynamodb',
]);

async function sdkImports(entry: string) {
  const result = await build({
    ...BUNDLE_OPTIONS,
    mainFields: [...BUNDLE_OPTIONS.mainFields],
    external: [...BUNDLE_OPTIONS.external],
    entryPoints: [path.resolve(import.meta.dirname, '../../..', entry)],
    write: false,
    outdir: '/tmp/cold-start-imports',
    logLevel: 'silent',
  });
  const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint);
  const sdk = (output?.imports ?? []).filter((i) => i.external && i.path.startsWith('@aws-sdk/'));
  return {
    atLoad: new Set(sdk.filter((i) => i.kind !== 'dynamic-import').map((i) => i.path)),
    onFirstUse: new Set(sdk.filter((i) => i.kind === 'dynamic-import').map((i) => i.path)),
  };
}

describe('API function bundles', () => {
  const api = FUNCTION_ENTRIES.filter((f) => f.name.startsWith('api-'));

  it.each(api)('$name imports at load only the SDK packages every request uses', async ({ entry }) => {
    const { atLoad, onFirstUse } = await sdkImports(entry);
    expect([...atLoad].filter((p) => !EVERY_REQUEST.has(p))).toEqual([]);
    expect(onFirstUse).toContain('@aws-sdk/client-s3');
    expect(onFirstUse).toContain('@aws-sdk/client-cognito-identity-provider');
  });
});

describe('pipeline and event function bundles', () => {
  const others = FUNCTION_ENTRIES.filter((f) => !f.name.startsWith('api-') && f.name !== 'migrate');

  it.each(others)('$name imports MediaConvert and Bedrock only on first use', async ({ entry }) => {
    const { atLoad } = await sdkImports(entry);
    expect(atLoad).not.toContain('@aws-sdk/client-mediaconvert');
    expect(atLoad).not.toContain('@aws-sdk/client-bedrock-runtime');
  });
});
