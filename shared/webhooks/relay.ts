import { type IdleMarker, relayResting } from '../events/idle-marker.ts';
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
  queue: Pick<DeliveryQueue, 'anyDue' | 'claim'>;
  sink: MessageSink;
  leaseMs: number;
  perEndpoint: number;
  perOwner: number;
  batch?: number;
}): Promise<number> {
  // A claim is a transaction of four Data API calls; most polls find nothing, which one probe tells.
  if (!(await deps.queue.anyDue())) return 0;
  const claimed = await deps.queue.claim({
    limit: deps.batch ?? 100,
    perEndpoint: deps.perEndpoint,
    perOwner: deps.perOwner,
    leaseMs: deps.leaseMs,
  });
  for (let i = 0; i < claimed.length; i += 10) {
    await deps.sink(claimed.slice(i, i + 10).map((d) => ({ deliveryId: d.id, attempt: d.attempt })));
  }
  return claimed.length;
}

export const EVENT_RETENTION_DAYS = 30;

export async function pruneEvents(outbox: Pick<Outbox, 'prune'>): Promise<number> {
  return outbox.prune(EVENT_RETENTION_DAYS);
}

/**
 * One scheduled relay run: reads the idle marker first and returns without a statement while the relay
 * rests; otherwise polls until `keepPolling` says stop, prunes, and then rests until the earliest next
 * attempt of a pending delivery (or until woken) when nothing is due within the next run's reach and no job
 * is running. Returns what it did.
 */
export async function relayRun(deps: {
  marker: IdleMarker;
  queue: Pick<DeliveryQueue, 'anyDue' | 'claim' | 'nextWork'>;
  outbox: Pick<Outbox, 'prune'>;
  sink: MessageSink;
  leaseMs: number;
  perEndpoint: number;
  perOwner: number;
  /** How long a run covers (a delivery due within it is left to the run, not slept through). */
  windowMs: number;
  /** Whether to poll again (the Lambda's remaining time). */
  keepPolling: () => boolean;
  pause: () => Promise<void>;
  now?: () => number;
  /** A marker read or rest that failed (the run went on without it). */
  onMarkerError?: (error: unknown) => void;
}): Promise<{ resting: boolean; queued: number; pruned: number }> {
  const now = deps.now ?? Date.now;
  // A marker that cannot be read does not stop deliveries: the run goes on, and rests only once it can.
  const seen = await deps.marker.read().catch((error: unknown) => {
    deps.onMarkerError?.(error);
    return undefined;
  });
  if (seen && relayResting(seen, now(), deps.windowMs)) return { resting: true, queued: 0, pruned: 0 };
  let queued = 0;
  while (deps.keepPolling()) {
    const n = await relayOnce(deps);
    queued += n;
    if (n === 0) await deps.pause();
  }
  const pruned = await pruneEvents(deps.outbox);
  const next = await deps.queue.nextWork();
  const until = next.nextAttemptAt?.getTime() ?? Number.POSITIVE_INFINITY;
  const resting =
    seen !== undefined &&
    !next.activeJobs &&
    until > now() + deps.windowMs &&
    (await deps.marker.restRelay(seen, until).catch((error: unknown) => {
      deps.onMarkerError?.(error);
      return false;
    }));
  return { resting, queued, pruned };
}
