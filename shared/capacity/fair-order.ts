import type { Lease, Waiter } from './store.ts';

/**
 * Waiters in the order they are served: round-robin across users. A waiter's rank is how many of its
 * user's jobs hold a unit or wait ahead of it (by enqueuedAt); among equal ranks the user served least
 * recently goes first (never served: first of all), then the older job. So a user with nothing running
 * comes before one with jobs running, a user whose job just got a unit goes to the back of its rank,
 * and a user with one job never waits behind another user's 30: at most one job of each other user.
 */
export function fairOrder(
  waiters: readonly Waiter[],
  leases: readonly Pick<Lease, 'userId'>[] = [],
  servedAt: Readonly<Record<string, number>> = {},
): Waiter[] {
  const byTime = [...waiters].sort(
    (a, b) => a.enqueuedAt - b.enqueuedAt || (a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0),
  );
  const seen = new Map<string, number>();
  for (const lease of leases) seen.set(lease.userId, (seen.get(lease.userId) ?? 0) + 1);
  const ranked = byTime.map((w, index) => {
    const rank = seen.get(w.userId) ?? 0;
    seen.set(w.userId, rank + 1);
    return { w, rank, index };
  });
  const served = (w: Waiter) => servedAt[w.userId] ?? Number.NEGATIVE_INFINITY;
  ranked.sort((a, b) => a.rank - b.rank || served(a.w) - served(b.w) || a.index - b.index);
  return ranked.map((r) => r.w);
}

/** 1-based positions of the waiters in serving order, by job id. */
export function queuePositions(
  waiters: readonly Waiter[],
  leases: readonly Pick<Lease, 'userId'>[] = [],
  servedAt: Readonly<Record<string, number>> = {},
): Map<string, number> {
  return new Map(fairOrder(waiters, leases, servedAt).map((w, i) => [w.jobId, i + 1]));
}
