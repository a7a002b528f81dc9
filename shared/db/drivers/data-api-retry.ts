/**
 * The one retry policy for Data API calls: exponential backoff with full jitter (each wait is a random
 * share of min(maxDelay, baseDelay * 2^attempt)) inside a budget that suits the caller. When the budget is
 * spent, or the failure is transient but may already have applied, the caller gets a ServiceUnavailableError
 * (503 with Retry-After at the API), never a bare driver error.
 */
import { ServiceUnavailableError } from '../../errors.ts';
import { isSafeToRetry, isTransientDataApiError } from '../transient.ts';

export interface RetryPolicy {
  /** The longest the caller may spend on one call, counted from its first attempt. */
  budgetMs: number;
  /** The first backoff cap; doubles per attempt. */
  baseDelayMs?: number;
  /** The largest backoff cap. */
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

/** What clients are told to wait: Aurora resumes from a pause in about 15 s, and the budget has run already. */
export const RETRY_AFTER_SECONDS = 5;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function unavailable(cause: unknown): ServiceUnavailableError {
  return new ServiceUnavailableError(
    'The database is starting up or busy; try again in a few seconds.',
    RETRY_AFTER_SECONDS,
    { cause },
  );
}

/**
 * Runs `call`, repeating it while it fails transiently and repeating is safe (see transient.ts): always for
 * failures AWS documents as not executed, and for outcome-unknown failures only when `repeatable`.
 */
export async function retryTransient<T>(
  call: () => Promise<T>,
  repeatable: boolean,
  policy: RetryPolicy,
): Promise<T> {
  const now = policy.now ?? Date.now;
  const sleep = policy.sleep ?? realSleep;
  const random = policy.random ?? Math.random;
  const base = policy.baseDelayMs ?? 100;
  const cap = policy.maxDelayMs ?? 5_000;
  const deadline = now() + policy.budgetMs;
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (!isTransientDataApiError(error)) throw error;
      const remaining = deadline - now();
      if (!isSafeToRetry(error, repeatable) || remaining <= 0) throw unavailable(error);
      await sleep(Math.min(remaining, random() * Math.min(cap, base * 2 ** attempt)));
    }
  }
}
