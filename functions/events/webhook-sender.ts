/**
 * Sends webhook deliveries queued by the relay (one attempt per message): signs, POSTs with the SSRF guard,
 * and records the outcome and the next attempt in the database. Each message is independent, so a slow
 * endpoint holds only its own messages; a message that fails to be processed (not a failed delivery, which
 * is recorded and retried on schedule) returns to the queue and, after five receives, lands in the DLQ.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { beginInvocation } from '#shared/observability/tracing.ts';
import { DATA_API_RETRY, dataApiDatabase } from '#shared/runtime/database-aws.ts';
import { createDeliveryQueue, type DeliveryQueue } from '#shared/webhooks/deliveries.ts';
import { createDeliverer, type Deliverer } from '#shared/webhooks/dispatcher.ts';
import type { DeliveryMessage } from '#shared/webhooks/relay.ts';
import { retryDelaysFromEnv } from '#shared/webhooks/retry-schedule.ts';

const logger = new Logger({ serviceName: 'webhook-sender' });

/**
 * Processes every record; the ones that could not be processed are reported by message id
 * (ReportBatchItemFailures), so only they return to the queue.
 */
export async function processRecords(
  event: SQSEvent,
  deps: { queue: Pick<DeliveryQueue, 'load'>; deliverer: Pick<Deliverer, 'deliver'> },
  log: Pick<Logger, 'error'> = logger,
): Promise<SQSBatchResponse> {
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  await Promise.all(
    event.Records.map(async (record) => {
      try {
        const message = JSON.parse(record.body) as DeliveryMessage;
        const delivery = await deps.queue.load(message.deliveryId, message.attempt);
        // Gone, done, or claimed again since: nothing to send.
        if (!delivery) return;
        await deps.deliverer.deliver(delivery);
      } catch (error) {
        log.error('delivery not processed', {
          messageId: record.messageId,
          error: (error as Error).message,
        });
        failures.push({ itemIdentifier: record.messageId });
      }
    }),
  );
  return { batchItemFailures: failures };
}

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  await beginInvocation();
  const queue = createDeliveryQueue(dataApiDatabase(DATA_API_RETRY.pipeline));
  const deliverer = createDeliverer(queue, {
    policy: 'deployed',
    retryDelaysMs: retryDelaysFromEnv(),
    onOutcome: (report) => logger.info('webhook attempt', { ...report }),
  });
  return processRecords(event, { queue, deliverer });
}
