/**
 * Carries webhook deliveries from the outbox to the delivery queue. An EventBridge schedule starts it every
 * minute; it polls for about 50 s (every second), so an event waits about a second before it is queued, and
 * anything missed (a lost message, a crashed sender, a retry coming due) is picked up again by the next poll.
 * With nothing pending and no job running it rests (shared/events/idle-marker.ts): a tick is then one
 * DynamoDB read and no Data API call, until a retry's time or a wake.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { dynamoIdleMarker } from '#shared/events/idle-marker-dynamodb.ts';
import { createOutbox } from '#shared/events/outbox.ts';
import { beginInvocation } from '#shared/observability/tracing.ts';
import { DATA_API_RETRY, dataApiDatabase } from '#shared/runtime/database-aws.ts';
import { clientGetter as lazyClient } from '#shared/sdk/lazy-client.ts';
import { sdkConfig } from '#shared/sdk/sha256.ts';
import { createDeliveryQueue } from '#shared/webhooks/deliveries.ts';
import { type DeliveryMessage, type MessageSink, relayRun } from '#shared/webhooks/relay.ts';
import { DELIVERY_TIMEOUT_MS } from '#shared/webhooks/retry-schedule.ts';

const logger = new Logger({ serviceName: 'webhook-relay' });
const sqs = lazyClient(async () => {
  const { SQSClient } = await import('@aws-sdk/client-sqs');
  return new SQSClient(sdkConfig());
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

const documents = lazyClient(async () => {
  const [{ DynamoDBClient }, { DynamoDBDocumentClient }] = await Promise.all([
    import('@aws-sdk/client-dynamodb'),
    import('@aws-sdk/lib-dynamodb'),
  ]);
  return DynamoDBDocumentClient.from(new DynamoDBClient(sdkConfig()));
});
/** The schedule's period: a delivery due sooner than this keeps the relay awake. */
const SCHEDULE_MS = 60_000;

export async function handler(
  _event: unknown,
  context: Context,
): Promise<{ resting: boolean; queued: number; pruned: number }> {
  await beginInvocation();
  const queueUrl = process.env.WEBHOOK_QUEUE_URL;
  if (!queueUrl) throw new Error('WEBHOOK_QUEUE_URL is not set');
  const table = process.env.RATE_LIMIT_TABLE;
  if (!table) throw new Error('RATE_LIMIT_TABLE is not set');
  const db = dataApiDatabase(DATA_API_RETRY.pipeline);
  const result = await relayRun({
    marker: dynamoIdleMarker(await documents(), table),
    queue: createDeliveryQueue(db),
    outbox: createOutbox(db),
    sink: sqsSink(sqs, queueUrl),
    leaseMs: LEASE_MS,
    perEndpoint: 10,
    // A quarter of the senders' 20 × 10 attempts at once, so one account's slow endpoints leave the rest.
    perOwner: 50,
    windowMs: SCHEDULE_MS,
    keepPolling: () => context.getRemainingTimeInMillis() > 10_000,
    pause: () => new Promise((r) => setTimeout(r, POLL_MS)),
    onMarkerError: (error) => logger.error('idle marker unreachable; relaying without it', { error }),
  });
  if (!result.resting || result.queued)
    logger.info('relay finished', { ...result, timeoutMs: DELIVERY_TIMEOUT_MS });
  return result;
}
