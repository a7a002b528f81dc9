/**
 * A list shown page by page, newest first, as the API pages it: by (createdAt, id) descending, with a
 * cursor after the oldest item shown.
 */
export interface Listed<T> {
  items: T[];
  nextCursor: string | null;
}
interface Keyed {
  id: string;
  createdAt: string;
}

/** Whether `a` comes after `b` in the API's order (older; the same instant falls back to the id). */
const olderThan = (a: Keyed, b: Keyed) =>
  a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.id < b.id);

/**
 * The first page read again over what was shown: it replaces the newest items (new ones appear, ones gone
 * elsewhere go), and the older pages the user already opened stay, with the cursor after them.
 */
export function withFirstPage<T extends Keyed>(shown: Listed<T>, first: Listed<T>): Listed<T> {
  const last = first.items.at(-1);
  if (!last || first.nextCursor === null) return first;
  const older = shown.items.filter((item) => olderThan(item, last));
  return older.length ? { items: [...first.items, ...older], nextCursor: shown.nextCursor } : first;
}

/** The next page of older items added below what was shown (an item shown already is not repeated). */
export function withOlderPage<T extends Keyed>(shown: Listed<T>, older: Listed<T>): Listed<T> {
  const ids = new Set(shown.items.map((item) => item.id));
  return {
    items: [...shown.items, ...older.items.filter((item) => !ids.has(item.id))],
    nextCursor: older.nextCursor,
  };
}
