/** The local stand-in for the log subscription: batches off the request path, retries, flushes on demand. */
import { expect, it } from 'vitest';
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
