import type { LambdaClient } from '@aws-sdk/client-lambda';
import { type ClientSource, clientGetter } from '../sdk/lazy-client.ts';
import type { AccountTaskRunner } from './port.ts';

/**
 * Account tasks as asynchronous invocations of the account worker function (InvocationType `Event`):
 * Lambda queues the event and answers 202 at once, retries a failed run twice, then sends the event to the
 * worker's on-failure queue.
 */
export function lambdaAccountTasks(
  source: ClientSource<LambdaClient>,
  functionName: string,
): AccountTaskRunner {
  const client = clientGetter(source);
  return {
    async start(task) {
      const [lambda, { InvokeCommand }] = await Promise.all([client(), import('@aws-sdk/client-lambda')]);
      await lambda.send(
        new InvokeCommand({
          FunctionName: functionName,
          InvocationType: 'Event',
          Payload: Buffer.from(JSON.stringify(task)),
        }),
      );
    },
  };
}
