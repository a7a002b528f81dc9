/** The sender's SQS handler: partial batch failures name exactly the records that were not processed. */
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { expect, it, vi } from 'vitest';
import { processRecords } from '#functions/events/webhook-sender.ts';
import type { ClaimedDelivery } from '#shared/webhooks/deliveries.ts';
import { sqsRecord } from '#test/support/aws-events.ts';

/** A record as Lambda's SQS event source delivers it from the deliveries queue. */
const record = (messageId: string, body: string): SQSRecord =>
  sqsRecord(messageId, body, 'arn:aws:sqs:us-east-1:123456789012:video-dev-webhook-deliveries');
const body = (deliveryId: string, attempt = 1) => JSON.stringify({ deliveryId, attempt });

it('reports only the records that could not be processed, by messageId', async () => {
  const event: SQSEvent = {
    Records: [
      record('m-ok', body('d-ok')),
      record('m-gone', body('d-gone')),
      record('m-db', body('d-db')),
      record('m-bad', '{not json'),
      record('m-send', body('d-send', 2)),
    ],
  };
  const load = vi.fn(async (id: string, attempt: number) => {
    if (id === 'd-db') throw new Error('DatabaseResumingException');
    if (id === 'd-gone') return undefined;
    return { id, attempt } as ClaimedDelivery;
  });
  const deliver = vi.fn(async (d: ClaimedDelivery) => {
    if (d.id === 'd-send') throw new Error('could not record the attempt');
    return undefined;
  });
  const error = vi.fn();
  const out = await processRecords(event, { queue: { load }, deliverer: { deliver } }, { error });
  expect(out.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['m-bad', 'm-db', 'm-send']);
  expect(out.batchItemFailures.every((f) => Object.keys(f).join() === 'itemIdentifier')).toBe(true);
  expect(load).toHaveBeenCalledWith('d-send', 2);
  expect(deliver.mock.calls.map(([d]) => d.id).sort()).toEqual(['d-ok', 'd-send']);
  expect(error).toHaveBeenCalledTimes(3);
  expect(error.mock.calls.map(([, fields]) => fields.messageId).sort()).toEqual(['m-bad', 'm-db', 'm-send']);
});

it('answers an empty failure list when every record was processed, so SQS deletes the batch', async () => {
  const out = await processRecords(
    { Records: [record('m1', body('d1')), record('m2', body('d2'))] },
    {
      queue: { load: async (id) => ({ id }) as ClaimedDelivery },
      deliverer: { deliver: async () => undefined },
    },
  );
  expect(out).toEqual({ batchItemFailures: [] });
});
