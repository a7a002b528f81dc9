import { expect, it } from 'vitest';
import { RATE_WINDOW_SECONDS } from '#shared/jobs/rate-limit.ts';
import { tierLimits } from '#shared/users/tiers.ts';

/** bench/api-throughput.ts: BENCH_USERS' default; its users are seeded on the default (FREE) tier. */
const BENCH_USERS = 1000;
/** The most jobs a second either target has taken in BENCHMARKS.md (the floor, 296 req/s). */
const MOST_MEASURED_PER_SECOND = 296;

it('leaves the create-job benchmark clear of the rate limit: its cycle over 1000 users stays far below jobsPerMinute', () => {
  // bench/_api-load.ts gives the users turns in a shuffled cycle, so each submits one job in BENCH_USERS.
  const perUserInWindow = (MOST_MEASURED_PER_SECOND * RATE_WINDOW_SECONDS) / BENCH_USERS;
  expect(perUserInWindow).toBeLessThan(tierLimits('FREE').jobsPerMinute / 3);
  // A target would need this many jobs a second, for a whole minute, before a user met the limit.
  expect((tierLimits('FREE').jobsPerMinute * BENCH_USERS) / RATE_WINDOW_SECONDS).toBe(1000);
});
