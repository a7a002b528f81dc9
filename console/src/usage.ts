import type { Usage } from './api.ts';
import { formatBytes } from './format.ts';

/** The months the usage panel offers, newest first: the current one and the eleven before it, from 2000-01. */
export function recentMonths(current: string, count = 12): string[] {
  const [year, month] = current.split('-').map(Number) as [number, number];
  return Array.from({ length: count }, (_, i) =>
    new Date(Date.UTC(year, month - 1 - i, 1)).toISOString().slice(0, 7),
  ).filter((m) => m >= '2000-01');
}

export const monthName = (month: string) =>
  new Date(`${month}-01T00:00:00Z`).toLocaleDateString(undefined, {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });

// A few kilobytes held for minutes is billions of a GB-month: past three decimals only 'under' says anything.
const figure = (n: number) =>
  n > 0 && n < 0.001
    ? 'under 0.001'
    : new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 }).format(n);

export const formatUsd = (amount: number) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 4 }).format(
    amount,
  );

/**
 * The storage figures of a month, worded for whether it is still running: the API gives the bytes held at
 * its end (now, for the current month) and the GB-months S3 bills by (so far, for the current month).
 */
export function storageLines(usage: Usage, current: boolean): { term: string; detail: string }[] {
  return [
    {
      term: current ? 'Storage held now' : 'Storage held at the end of the month',
      detail: formatBytes(usage.storageBytes),
    },
    {
      term: current ? 'Storage so far this month' : 'Storage over the month',
      detail: `${figure(usage.storageGbMonths)} GB-months (${figure(usage.storageByteHours / 2 ** 30)} GB-hours)`,
    },
    { term: 'S3 storage estimate', detail: formatUsd(usage.estimatedCostUsd.s3Storage) },
  ];
}
