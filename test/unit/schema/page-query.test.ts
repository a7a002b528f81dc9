import { describe, expect, it } from 'vitest';
import { pageQuery } from '#shared/schema/common.ts';

describe('?limit=', () => {
  it('takes 1 to 100 in plain digits, 20 when absent', () => {
    expect(pageQuery.parse({}).limit).toBe(20);
    expect(pageQuery.parse({ limit: '1' }).limit).toBe(1);
    expect(pageQuery.parse({ limit: '100' }).limit).toBe(100);
  });

  it.each(['0', '101', '-1', '1e2', '0x10', ' 20', '2.5', '100000000000000000000', ''])(
    'refuses %j with one message that says what to send',
    (limit) => {
      const result = pageQuery.safeParse({ limit });
      expect(result.success).toBe(false);
      expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
        ['limit', 'must be a whole number from 1 to 100'],
      ]);
    },
  );
});
