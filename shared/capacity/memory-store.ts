/**
 * The capacity store in memory: the simulation (bench/capacity.ts) and unit tests use it. It keeps the
 * same rules as the DynamoDB store, each operation applied whole or not at all: a grant is one step, so it
 * never puts a waiter back in line (`PutBack`) as the DynamoDB store's may.
 */
import type { CapacityStore, GrantResult, Lease, Waiter } from './store.ts';

export function memoryCapacityStore(): CapacityStore & { operations: number } {
  const counters = new Map<string, number>();
  const leases = new Map<string, Lease>();
  const waiters = new Map<string, Waiter>();
  const key = (model: string, jobId: string) => `${model}#${jobId}`;
  const count = (model: string) => counters.get(model) ?? 0;
  const served = new Map<string, Record<string, number>>();
  const markServed = (w: Waiter, at: number) => {
    const byUser = served.get(w.model) ?? {};
    byUser[w.userId] = at;
    served.set(w.model, byUser);
  };
  const leaseOf = (w: Waiter, expiresAt: number, grantedAt: number): Lease => ({
    model: w.model,
    jobId: w.jobId,
    userId: w.userId,
    expiresAt,
    taskToken: w.taskToken,
    grantedAt,
  });

  const store = {
    operations: 0,
    async grant(waiter: Waiter, capacity: number, expiresAt: number, now: number): Promise<GrantResult> {
      store.operations++;
      const k = key(waiter.model, waiter.jobId);
      const record = waiters.get(k);
      if (leases.has(k)) return 'waiter-changed';
      if (count(waiter.model) >= capacity) return 'full';
      if (!record) return 'gone';
      counters.set(waiter.model, count(waiter.model) + 1);
      leases.set(k, leaseOf(record, expiresAt, now));
      waiters.delete(k);
      markServed(record, now);
      return { taskToken: record.taskToken };
    },
    async transfer(
      fromJobId: string,
      waiter: Waiter,
      expiresAt: number,
      now: number,
      fromToken?: string,
    ): Promise<GrantResult> {
      store.operations++;
      const from = leases.get(key(waiter.model, fromJobId));
      if (!from || (fromToken !== undefined && from.taskToken !== fromToken)) return 'lease-gone';
      const k = key(waiter.model, waiter.jobId);
      const record = waiters.get(k);
      if (!record || leases.has(k)) return 'waiter-changed';
      leases.delete(key(waiter.model, fromJobId));
      leases.set(k, leaseOf(record, expiresAt, now));
      waiters.delete(k);
      markServed(record, now);
      return { taskToken: record.taskToken };
    },
    async release(
      model: string,
      jobId: string,
      condition: { onlyToken?: string; expiredBefore?: number } = {},
    ) {
      store.operations++;
      const lease = leases.get(key(model, jobId));
      if (!lease) return false;
      if (condition.onlyToken !== undefined && lease.taskToken !== condition.onlyToken) return false;
      if (condition.expiredBefore !== undefined && lease.expiresAt >= condition.expiredBefore) return false;
      leases.delete(key(model, jobId));
      counters.set(model, count(model) - 1);
      return true;
    },
    async renew(model: string, jobId: string, expiresAt: number) {
      store.operations++;
      const lease = leases.get(key(model, jobId));
      if (!lease) return false;
      lease.expiresAt = expiresAt;
      return true;
    },
    async lease(model: string, jobId: string) {
      store.operations++;
      const lease = leases.get(key(model, jobId));
      return lease ? { ...lease } : undefined;
    },
    async claim(model: string, jobId: string, taskToken: string, fromToken: string) {
      store.operations++;
      const lease = leases.get(key(model, jobId));
      if (!lease || lease.taskToken !== fromToken) return false;
      lease.taskToken = taskToken;
      return true;
    },
    async addWaiter(waiter: Waiter) {
      store.operations++;
      const k = key(waiter.model, waiter.jobId);
      const held = waiters.get(k);
      waiters.set(k, { ...waiter, enqueuedAt: held?.enqueuedAt ?? waiter.enqueuedAt });
    },
    async removeWaiter(model: string, jobId: string, onlyToken?: string) {
      store.operations++;
      const k = key(model, jobId);
      if (onlyToken !== undefined && waiters.get(k)?.taskToken !== onlyToken) return false;
      return waiters.delete(k);
    },
    async waiters(model: string) {
      store.operations++;
      return [...waiters.values()].filter((w) => w.model === model).map((w) => ({ ...w }));
    },
    async queue(model: string) {
      store.operations++;
      return {
        waiters: [...waiters.values()].filter((w) => w.model === model).map((w) => ({ ...w })),
        leases: [...leases.values()].filter((l) => l.model === model).map((l) => ({ ...l })),
        servedAt: { ...served.get(model) },
      };
    },
    async leases(model: string) {
      store.operations++;
      return [...leases.values()].filter((l) => l.model === model).map((l) => ({ ...l }));
    },
    async inUse(model: string) {
      store.operations++;
      return count(model);
    },
  };
  return store;
}
