import { webhookDeliveryMetric } from '../observability/metrics.ts';

/**
 * What one delivery attempt came to. Every attempt reports here, in one place, so that logs and metrics
 * (deliveries by outcome) read the same facts.
 */
export type DeliveryOutcome = 'succeeded' | 'retrying' | 'failed';

export interface AttemptReport {
  deliveryId: string;
  endpointId: string;
  eventType: string;
  attempt: number;
  outcome: DeliveryOutcome;
  statusCode?: number;
  latencyMs: number;
  error?: string;
  /** True when this failure disabled the endpoint (failing for too long). */
  endpointDisabled: boolean;
}

export type OutcomeListener = (report: AttemptReport) => void;

const METRIC_OUTCOME = { succeeded: 'delivered', retrying: 'retried', failed: 'failed' } as const;

/** Counts the attempt by outcome (the WebhookDeliveries metric), then tells the caller's listener. */
export function reportOutcome(report: AttemptReport, listener?: OutcomeListener): void {
  webhookDeliveryMetric(METRIC_OUTCOME[report.outcome]);
  listener?.(report);
}
