import { eventId, toEnvelope } from '../events/envelope.ts';
import type { ClaimedDelivery, DeliveryQueue } from './deliveries.ts';
import { type AttemptReport, type OutcomeListener, reportOutcome } from './outcomes.ts';
import {
  DEFAULT_DISABLE_AFTER_MS,
  DEFAULT_RETRY_DELAYS_MS,
  DELIVERY_TIMEOUT_MS,
  retryDelay,
} from './retry-schedule.ts';
import { type SendResult, sendWebhook } from './sender.ts';
import { signedHeaders } from './signing.ts';
import type { Resolver, TargetPolicy } from './ssrf.ts';

export interface DeliveryOptions {
  policy: TargetPolicy;
  /** A 2xx must come within this long (10 s deployed). */
  timeoutMs?: number;
  retryDelaysMs?: readonly number[];
  disableAfterMs?: number;
  resolve?: Resolver;
  onOutcome?: OutcomeListener;
}

/** Sends one claimed delivery, signed, and records how it went. */
export function createDeliverer(queue: DeliveryQueue, options: DeliveryOptions) {
  const timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  return {
    /** How long a claim must hold for one attempt, with room to record it. */
    leaseMs: timeoutMs + 5_000,
    async deliver(delivery: ClaimedDelivery): Promise<AttemptReport | undefined> {
      const body = JSON.stringify(toEnvelope(delivery.event));
      const headers = signedHeaders(eventId(delivery.event), body, delivery.secrets);
      let result: SendResult;
      try {
        result = await sendWebhook(delivery.url, headers, body, {
          policy: options.policy,
          timeoutMs,
          ...(options.resolve ? { resolve: options.resolve } : {}),
        });
      } catch (error) {
        result = { latencyMs: 0, error: (error as Error).message };
      }
      const recorded = await queue.record(delivery, result, {
        retryAfterMs: result.error === undefined ? undefined : retryDelay(delivery.attempt, delays),
        disableAfterMs: options.disableAfterMs ?? DEFAULT_DISABLE_AFTER_MS,
      });
      if (!recorded) return undefined;
      const report: AttemptReport = {
        deliveryId: delivery.id,
        endpointId: delivery.endpointId,
        eventType: delivery.event.type,
        attempt: delivery.attempt,
        outcome: recorded.status === 'pending' ? 'retrying' : recorded.status,
        latencyMs: result.latencyMs,
        endpointDisabled: recorded.endpointDisabled,
        ...(result.statusCode !== undefined ? { statusCode: result.statusCode } : {}),
        ...(result.error !== undefined ? { error: result.error } : {}),
      };
      reportOutcome(report, options.onOutcome);
      return report;
    },
  };
}

export type Deliverer = ReturnType<typeof createDeliverer>;

export interface DispatcherOptions {
  /** How often to look for due deliveries. */
  pollMs?: number;
  /** Attempts in flight at once, over all endpoints. */
  maxInFlight?: number;
  /** Attempts in flight at once for one endpoint. */
  perEndpoint?: number;
  /** Attempts in flight at once for one account, over all its endpoints. */
  perOwner?: number;
  onError?: (error: unknown) => void;
}

/**
 * The in-process sender (`npm start`, tests, benchmarks): claims due deliveries and attempts each one on its
 * own, never waiting for a slow one before claiming more. Deployed, the relay and the sender functions
 * split this loop across a queue (see functions/events/webhook-*.ts).
 */
export function createDispatcher(
  queue: DeliveryQueue,
  deliverer: Deliverer,
  options: DispatcherOptions = {},
) {
  const pollMs = options.pollMs ?? 50;
  const maxInFlight = options.maxInFlight ?? 64;
  const perEndpoint = options.perEndpoint ?? 8;
  // A quarter of the sender: an account's slow endpoints leave the rest to everyone else's deliveries.
  const perOwner = options.perOwner ?? 16;
  const inFlight = new Set<Promise<unknown>>();
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  // A nudge that comes while a round runs: the round may have looked before the new deliveries committed.
  let nudged = false;
  let loop: Promise<void> | undefined;

  async function tick(): Promise<number> {
    const room = maxInFlight - inFlight.size;
    if (room <= 0) return 0;
    // Nothing due: claim would find nothing either, at several times the cost of this probe.
    if (!(await queue.anyDue())) return 0;
    const claimed = await queue.claim({ limit: room, perEndpoint, perOwner, leaseMs: deliverer.leaseMs });
    for (const delivery of claimed) {
      const work = deliverer
        .deliver(delivery)
        .catch((error: unknown) => options.onError?.(error))
        .finally(() => inFlight.delete(work));
      inFlight.add(work);
    }
    return claimed.length;
  }

  async function run() {
    while (running) {
      nudged = false;
      try {
        const claimed = await tick();
        if (claimed > 0) continue;
      } catch (error) {
        options.onError?.(error);
      }
      if (nudged) continue;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, pollMs);
      });
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    /** Stops claiming and waits for the attempts in flight. */
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      wake?.();
      await loop;
      await Promise.all(inFlight);
    },
    /** Looks for due deliveries now rather than at the next poll (new ones were committed). */
    nudge() {
      nudged = true;
      if (timer) clearTimeout(timer);
      wake?.();
    },
    /** One round of claims, for tests that step the sender by hand. */
    tick,
  };
}
