/**
 * Carries webhook deliveries from the outbox to the delivery queue. An EventBridge schedule starts it every
 * minute; it polls for about 50 s (every second), so an event waits about a second before it is queued, and
 * anything missed (a lost message, a crashed sender, a retry coming due) is picked up again by the next poll.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { createOutbox } from '#shared/events/outbox.ts';
import { DATA_API_RETRY, dataApiDatabase } from '#shared/runtime/database-aws.ts';
import { clientGetter as lazyClient } from '#shared/sdk/lazy-client.ts';
import { createDeliveryQueue } from '#shared/webhooks/deliveries.ts';
import { DELIVERY_TIMEOUT_MS } from '#shared/webhooks/dispatcher.ts';
import { pruneEvents, relayOnce } from '#shared/webhooks/relay.ts';

const logger = new Logger({ serviceName: 'webhook-relay' });
const sqs = lazyClient(async () => {
  const { SQSClient } = await import('@aws-sdk/client-sqs');
  return new SQSClient({});
});
const POLL_MS = 1_000;
/** Sender timeout (30 s) plus queue wait: a claim outlives any attempt that really started. */
const LEASE_MS = 60_000;

export async function handler(
  _event: unknown,
  context: Context,
): Promise<{ queued: number; pruned: number }> {
  const db = dataApiDatabase(DATA_API_RETRY.pipeline);
  const queue = createDeliveryQueue(db);
  const queueUrl = process.env.WEBHOOK_QUEUE_URL;
  if (!queueUrl) throw new Error('WEBHOOK_QUEUE_URL is not set');
  let queued = 0;
  while (context.getRemainingTimeInMillis() > 10_000) {
    const started = Date.now();
    const n = await relayOnce({
      queue,
      leaseMs: LEASE_MS,
      perEndpoint: 10,
      sink: async (messages) => {
        const { SendMessageBatchCommand } = await import('@aws-sdk/client-sqs');
        const out = await (await sqs()).send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: messages.map((m, i) => ({ Id: String(i), MessageBody: JSON.stringify(m) })),
          }),
        );
        // A message SQS refused is sent again once its claim lapses.
        if (out.Failed?.length) logger.warn('messages not queued', { failed: out.Failed.length });
      },
    });
    queued += n;
    if (n === 0) await new Promise((r) => setTimeout(r, Math.max(0, POLL_MS - (Date.now() - started))));
  }
  const pruned = await pruneEvents(createOutbox(db));
  logger.info('relay finished', { queued, pruned, timeoutMs: DELIVERY_TIMEOUT_MS });
  return { queued, pruned };
}
