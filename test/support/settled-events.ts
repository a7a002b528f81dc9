/**
 * The outbox shows an event only once every transaction older than its own has ended, and on PostgreSQL that
 * horizon spans the whole server (shared/events/outbox.ts). Another test file holding a transaction open on
 * the same server (a race test, under two workers) therefore delays this file's events, without losing
 * them. A test that reads back its own writes waits here first, then reads once and checks exactly.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '#shared/db/database.ts';
import { rawRows } from '#shared/db/sql.ts';

/** Longer than any test holds a transaction open, well short of the test timeout. */
const SETTLE_TIMEOUT_MS = 30_000;

/** Resolves once every transaction that committed before this call lies below the outbox's horizon. */
export async function waitForSettledWrites(db: Database, timeoutMs = SETTLE_TIMEOUT_MS): Promise<void> {
  // xmax: the first transaction id not yet assigned, so every write made so far has a lower one.
  const [mark] = await rawRows<{ xmax: string }>(
    db,
    sql`SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS xmax`,
  );
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await rawRows<{ settled: string }>(
      db,
      sql`SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS settled`,
    );
    if (BigInt(row?.settled ?? '0') >= BigInt(mark?.xmax ?? '0')) return;
    if (Date.now() > deadline) {
      throw new Error(
        `the outbox horizon stayed at transaction ${row?.settled} for ${timeoutMs} ms, below this test's ` +
          `writes (up to ${mark?.xmax}): a transaction on the server was left open`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
