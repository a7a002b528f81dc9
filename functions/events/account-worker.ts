import { runAccountTask } from '#shared/account/worker.ts';
import { beginInvocation } from '#shared/observability/tracing.ts';
import { accountWorkerContext } from '#shared/runtime/account-worker-aws.ts';
import * as z from '#shared/schema/zod.ts';

const task = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('export'), userId: z.uuid(), exportId: z.uuid() }),
  z.object({ kind: z.literal('erase'), userId: z.uuid() }),
]);

/**
 * The account worker: exports and erasures, invoked asynchronously by the me function. A failure throws, so
 * Lambda retries it (both tasks can be repeated) and then sends the event to the on-failure queue.
 */
export const handler = async (event: unknown): Promise<void> => {
  await beginInvocation();
  const input = task.parse(event);
  const ctx = accountWorkerContext();
  await runAccountTask(ctx, input);
  ctx.logger.info('account task done', { kind: input.kind });
};
