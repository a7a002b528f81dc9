import { sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { rawRows } from '../db/sql.ts';
import type { EventPosition, StoredEvent } from './envelope.ts';
import type { EventType } from './types.ts';

export interface EventFilter {
  projectId?: string;
  jobId?: string;
}

type EventRecord = {
  seq: string;
  tx_id: string;
  type: string;
  data: string;
  created_at: string;
};

export function toStoredEvent(r: EventRecord): StoredEvent {
  return {
    seq: Number(r.seq),
    txId: Number(r.tx_id),
    type: r.type as EventType,
    data: JSON.parse(r.data) as Record<string, unknown>,
    createdAt: new Date(r.created_at),
  };
}

/** Columns of an event as raw statements select them (text only; see db/sql.ts). */
export const eventColumns = (alias: string) =>
  sql.raw(
    `${alias}.seq::text AS seq, ${alias}.tx_id::text AS tx_id, ${alias}.type, ${alias}.data::text AS data, ` +
      `to_char(${alias}.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at`,
  );

/** Only transactions older than every one still running are read: nothing can commit behind them later. */
const SETTLED = sql`pg_snapshot_xmin(pg_current_snapshot())::text::bigint`;

export function createOutbox(db: Database) {
  return {
    /**
     * The caller's events after a position, in commit-safe order (writing transaction, then sequence):
     * an event appears only once no transaction that could precede it is still open.
     */
    async after(userId: string, position: EventPosition, filter: EventFilter = {}, limit = 100) {
      const rows = await rawRows<EventRecord>(
        db,
        sql`
        SELECT ${eventColumns('e')} FROM events e
        WHERE e.user_id = ${userId}::uuid
          AND (e.tx_id, e.seq) > (${String(position.txId)}::bigint, ${String(position.seq)}::bigint)
          AND e.tx_id < ${SETTLED}
          ${filter.jobId ? sql`AND e.job_id = ${filter.jobId}::uuid` : sql``}
          ${filter.projectId ? sql`AND e.project_id = ${filter.projectId}::uuid` : sql``}
        ORDER BY e.tx_id, e.seq
        LIMIT ${limit}::int`,
      );
      return rows.map(toStoredEvent);
    },

    /** Where a stream that starts now begins: after everything settled, before anything still open. */
    async now(): Promise<EventPosition> {
      const rows = await rawRows<{ horizon: string }>(db, sql`SELECT (${SETTLED} - 1)::text AS horizon`);
      return { txId: Number(rows[0]?.horizon ?? 0), seq: Number.MAX_SAFE_INTEGER };
    },

    /** Events older than the retention whose deliveries are all over; returns how many were removed. */
    async prune(olderThanDays: number): Promise<number> {
      const rows = await rawRows<{ n: number }>(
        db,
        sql`
        WITH gone AS (
          DELETE FROM events e WHERE e.created_at < now() - make_interval(days => ${olderThanDays}::int)
            AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_seq = e.seq AND d.status = 'pending')
          RETURNING 1
        )
        SELECT count(*)::int AS n FROM gone`,
      );
      return rows[0]?.n ?? 0;
    },
  };
}

export type Outbox = ReturnType<typeof createOutbox>;
