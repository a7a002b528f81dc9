import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, expect, it } from 'vitest';
import { lambdaAccountTasks } from '#shared/account/lambda-runner.ts';

const lambda = mockClient(LambdaClient);
afterEach(() => lambda.reset());

it('starts an account task as an asynchronous invocation of the worker with the task as its payload', async () => {
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
  const runner = lambdaAccountTasks(new LambdaClient({ region: 'us-west-2' }), 'ai-video-dev-AccountWorker');
  const task = { kind: 'export' as const, userId: '6f1c2d4e-8a9b-4c3d-9e8f-7a6b5c4d3e2f', exportId: 'e1' };
  await runner.start(task);
  const input = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
  expect(input).toMatchObject({ FunctionName: 'ai-video-dev-AccountWorker', InvocationType: 'Event' });
  expect(JSON.parse(Buffer.from(input?.Payload as Uint8Array).toString('utf8'))).toEqual(task);
});

it('fails when Lambda refuses the invocation, so the request can say so', async () => {
  lambda.on(InvokeCommand).rejects(new Error('TooManyRequestsException'));
  const runner = lambdaAccountTasks(new LambdaClient({ region: 'us-west-2' }), 'worker');
  await expect(runner.start({ kind: 'erase', userId: 'u' })).rejects.toThrow('TooManyRequests');
});
