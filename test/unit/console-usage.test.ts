import { describe, expect, it } from 'vitest';
import type { Usage } from '../../console/src/api.ts';
import { recentMonths, storageLines } from '../../console/src/usage.ts';

const usage = (month: string): Usage => ({
  month,
  generatedSeconds: { byModel: {} },
  transcodedMinutes: 0,
  jobs: { completed: 0, failed: 0, cancelled: 0 },
  storageBytes: 3 * 2 ** 30,
  // 1 GiB held for the whole of a 30-day month plus 2 GiB for half of it.
  storageByteHours: 2 ** 30 * 720 + 2 * 2 ** 30 * 360,
  storageGbMonths: 2,
  estimatedCostUsd: {
    total: 0.046,
    bedrock: 0,
    mediaConvert: 0,
    stepFunctions: 0,
    lambda: 0,
    s3Storage: 0.046,
  },
  priceTable: { asOf: '2026-11-01', region: 'us-east-1', sources: {} },
});

describe("the console's usage panel", () => {
  it('offers the current month and the eleven before it, across a new year, never one to come', () => {
    const months = recentMonths('2026-02');
    expect(months).toHaveLength(12);
    expect(months.slice(0, 3)).toEqual(['2026-02', '2026-01', '2025-12']);
    expect(months.at(-1)).toBe('2025-03');
  });

  it('stops at 2000-01, the first month the API answers for', () => {
    expect(recentMonths('2000-03')).toEqual(['2000-03', '2000-02', '2000-01']);
  });

  it('says the storage of the current month is what is held now and what was held so far', () => {
    const text = storageLines(usage('2026-11'), true).map((l) => `${l.term}: ${l.detail}`);
    expect(text).toEqual([
      'Storage held now: 3.0 GB',
      'Storage so far this month: 2 GB-months (1,440 GB-hours)',
      'S3 storage estimate: $0.046',
    ]);
  });

  it("says a past month's storage is what was held at its end and over the whole month", () => {
    const text = storageLines(usage('2026-10'), false).map((l) => `${l.term}: ${l.detail}`);
    expect(text[0]).toBe('Storage held at the end of the month: 3.0 GB');
    expect(text[1]).toBe('Storage over the month: 2 GB-months (1,440 GB-hours)');
  });

  it('shows a small GB-month figure to three significant digits, and a tiny one as under 0.001, never as zero', () => {
    const small = { ...usage('2026-11'), storageGbMonths: 0.0123456, storageByteHours: 2 ** 30 * 0.0918 };
    expect(storageLines(small, true)[1]?.detail).toBe('0.0123 GB-months (0.0918 GB-hours)');
    const tiny = { ...usage('2026-11'), storageGbMonths: 3e-9, storageByteHours: 2 ** 30 * 2.4e-6 };
    expect(storageLines(tiny, true)[1]?.detail).toBe('under 0.001 GB-months (under 0.001 GB-hours)');
    const none = { ...usage('2026-11'), storageGbMonths: 0, storageByteHours: 0 };
    expect(storageLines(none, true)[1]?.detail).toBe('0 GB-months (0 GB-hours)');
  });
});
