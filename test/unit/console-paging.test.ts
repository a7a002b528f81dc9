import { describe, expect, it } from 'vitest';
import { type Listed, withFirstPage, withOlderPage } from '../../console/src/paging.ts';

/** Items named by their minute of creation; a higher minute is newer. */
const at = (minute: number) => ({
  id: `00000000-0000-4000-8000-${String(minute).padStart(12, '0')}`,
  createdAt: `2026-11-28T03:${String(minute).padStart(2, '0')}:00.000Z`,
});
const page = (minutes: number[], nextCursor: string | null): Listed<ReturnType<typeof at>> => ({
  items: minutes.map(at),
  nextCursor,
});
const minutesOf = (list: Listed<ReturnType<typeof at>>) =>
  list.items.map((i) => Number(i.createdAt.slice(14, 16)));

describe("the console's paged lists", () => {
  it('keeps the older pages a user opened when the first page is read again, and their cursor', () => {
    const shown = withOlderPage(page([9, 8, 7], 'after-7'), page([6, 5, 4], 'after-4'));
    expect(minutesOf(shown)).toEqual([9, 8, 7, 6, 5, 4]);
    // A new clip (10) arrived and 8 was deleted elsewhere: the first page now ends at 6.
    const fresh = withFirstPage(shown, page([10, 9, 7], 'after-7-new'));
    expect(minutesOf(fresh)).toEqual([10, 9, 7, 6, 5, 4]);
    expect(fresh.nextCursor).toBe('after-4');
  });

  it('keeps an item that new ones push off the first page, and the cursor after it', () => {
    const fresh = withFirstPage(page([9, 8, 7], 'after-7'), page([10, 9, 8], 'after-8'));
    expect(minutesOf(fresh)).toEqual([10, 9, 8, 7]);
    expect(fresh.nextCursor).toBe('after-7');
  });

  it('takes the fresh page and its cursor when it covers all that was shown', () => {
    const fresh = withFirstPage(page([9, 8], 'after-8'), page([10, 9, 8], 'after-8'));
    expect(minutesOf(fresh)).toEqual([10, 9, 8]);
    expect(fresh.nextCursor).toBe('after-8');
  });

  it('takes the fresh page alone when it is the whole list, and breaks a tie of instants by id', () => {
    expect(minutesOf(withFirstPage(page([9, 8, 7, 6], 'after-6'), page([9, 7], null)))).toEqual([9, 7]);
    const a = { id: '00000000-0000-4000-8000-00000000000a', createdAt: at(5).createdAt };
    const b = { id: '00000000-0000-4000-8000-00000000000b', createdAt: at(5).createdAt };
    const fresh = withFirstPage(
      { items: [b, a], nextCursor: 'after-a' },
      { items: [b], nextCursor: 'after-b' },
    );
    expect(fresh.items).toEqual([b, a]);
  });

  it('does not repeat an item an older page gives again', () => {
    expect(minutesOf(withOlderPage(page([9, 8], 'x'), page([8, 7], null)))).toEqual([9, 8, 7]);
  });
});
