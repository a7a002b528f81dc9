/**
 * Outside Lambda (no AWS_EXECUTION_ENV) tracing cannot be on, so Powertools Tracer is not even loaded and
 * every tracing helper leaves things as they are.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';

beforeAll(() => {
  vi.stubEnv('AWS_EXECUTION_ENV', '');
  vi.resetModules();
});
afterAll(() => {
  vi.unstubAllEnvs();
});

it('builds no Tracer, adds no middleware and leaves clients untraced', async () => {
  const tracing = await import('#shared/observability/tracing.ts');
  expect(tracing.getTracer()).toBeUndefined();
  expect(tracing.tracingMiddleware()).toBeUndefined();
  const client = new S3Client({ region: 'eu-west-1' });
  expect(tracing.tracedClient(client)).toBe(client);
  expect(client.middlewareStack.identify().join(' ')).not.toContain('XRaySDKInstrumentation');
  expect(tracing.currentTraceHeader()).toBeUndefined();
  expect(await tracing.inHandlerSegment('h', async () => 42)).toBe(42);
});

it('stays off with POWERTOOLS_TRACE_ENABLED=false even on Lambda', async () => {
  vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs24.x');
  vi.stubEnv('POWERTOOLS_TRACE_ENABLED', 'false');
  vi.resetModules();
  const tracing = await import('#shared/observability/tracing.ts');
  expect(tracing.getTracer()).toBeUndefined();
});
