/**
 * The correlation id of the API request being served (API Gateway's request id, also in the response's
 * x-correlation-id header and in every problem response). Work started by the request carries it on:
 * a job's execution input holds it, so the pipeline tasks' log lines and trace annotations carry it too.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const current = new AsyncLocalStorage<string>();

export function withCorrelationId<T>(correlationId: string, fn: () => Promise<T>): Promise<T> {
  return current.run(correlationId, fn);
}

export function currentCorrelationId(): string | undefined {
  return current.getStore();
}
