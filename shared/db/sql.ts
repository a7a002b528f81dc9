import { getTableColumns, type SQL, type Table } from 'drizzle-orm';
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

/**
 * A row of `table` from its `to_jsonb(row)::text` (a raw statement's way to return a whole row as text):
 * each column decoded as drizzle decodes it from the driver, so it equals what a select of the row gives.
 */
export function rowFromJson<T extends Table>(table: T, text: string): T['$inferSelect'] {
  const json = JSON.parse(text) as Record<string, unknown>;
  const row: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    const value = json[column.name];
    row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return row as T['$inferSelect'];
}
