/** The relay's SQS side: SendMessageBatch request shapes and what happens to entries SQS refuses. */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, expect, it, vi } from 'vitest';
import { sqsSink } from '#functions/events/webhook-relay.ts';
import type { ClaimedDelivery, DeliveryQueue } from '#shared/webhooks/deliveries.ts';
import { relayOnce } from '#shared/webhooks/relay.ts';

const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/video-dev-webhook-deliveries';
const sqs = mockClient(SQSClient);
const client = new SQSClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
});
const getClient = async () => client;

afterEach(() => sqs.reset());

const claimed = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `del-${i}`, attempt: 1 + (i % 3) }) as ClaimedDelivery);
const queueOf = (deliveries: ClaimedDelivery[]) =>
  ({ anyDue: async () => true, claim: async () => deliveries }) as unknown as DeliveryQueue;
const ok = (ids: string[]) => ({
  Successful: ids.map((Id) => ({ Id, MessageId: `m-${Id}`, MD5OfMessageBody: 'x' })),
  Failed: [],
});

it('claims nothing when nothing is due: an idle poll is one probe, not a claim’s transaction', async () => {
  const queue = {
    anyDue: async () => false,
    claim: () => Promise.reject(new Error('claimed with nothing due')),
  } as unknown as DeliveryQueue;
  const sink = () => Promise.reject(new Error('sent with nothing claimed'));
  expect(await relayOnce({ queue, sink, leaseMs: 60_000, perEndpoint: 10, perOwner: 50 })).toBe(0);
});

it('queues claimed deliveries in batches of at most ten, one entry per attempt', async () => {
  sqs
    .on(SendMessageBatchCommand)
    .callsFake((input: { Entries: { Id: string }[] }) => ok(input.Entries.map((e) => e.Id)));
  const sink = sqsSink(getClient, QUEUE_URL);
  const n = await relayOnce({
    queue: queueOf(claimed(23)),
    sink,
    leaseMs: 60_000,
    perEndpoint: 10,
    perOwner: 50,
  });
  expect(n).toBe(23);
  const calls = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);
  expect(calls.map((c) => c.Entries?.length)).toEqual([10, 10, 3]);
  for (const input of calls) {
    expect(input.QueueUrl).toBe(QUEUE_URL);
    const ids = input.Entries?.map((e) => e.Id) ?? [];
    // Ids are unique within a request and use only the characters SQS allows.
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
  }
  const bodies = calls.flatMap((c) => c.Entries?.map((e) => JSON.parse(e.MessageBody ?? '')) ?? []);
  expect(bodies).toEqual(claimed(23).map((d) => ({ deliveryId: d.id, attempt: d.attempt })));
});

it('sends again once what SQS failed on its side, and logs what the sender caused or still failed', async () => {
  sqs
    .on(SendMessageBatchCommand)
    .resolvesOnce({
      Successful: [{ Id: '0', MessageId: 'm0', MD5OfMessageBody: 'x' }],
      Failed: [
        { Id: '1', SenderFault: false, Code: 'InternalError', Message: 'try again' },
        { Id: '2', SenderFault: true, Code: 'InvalidMessageContents' },
        { Id: '3', SenderFault: false, Code: 'RequestThrottled' },
      ],
    })
    .resolvesOnce({
      Successful: [{ Id: '1', MessageId: 'm1', MD5OfMessageBody: 'x' }],
      Failed: [{ Id: '3', SenderFault: false, Code: 'RequestThrottled' }],
    });
  const warn = vi.fn();
  const messages = claimed(4).map((d) => ({ deliveryId: d.id, attempt: d.attempt }));
  await sqsSink(getClient, QUEUE_URL, { warn })(messages);
  const calls = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);
  expect(calls).toHaveLength(2);
  expect(calls[1]?.Entries).toEqual([
    { Id: '1', MessageBody: JSON.stringify(messages[1]) },
    { Id: '3', MessageBody: JSON.stringify(messages[3]) },
  ]);
  expect(warn).toHaveBeenCalledOnce();
  expect(warn.mock.calls[0]?.[1]).toEqual({
    failed: [
      { deliveryId: 'del-2', code: 'InvalidMessageContents', senderFault: true },
      { deliveryId: 'del-3', code: 'RequestThrottled', senderFault: false },
    ],
  });
});

it('logs nothing when every entry is queued', async () => {
  sqs.on(SendMessageBatchCommand).resolves(ok(['0']));
  const warn = vi.fn();
  await sqsSink(getClient, QUEUE_URL, { warn })([{ deliveryId: 'd', attempt: 1 }]);
  expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
  expect(warn).not.toHaveBeenCalled();
});
