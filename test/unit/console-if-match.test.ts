import { describe, expect, it } from 'vitest';
import { sameItem } from '../../console/src/if-match.ts';

describe("the console's check that an item is still the one it shows", () => {
  it('finds the same JSON the same whatever the order of its keys', () => {
    const shown = { id: 'a', title: 'Shot', metadata: { tags: ['snow', 'dawn'], scene: 3 }, note: null };
    const read = { note: null, metadata: { scene: 3, tags: ['snow', 'dawn'] }, title: 'Shot', id: 'a' };
    expect(sameItem(shown, read)).toBe(true);
  });

  it('tells a change anywhere in it, a key more or less, and an array from an object', () => {
    const shown = { id: 'a', metadata: { tags: ['snow', 'dawn'] }, note: null };
    expect(sameItem(shown, { ...shown, metadata: { tags: ['dawn', 'snow'] } })).toBe(false);
    expect(sameItem(shown, { ...shown, note: '' })).toBe(false);
    expect(sameItem(shown, { ...shown, extra: 1 })).toBe(false);
    expect(sameItem({ id: 'a' }, { id: 'a', note: null })).toBe(false);
    expect(sameItem({ 0: 'x' }, ['x'])).toBe(false);
  });
});
