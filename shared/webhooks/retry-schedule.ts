/**
 * Waits before each retry (after the first attempt, the second, …): about 27.6 hours in all, so a delivery
 * keeps trying for more than a day before it is `failed`.
 */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
];

/**
 * How long one attempt may take. Here rather than in dispatcher.ts: the relay reads it, and importing the
 * dispatcher would evaluate the sender and its address checks (ipaddr.js) at the relay's every cold start.
 */
export const DELIVERY_TIMEOUT_MS = 10_000;

/** An endpoint whose attempts have all failed for this long is disabled. */
export const DEFAULT_DISABLE_AFTER_MS = 5 * 24 * 3_600_000;

/**
 * The wait before the retry that follows attempt `attempts` (1-based), with up to 20 % added at random so that retries
 * of many deliveries spread out; undefined when no retry is left.
 */
export function retryDelay(
  attempts: number,
  delays: readonly number[] = DEFAULT_RETRY_DELAYS_MS,
  random: () => number = Math.random,
): number | undefined {
  const base = delays[attempts - 1];
  if (base === undefined) return undefined;
  return Math.round(base * (1 + 0.2 * random()));
}

/** `WEBHOOK_RETRY_DELAYS_MS=100,200,400` (for tests and benchmarks); the default schedule otherwise. */
export function retryDelaysFromEnv(value = process.env.WEBHOOK_RETRY_DELAYS_MS): readonly number[] {
  if (!value) return DEFAULT_RETRY_DELAYS_MS;
  const delays = value.split(',').map((v) => Number(v.trim()));
  if (delays.some((d) => !Number.isFinite(d) || d < 0)) {
    throw new Error('WEBHOOK_RETRY_DELAYS_MS must be comma-separated milliseconds');
  }
  return delays;
}
