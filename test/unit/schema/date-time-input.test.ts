import { describe, expect, it } from 'vitest';
import { isoDateInput } from '#shared/schema/common.ts';

describe('a date-time input', () => {
  it.each([
    ['2026-12-01T10:00:00Z', '2026-12-01T10:00:00.000Z'],
    // RFC 3339 §5.6, the note under the grammar: "T" and "Z" may be written in lower case.
    ['2026-12-01t10:00:00z', '2026-12-01T10:00:00.000Z'],
    ['2026-12-01t10:00:00Z', '2026-12-01T10:00:00.000Z'],
    ['2026-12-01T10:00:00.5z', '2026-12-01T10:00:00.500Z'],
    ['2026-12-01t15:30:00+05:30', '2026-12-01T10:00:00.000Z'],
    ['2026-12-01t00:00:00-10:00', '2026-12-01T10:00:00.000Z'],
    ['2024-02-29t23:59:59.999z', '2024-02-29T23:59:59.999Z'],
  ])('takes %j as the instant it names, in UTC with an upper-case T and Z', (sent, read) => {
    expect(isoDateInput.parse(sent)).toBe(read);
  });

  it.each([
    '2026-12-01 10:00:00Z', // a space is not in RFC 3339's grammar
    '2026-12-01T10:00:00', // no zone
    '2026-12-01T10:00Z', // no seconds
    '2026-12-01x10:00:00Z',
    '2026-12-01T10:00:00y',
    '2025-02-29t10:00:00z', // no such day
    '2026-12-01T10:00:00+24:00',
    '2026-12-01T10:00:00Zz',
  ])('refuses %j', (sent) => {
    expect(isoDateInput.safeParse(sent).success).toBe(false);
  });
});
