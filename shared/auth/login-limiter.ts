import { TooManyRequestsError } from '../errors.ts';

/**
 * Slows down guessing: after `freeAttempts` failures for one key (email or source address) within the
 * window, each further attempt must wait an exponentially growing delay. Kept in memory per process;
 * on AWS, Cognito's own lockout and threat protection sit behind it.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, { count: number; first: number; last: number }>();

  constructor(
    private readonly freeAttempts = 5,
    private readonly windowMs = 15 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  check(keys: string[]): void {
    const t = this.now();
    for (const key of keys) {
      const entry = this.failures.get(key);
      if (!entry) continue;
      if (t - entry.first > this.windowMs) {
        this.failures.delete(key);
        continue;
      }
      if (entry.count < this.freeAttempts) continue;
      const waitMs = Math.min(this.windowMs, 1000 * 2 ** (entry.count - this.freeAttempts));
      const remaining = entry.last + waitMs - t;
      if (remaining > 0) {
        throw new TooManyRequestsError(
          'Too many failed sign-in attempts; wait before trying again.',
          Math.ceil(remaining / 1000),
        );
      }
    }
  }

  fail(keys: string[]): void {
    const t = this.now();
    for (const key of keys) {
      const entry = this.failures.get(key);
      if (!entry || t - entry.first > this.windowMs) this.failures.set(key, { count: 1, first: t, last: t });
      else this.failures.set(key, { count: entry.count + 1, first: entry.first, last: t });
    }
    if (this.failures.size > 100_000) this.failures.clear();
  }

  succeed(keys: string[]): void {
    for (const key of keys) this.failures.delete(key);
  }
}
