import type { Outbox } from '../events/outbox.ts';
import type { DeliveryQueue } from './deliveries.ts';

/** What the relay hands the sender through the queue: which delivery, and which attempt was claimed. */
export interface DeliveryMessage {
  deliveryId: string;
  attempt: number;
}

/** Sends a batch of messages to the delivery queue (SQS deployed). */
export type MessageSink = (messages: DeliveryMessage[]) => Promise<void>;

/**
 * Deployed, the relay runs once a minute for most of the minute: it claims due deliveries (new events,
 * retries whose time came, and attempts whose claim lapsed because a sender died) and queues one message per
 * attempt; senders pick them up in parallel. The claim's lease bounds how long a lost message delays its
 * delivery. It also removes events past their retention.
 */
export async function relayOnce(deps: {
  queue: DeliveryQueue;
  sink: MessageSink;
  leaseMs: number;
  perEndpoint: number;
  batch?: number;
}): Promise<number> {
  // A claim is a transaction of four Data API calls; most polls find nothing, which one probe tells.
  if (!(await deps.queue.anyDue())) return 0;
  const claimed = await deps.queue.claim({
    limit: deps.batch ?? 100,
    perEndpoint: deps.perEndpoint,
    leaseMs: deps.leaseMs,
  });
  for (let i = 0; i < claimed.length; i += 10) {
    await deps.sink(claimed.slice(i, i + 10).map((d) => ({ deliveryId: d.id, attempt: d.attempt })));
  }
  return claimed.length;
}

export const EVENT_RETENTION_DAYS = 30;

export async function pruneEvents(outbox: Outbox): Promise<number> {
  return outbox.prune(EVENT_RETENTION_DAYS);
}
