/**
 * Each API function composes only the features its routes use (shared/runtime/aws.ts): its context must
 * still hold everything its routes and the request path (authentication, the audit, the log) reach, and
 * its bundle must leave out the other features' code. The account worker builds only what its tasks use
 * (shared/runtime/account-worker-aws.ts): none of the request path.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BUNDLE_OPTIONS } from '#infra/functions.ts';
import { API_FUNCTIONS } from '#shared/http/routes.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const ARN = (service: string, resource: string) => `arn:aws:${service}:eu-west-1:123456789012:${resource}`;

/** What the request path itself reads from the context, whatever the route (shared/http). */
const REQUEST_PATH = ['logger', 'audit', 'verifier', 'apiKeyVerifier', 'userRows'];

const ENTRIES = [
  ...API_FUNCTIONS.map((fn) => `functions/api/${fn}.ts`),
  'functions/events/account-worker.ts',
];

beforeEach(() => {
  vi.resetModules();
  for (const [name, value] of Object.entries({
    AWS_REGION: 'eu-west-1',
    STAGE: 'dev',
    DB_CLUSTER_ARN: ARN('rds', 'cluster:c'),
    DB_SECRET_ARN: ARN('secretsmanager', 'secret:s'),
    DB_NAME: 'aivideo',
    MEDIA_BUCKET: 'media-bucket',
    IDEMPOTENCY_TABLE: 'idempotency',
    AUDIT_TABLE: 'audit',
    RATE_LIMIT_TABLE: 'rate-limit',
    CAPACITY_TABLE: 'capacity',
    USER_POOL_ID: 'eu-west-1_fake',
    USER_POOL_CLIENT_ID: 'client',
    STATE_MACHINE_ARN: ARN('states', 'stateMachine:m'),
    HLS_LINK_SECRET_ARN: ARN('secretsmanager', 'secret:h'),
    ACCOUNT_WORKER_FUNCTION: 'account-worker',
    AUDIT_PSEUDONYM_SECRET_ARN: ARN('secretsmanager', 'secret:p'),
  })) {
    vi.stubEnv(name, value);
  }
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the AWS context of each function', () => {
  it.each(ENTRIES)('%s holds every context member its code reads', async (entry) => {
    const source = await readFile(path.join(ROOT, entry), 'utf8');
    const used = new Set([...source.matchAll(/\bctx\.(\w+)/g)].map((m) => m[1] as string));
    // The account worker hands its context to runAccountTask.
    if (entry.endsWith('account-worker.ts')) {
      const worker = await readFile(path.join(ROOT, 'shared/account/worker.ts'), 'utf8');
      for (const m of worker.matchAll(/\bctx\.(\w+)/g)) used.add(m[1] as string);
    }
    expect(used.size).toBeGreaterThan(0);
    await import(path.join(ROOT, entry));
    // The account worker has its own composition root; the API functions install theirs in the context.
    const ctx = (entry.endsWith('account-worker.ts')
      ? (await import('#shared/runtime/account-worker-aws.ts')).accountWorkerContext()
      : await (await import('#shared/runtime/context.ts')).getContext()) as unknown as Record<
      string,
      unknown
    >;
    const missing = [...used, ...(entry.includes('/api/') ? REQUEST_PATH : [])].filter(
      (name) => ctx[name] === undefined,
    );
    expect(missing.filter((name) => name !== 'now')).toEqual([]);
  });
});

async function bundledInputs(entry: string): Promise<string[]> {
  const result = await build({
    ...BUNDLE_OPTIONS,
    mainFields: [...BUNDLE_OPTIONS.mainFields],
    external: [...BUNDLE_OPTIONS.external],
    entryPoints: [path.join(ROOT, entry)],
    write: false,
    outdir: '/tmp/function-features',
    logLevel: 'silent',
  });
  const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint);
  return Object.entries(output?.inputs ?? {})
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([file]) => file);
}

describe('what each API bundle carries', () => {
  const services = ['clips', 'jobs', 'uploads', 'webhooks'] as const;
  it.each(API_FUNCTIONS)('api-%s carries only the services of its own routes', async (fn) => {
    const inputs = await bundledInputs(`functions/api/${fn}.ts`);
    for (const area of services) {
      expect(inputs.includes(`shared/${area}/service.ts`), `shared/${area}/service.ts`).toBe(area === fn);
    }
    // The SSRF guard's address parser serves webhooks, idempotency the POSTs that replay (Powertools' code
    // in a file beside the bundle: infra/files-beside-bundle.ts).
    expect(inputs.some((i) => i.includes('node_modules/ipaddr.js/'))).toBe(fn === 'webhooks');
    expect(inputs.includes('shared/idempotency/idempotent.ts')).toBe(fn === 'jobs' || fn === 'uploads');
  });
});

describe('what the account worker bundle carries', () => {
  it('leaves out the request path: token verification, login limits, API keys, the Lambda client', async () => {
    const inputs = await bundledInputs('functions/events/account-worker.ts');
    const requestPath = [
      'node_modules/aws-jwt-verify/',
      'shared/auth/verifier.ts',
      'shared/auth/login-limiter.ts',
      'shared/auth/api-keys.ts',
      'shared/users/provision.ts',
      'shared/account/lambda-runner.ts',
      'shared/runtime/aws.ts',
      'shared/api-keys/',
    ];
    expect(inputs.filter((input) => requestPath.some((p) => input.includes(p)))).toEqual([]);
  });
});
