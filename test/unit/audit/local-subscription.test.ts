/** The local stand-in for the log subscription: batches off the request path, retries, flushes on demand. */
import { expect, it, vi } from 'vitest';
import { localAuditSubscription } from '#infra/local/audit-subscription.ts';
import type { AuditWriter } from '#shared/audit/writer.ts';

function fakeWriter(failures: number) {
  const batches: string[][] = [];
  let left = failures;
  const writer = {
    write: async (lines: readonly string[]) => {
      if (left > 0) {
        left -= 1;
        throw new Error('table unavailable');
      }
      batches.push([...lines]);
      return { stored: lines.length, ignored: 0, moved: 0 };
    },
  } as AuditWriter;
  return { writer, batches };
}

it('hands lines over in one batch after the window, not while they are recorded', async () => {
  const { writer, batches } = fakeWriter(0);
  const sub = localAuditSubscription(writer, { batchWindowMs: 5, onError: () => undefined });
  sub.deliver('a');
  sub.deliver('b');
  expect(batches).toEqual([]);
  expect(sub.pending()).toBe(2);
  await sub.flush();
  sub.deliver('c');
  await sub.flush();
  expect(batches).toEqual([['a', 'b'], ['c']]);
  expect(sub.pending()).toBe(0);
});

it('tries a failed batch again, and reports lines lost after the last attempt', async () => {
  const retried = fakeWriter(2);
  const lostReports: number[] = [];
  const sub = localAuditSubscription(retried.writer, {
    batchWindowMs: 1,
    attempts: 5,
    onError: (_e, lost) => lostReports.push(lost),
  });
  sub.deliver('x');
  await sub.flush();
  expect(retried.batches).toEqual([['x']]);
  expect(lostReports).toEqual([]);

  const broken = fakeWriter(100);
  const gone = localAuditSubscription(broken.writer, {
    batchWindowMs: 1,
    attempts: 2,
    onError: (_e, lost) => lostReports.push(lost),
  });
  gone.deliver('y');
  gone.deliver('z');
  await gone.flush();
  expect(lostReports).toEqual([2]);
  expect(gone.pending()).toBe(0);
});

it('sends a batch as soon as it is full; lines that come while it is written wait for the window', async () => {
  const batches: string[][] = [];
  let release = () => {};
  const writer = {
    write: async (lines: readonly string[]) => {
      batches.push([...lines]);
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return { stored: lines.length, ignored: 0, moved: 0 };
    },
  } as AuditWriter;
  const sub = localAuditSubscription(writer, {
    batchWindowMs: 60_000,
    maxBatch: 3,
    onError: () => undefined,
  });
  sub.deliver('a');
  sub.deliver('b');
  expect(batches).toEqual([]);
  sub.deliver('c');
  expect(batches).toEqual([['a', 'b', 'c']]);
  sub.deliver('d');
  sub.deliver('e');
  release();
  await new Promise((resolve) => setTimeout(resolve, 10));
  // Not a second, small batch right after the first: d and e wait for the window (or a flush).
  expect(batches).toEqual([['a', 'b', 'c']]);
  expect(sub.pending()).toBe(2);
  const flushed = sub.flush();
  await new Promise((resolve) => setTimeout(resolve, 0));
  release();
  await flushed;
  expect(batches).toEqual([
    ['a', 'b', 'c'],
    ['d', 'e'],
  ]);
});

it('gathers lines for a second by default, as a log subscription batches them', async () => {
  vi.useFakeTimers();
  try {
    const { writer, batches } = fakeWriter(0);
    const sub = localAuditSubscription(writer, { onError: () => undefined });
    sub.deliver('a');
    await vi.advanceTimersByTimeAsync(500);
    sub.deliver('b');
    await vi.advanceTimersByTimeAsync(499);
    expect(batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toEqual([['a', 'b']]);
  } finally {
    vi.useRealTimers();
  }
});
