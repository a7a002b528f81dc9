/**
 * Carries webhook deliveries from the outbox to the delivery queue. An EventBridge schedule starts it every
 * minute; it polls for about 50 s (every second), so an event waits about a second before it is queued, and
 * anything missed (a lost message, a crashed sender, a retry coming due) is picked up again by the next poll.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { createOutbox } from '#shared/events/outbox.ts';
import { DATA_API_RETRY, dataApiDatabase } from '#shared/runtime/database-aws.ts';
import { clientGetter as lazyClient } from '#shared/sdk/lazy-client.ts';
import { createDeliveryQueue } from '#shared/webhooks/deliveries.ts';
import { type DeliveryMessage, type MessageSink, pruneEvents, relayOnce } from '#shared/webhooks/relay.ts';
import { DELIVERY_TIMEOUT_MS } from '#shared/webhooks/retry-schedule.ts';

const logger = new Logger({ serviceName: 'webhook-relay' });
const sqs = lazyClient(async () => {
  const { SQSClient } = await import('@aws-sdk/client-sqs');
  return new SQSClient({});
});
const POLL_MS = 1_000;
/** Sender timeout (30 s) plus queue wait: a claim outlives any attempt that really started. */
const LEASE_MS = 60_000;

/**
 * Sends up to ten messages with one SendMessageBatch. Entries SQS refused through no fault of ours
 * (SenderFault false: throttling, an internal error) are sent once more; what still fails is logged and
 * queued again by a later poll once its claim lapses.
 */
export function sqsSink(
  client: () => Promise<SQSClient>,
  queueUrl: string,
  log: Pick<Logger, 'warn'> = logger,
): MessageSink {
  return async (messages) => {
    const { SendMessageBatchCommand } = await import('@aws-sdk/client-sqs');
    const send = async (entries: { Id: string; message: DeliveryMessage }[]) => {
      const out = await (await client()).send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: entries.map((e) => ({ Id: e.Id, MessageBody: JSON.stringify(e.message) })),
        }),
      );
      return out.Failed ?? [];
    };
    const entries = messages.map((message, i) => ({ Id: String(i), message }));
    let failed = await send(entries);
    const again = entries.filter((e) => failed.some((f) => f.Id === e.Id && !f.SenderFault));
    if (again.length > 0) {
      const retried = new Set(again.map((e) => e.Id));
      failed = [...failed.filter((f) => !retried.has(f.Id ?? '')), ...(await send(again))];
    }
    if (failed.length > 0) {
      log.warn('messages not queued', {
        failed: failed.map((f) => ({
          deliveryId: entries[Number(f.Id)]?.message.deliveryId,
          code: f.Code,
          senderFault: f.SenderFault,
        })),
      });
    }
  };
}

export async function handler(
  _event: unknown,
  context: Context,
): Promise<{ queued: number; pruned: number }> {
  const db = dataApiDatabase(DATA_API_RETRY.pipeline);
  const queue = createDeliveryQueue(db);
  const queueUrl = process.env.WEBHOOK_QUEUE_URL;
  if (!queueUrl) throw new Error('WEBHOOK_QUEUE_URL is not set');
  const sink = sqsSink(sqs, queueUrl);
  let queued = 0;
  while (context.getRemainingTimeInMillis() > 10_000) {
    const started = Date.now();
    const n = await relayOnce({ queue, leaseMs: LEASE_MS, perEndpoint: 10, sink });
    queued += n;
    if (n === 0) await new Promise((r) => setTimeout(r, Math.max(0, POLL_MS - (Date.now() - started))));
  }
  const pruned = await pruneEvents(createOutbox(db));
  logger.info('relay finished', { queued, pruned, timeoutMs: DELIVERY_TIMEOUT_MS });
  return { queued, pruned };
}
