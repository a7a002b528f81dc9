import { type Column, sql } from 'drizzle-orm';

/**
 * The condition of a prepared read of one owned row: placeholders `id` and `userId`, cast so that every
 * driver keeps their types (the Data API sends a placeholder's value untyped).
 */
export const ownedRowByPlaceholders = (id: Column, userId: Column) =>
  sql`${id} = ${sql.placeholder('id')}::uuid and ${userId} = ${sql.placeholder('userId')}::uuid`;
