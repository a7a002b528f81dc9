/**
 * On Lambda the Tracer and the X-Ray SDK are loaded by the first invocation X-Ray samples, not at init: an
 * unsampled invocation loads nothing and leaves clients as they are; the first sampled one captures every
 * client built so far, and is annotated as a cold start only when it is the process's first invocation.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { stubLambdaTracingEnv, TRACE_ROOT } from '../../support/lambda-tracing-env.ts';

const header = (sampled: 0 | 1) => `Root=${TRACE_ROOT};Parent=53995c3f42cd8ad8;Sampled=${sampled}`;
/** The annotations of the current (handler) subsegment. */
const annotationsOf = (tracing: typeof import('#shared/observability/tracing.ts')) =>
  (tracing.getTracer()?.getSegment() as { annotations?: Record<string, unknown> } | undefined)?.annotations;
const captured = (client: S3Client) =>
  client.middlewareStack.identify().some((name) => name.startsWith('XRaySDKInstrumentation'));

beforeEach(() => {
  stubLambdaTracingEnv('pipeline-mark-processing', { AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand' });
});
afterEach(() => {
  vi.unstubAllEnvs();
});

it('loads nothing at import, nor for invocations X-Ray does not sample', async () => {
  vi.stubEnv('_X_AMZN_TRACE_ID', header(0));
  const tracing = await import('#shared/observability/tracing.ts');
  const client = tracing.tracedClient(new S3Client({ region: 'eu-west-1' }));
  expect(tracing.tracingPossible()).toBe(true);
  expect(tracing.getTracer()).toBeUndefined();
  expect(await tracing.inHandlerSegment('h', async () => 'answered')).toBe('answered');
  await tracing.beginInvocation();
  expect(tracing.getTracer()).toBeUndefined();
  expect(tracing.tracingMiddleware()).toBeUndefined();
  expect(tracing.currentTraceHeader()).toBeUndefined();
  expect(captured(client)).toBe(false);
});

it('loads nothing when the runtime gave no trace header', async () => {
  vi.stubEnv('_X_AMZN_TRACE_ID', '');
  const tracing = await import('#shared/observability/tracing.ts');
  await tracing.beginInvocation();
  expect(tracing.getTracer()).toBeUndefined();
});

it('loads on the first sampled invocation, captures earlier clients, and is no cold start then', async () => {
  vi.stubEnv('_X_AMZN_TRACE_ID', header(0));
  const tracing = await import('#shared/observability/tracing.ts');
  const early = tracing.tracedClient(new S3Client({ region: 'eu-west-1' }));
  await tracing.inHandlerSegment('h', async () => undefined);

  vi.stubEnv('_X_AMZN_TRACE_ID', header(1));
  let annotations: Record<string, unknown> | undefined;
  await tracing.inHandlerSegment('h', async () => {
    annotations = annotationsOf(tracing);
  });
  expect(tracing.getTracer()).toBeDefined();
  expect(captured(early)).toBe(true);
  expect(captured(tracing.tracedClient(new S3Client({ region: 'eu-west-1' })))).toBe(true);
  expect(annotations).toMatchObject({ ColdStart: false });
  expect(tracing.tracingMiddleware()).toBeDefined();
});

it('annotates a sampled first invocation as the cold start', async () => {
  vi.stubEnv('_X_AMZN_TRACE_ID', header(1));
  const tracing = await import('#shared/observability/tracing.ts');
  const seen: unknown[] = [];
  for (let i = 0; i < 2; i++) {
    await tracing.inHandlerSegment('h', async () => {
      seen.push(annotationsOf(tracing)?.ColdStart);
    });
  }
  expect(seen).toEqual([true, false]);
});

it('reads the sampling decision from the runtime store when it has one', async () => {
  vi.stubEnv('_X_AMZN_TRACE_ID', header(0));
  const global = globalThis as { awslambda?: unknown };
  const before = global.awslambda;
  global.awslambda = { InvokeStore: { getXRayTraceId: () => header(1) } };
  try {
    const tracing = await import('#shared/observability/tracing.ts');
    await tracing.beginInvocation();
    expect(tracing.getTracer()).toBeDefined();
  } finally {
    global.awslambda = before;
  }
});
