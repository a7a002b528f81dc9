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
