import type { SQL } from 'drizzle-orm';
import type { Database } from './database.ts';

/**
 * Runs a raw statement and returns its rows as plain objects. Drivers disagree on how they decode types in
 * raw results, so raw statements select only text and int4 values (cast in the SQL), which all three
 * drivers return alike.
 */
export async function rawRows<T extends Record<string, string | number | boolean | null>>(
  db: Database,
  query: SQL,
): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows?: T[] } | T[];
  return Array.isArray(result) ? result : (result.rows ?? []);
}

/** `%` and `_` in user text are literal in an ILIKE pattern. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
