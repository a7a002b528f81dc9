/**
 * Tracing as it runs on Lambda (the X-Ray SDK in Lambda mode, a trace id from the runtime): every SDK client
 * is captured, annotations land on the handler's subsegment, and a started execution joins the trace and
 * carries the request's correlation id.
 */
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { stubLambdaTracingEnv, TRACE_ROOT } from '../../support/lambda-tracing-env.ts';

const sfn = mockClient(SFNClient);

beforeAll(() => {
  stubLambdaTracingEnv('api-jobs');
});
afterAll(() => {
  vi.unstubAllEnvs();
});

const middlewareOf = (client: { middlewareStack: { identify(): string[] } }) =>
  client.middlewareStack.identify().join(' ');

it('captures every client, given or built on first use, once a sampled invocation began', async () => {
  const { clientGetter } = await import('#shared/sdk/lazy-client.ts');
  const { beginInvocation } = await import('#shared/observability/tracing.ts');
  await beginInvocation();
  const { S3Client } = await import('@aws-sdk/client-s3');
  const given = await clientGetter(new S3Client({ region: 'eu-west-1' }))();
  const built = await clientGetter(async () => new S3Client({ region: 'eu-west-1' }))();
  expect(middlewareOf(given)).toContain('XRaySDKInstrumentation');
  expect(middlewareOf(built)).toContain('XRaySDKInstrumentation');
});

it('starts executions in the trace, with the correlation id of the request', async () => {
  sfn.reset();
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn', startDate: new Date() });
  const { inHandlerSegment, annotateTrace, getTracer } = await import('#shared/observability/tracing.ts');
  const { withCorrelationId } = await import('#shared/observability/correlation.ts');
  const { stepFunctionsWorkflow } = await import('#shared/workflow/step-functions.ts');
  const workflow = stepFunctionsWorkflow(
    new SFNClient({ region: 'eu-west-1' }),
    'arn:aws:states:eu-west-1:123456789012:stateMachine:jobs',
  );
  const input = {
    jobId: '11111111-2222-4333-8444-555555555555',
    userId: '0b6a7e0e-3c1f-4f7e-9d5e-2f1a3b4c5d6e',
    projectId: '22222222-3333-4444-8555-666666666666',
    jobType: 'GENERATE' as const,
  };
  let annotations: Record<string, unknown> | undefined;
  let segmentId: string | undefined;
  await inHandlerSegment('index.handler', () =>
    withCorrelationId('req-7', async () => {
      annotateTrace({ jobId: input.jobId, userId: input.userId, correlationId: 'req-7' });
      const segment = getTracer()?.getSegment() as unknown as {
        id: string;
        annotations: Record<string, unknown>;
      };
      annotations = segment.annotations;
      segmentId = segment.id;
      await workflow.start(input);
    }),
  );
  expect(annotations).toMatchObject({ jobId: input.jobId, userId: input.userId, correlationId: 'req-7' });
  const [call] = sfn.commandCalls(StartExecutionCommand);
  expect(call?.args[0].input).toMatchObject({
    name: input.jobId,
    traceHeader: `Root=${TRACE_ROOT};Parent=${segmentId};Sampled=1`,
  });
  expect(JSON.parse(call?.args[0].input.input ?? '{}')).toEqual({ ...input, correlationId: 'req-7' });
});
