import { describe, expect, it } from 'vitest';
import { fairOrder, queuePositions } from '#shared/capacity/fair-order.ts';
import type { Waiter } from '#shared/capacity/store.ts';

const w = (userId: string, jobId: string, enqueuedAt: number): Waiter => ({
  model: 'm',
  userId,
  jobId,
  enqueuedAt,
  taskToken: `t-${jobId}`,
});

describe('fair order', () => {
  it('serves every user once before anyone twice', () => {
    const waiters = [
      w('a', 'a1', 1),
      w('a', 'a2', 2),
      w('a', 'a3', 3),
      w('b', 'b1', 4),
      w('c', 'c1', 5),
      w('b', 'b2', 6),
    ];
    expect(fairOrder(waiters).map((x) => x.jobId)).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3']);
  });

  it('puts a single job submitted after 30 of another user second', () => {
    const many = Array.from({ length: 30 }, (_, i) => w('heavy', `h${i}`, i));
    const order = fairOrder([...many, w('light', 'single', 100)]);
    expect(order.findIndex((x) => x.jobId === 'single')).toBe(1);
    expect(queuePositions([...many, w('light', 'single', 100)]).get('single')).toBe(2);
  });

  it('orders by time within a user, and is stable for equal times', () => {
    const order = fairOrder([w('a', 'z', 5), w('a', 'y', 5), w('a', 'x', 1)]);
    expect(order.map((x) => x.jobId)).toEqual(['x', 'y', 'z']);
  });
});

describe('fair order with units in use', () => {
  it('puts a user with jobs running behind one with none', () => {
    const waiters = [w('a', 'a2', 1), w('b', 'b1', 2)];
    expect(fairOrder(waiters, [{ userId: 'a' }]).map((x) => x.jobId)).toEqual(['b1', 'a2']);
  });
});

describe('fair order by service', () => {
  it('puts a user just served behind one never served, at equal rank', () => {
    const waiters = [w('a', 'a2', 1), w('b', 'b1', 2)];
    expect(fairOrder(waiters, [], { a: 100 }).map((x) => x.jobId)).toEqual(['b1', 'a2']);
    expect(fairOrder(waiters, [], { a: 100, b: 200 }).map((x) => x.jobId)).toEqual(['a2', 'b1']);
  });

  it('serves a late single job before the next of each user who was served, whatever their ages', () => {
    const heavy = Array.from({ length: 29 }, (_, i) => w('heavy', `h${i}`, i));
    const order = fairOrder([...heavy, w('single', 's', 100)], [], { heavy: 50 });
    expect(order[0]!.jobId).toBe('s');
  });
});

// Why job events carry no queuePosition (README, job events): places change for the whole line at once.
describe('places in line over time', () => {
  it('moves several waiters at each grant, and moves one back when another user arrives', () => {
    const line = [w('a', 'a1', 1), w('a', 'a2', 2), w('b', 'b1', 3), w('b', 'b2', 4)];
    const before = queuePositions(line);
    expect([...before]).toEqual([
      ['a1', 1],
      ['b1', 2],
      ['a2', 3],
      ['b2', 4],
    ]);

    // a1 gets a unit: b1 and b2 move up, b2 past a2 (whose user was just served).
    const after = queuePositions(line.slice(1), [{ userId: 'a' }], { a: 10 });
    expect([...after]).toEqual([
      ['b1', 1],
      ['b2', 2],
      ['a2', 3],
    ]);
    expect([...after].filter(([id, place]) => before.get(id) !== place)).toHaveLength(2);

    // A third user's first job goes ahead of the others' second jobs.
    const joined = queuePositions([...line.slice(1), w('c', 'c1', 20)], [{ userId: 'a' }], { a: 10 });
    expect(joined.get('c1')).toBe(2);
    expect(joined.get('a2')).toBeGreaterThan(after.get('a2')!);
  });
});
