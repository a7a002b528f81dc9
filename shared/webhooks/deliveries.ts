import { sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { rawRows } from '../db/sql.ts';
import type { StoredEvent } from '../events/envelope.ts';
import { eventColumns, toStoredEvent } from '../events/outbox.ts';
import type { SendResult } from './sender.ts';

/** A delivery whose attempt has been claimed: where to send, what, and with which secrets. */
export interface ClaimedDelivery {
  id: string;
  endpointId: string;
  /** This attempt's number (1 for the first); a record for any other number is ignored. */
  attempt: number;
  url: string;
  /** The current secret and, during a rotation's overlap, the previous one. */
  secrets: string[];
  event: StoredEvent;
}

export interface ClaimOptions {
  /** At most this many deliveries. */
  limit: number;
  /** At most this many attempts in flight per endpoint, counting those already running. */
  perEndpoint: number;
  /**
   * At most this many in flight for one account over all its endpoints: each endpoint's share alone let one
   * account with a few slow endpoints hold every sender slot, and everyone else's deliveries waited.
   */
  perOwner: number;
  /** How long an attempt may hold its delivery before another worker may try again. */
  leaseMs: number;
}

type ClaimedRecord = {
  id: string;
  attempts: number;
  endpoint_id: string;
  url: string;
  secret: string;
  previous_secret: string | null;
  seq: string;
  tx_id: string;
  type: string;
  data: string;
  created_at: string;
};

const toClaimed = (r: ClaimedRecord): ClaimedDelivery => ({
  id: r.id,
  endpointId: r.endpoint_id,
  attempt: r.attempts,
  url: r.url,
  secrets: r.previous_secret ? [r.secret, r.previous_secret] : [r.secret],
  event: toStoredEvent(r),
});

const claimedColumns = sql`c.id::text AS id, c.attempts, c.endpoint_id::text AS endpoint_id, w.url, w.secret,
  CASE WHEN w.previous_secret_expires_at > now() THEN w.previous_secret END AS previous_secret, ${eventColumns('e')}`;

export interface RecordPolicy {
  /** The wait before the next attempt, or undefined when none is left. */
  retryAfterMs: number | undefined;
  /** An endpoint failing for this long is disabled. */
  disableAfterMs: number;
}

const DISABLED_REASON = 'Every delivery failed for 5 days; enable it again once it answers.';

export function createDeliveryQueue(db: Database) {
  return {
    /**
     * Whether any pending delivery is due: one probe of the partial due index, far cheaper than `claim`, so an
     * idle sender can look often (in-process, the local database shares the server's one thread).
     */
    async anyDue(): Promise<boolean> {
      const rows = await rawRows<{ due: boolean }>(
        db,
        sql`SELECT EXISTS (
          SELECT 1 FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= now()
        ) AS due`,
      );
      return rows[0]?.due === true;
    },

    /**
     * What the relay may sleep until, in one statement: the earliest next attempt of a pending delivery of
     * an enabled endpoint (a leased one's is its lease's end; enabling an endpoint wakes the relay), and
     * whether any job is QUEUED or PROCESSING (a running job writes events, and so deliveries, with no wake).
     */
    async nextWork(): Promise<{ nextAttemptAt: Date | undefined; activeJobs: boolean }> {
      const rows = await rawRows<{ next: string | null; active: boolean }>(
        db,
        sql`SELECT
          to_char((SELECT min(d.next_attempt_at) FROM webhook_deliveries d
                   JOIN webhook_endpoints w ON w.id = d.endpoint_id AND w.enabled
                   WHERE d.status = 'pending') AT TIME ZONE 'UTC',
                  'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS next,
          EXISTS (SELECT 1 FROM generation_jobs WHERE status IN ('QUEUED', 'PROCESSING')) AS active`,
      );
      const next = rows[0]?.next;
      return { nextAttemptAt: next ? new Date(next) : undefined, activeJobs: rows[0]?.active !== false };
    },

    /**
     * Takes due deliveries of enabled endpoints, oldest due first, no endpoint beyond its share of attempts
     * in flight (so a slow endpoint only ever holds its own share) and no account beyond its own over all its
     * endpoints, and leases each one for an attempt.
     *
     * Claims may overlap (a relay run lasting past its minute meets the next one). Each first locks the
     * endpoints it will serve, skipping those another claim holds, and only then counts and leases in a
     * second statement: under READ COMMITTED that statement's snapshot shows every earlier claim of those
     * endpoints. Counted in one statement, two claims whose snapshots differed (a delivery that came due
     * committing between them) could each take the share their own snapshot allowed. The account's share is
     * counted the same way but over endpoints that two overlapping claims may split between them, so there
     * (deployed, a relay run overlapping the next) it may be passed by what the other claim holds uncommitted.
     */
    async claim(options: ClaimOptions): Promise<ClaimedDelivery[]> {
      return db.transaction(async (tx) => {
        const locked = await rawRows<{ id: string }>(
          tx,
          sql`
          SELECT w.id::text AS id FROM webhook_endpoints w
          WHERE w.enabled AND w.id IN (
            SELECT endpoint_id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= now()
          )
          FOR NO KEY UPDATE SKIP LOCKED`,
        );
        if (locked.length === 0) return [];
        const endpoints = sql`SELECT value::uuid FROM jsonb_array_elements_text(${JSON.stringify(locked.map((r) => r.id))}::jsonb)`;
        const rows = await rawRows<ClaimedRecord>(
          tx,
          sql`
          WITH busy AS (
            SELECT endpoint_id, count(*)::int AS n FROM webhook_deliveries
            WHERE lease_until > now() AND endpoint_id IN (${endpoints}) GROUP BY endpoint_id
          ), owner_busy AS (
            SELECT user_id, count(*)::int AS n FROM webhook_deliveries
            WHERE lease_until > now()
              AND user_id IN (SELECT user_id FROM webhook_endpoints WHERE id IN (${endpoints}))
            GROUP BY user_id
          ), ranked AS (
            SELECT d.id, d.endpoint_id, d.user_id, d.next_attempt_at,
                   row_number() OVER (PARTITION BY d.endpoint_id ORDER BY d.next_attempt_at, d.id) AS n
            FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id AND w.enabled
            WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND d.endpoint_id IN (${endpoints})
          ), within_endpoint AS (
            SELECT r.id, r.user_id,
                   row_number() OVER (PARTITION BY r.user_id ORDER BY r.next_attempt_at, r.id) AS m
            FROM ranked r LEFT JOIN busy b ON b.endpoint_id = r.endpoint_id
            WHERE r.n + COALESCE(b.n, 0) <= ${options.perEndpoint}::int
          ), picked AS (
            SELECT d.id FROM webhook_deliveries d
            JOIN within_endpoint e ON e.id = d.id
            LEFT JOIN owner_busy o ON o.user_id = e.user_id
            WHERE e.m + COALESCE(o.n, 0) <= ${options.perOwner}::int
              AND d.status = 'pending' AND d.next_attempt_at <= now()
            ORDER BY d.next_attempt_at, d.id
            LIMIT ${options.limit}::int
            FOR UPDATE OF d SKIP LOCKED
          ), c AS (
            UPDATE webhook_deliveries d
            SET attempts = d.attempts + 1,
                lease_until = now() + make_interval(secs => ${options.leaseMs / 1000}::float8),
                next_attempt_at = now() + make_interval(secs => ${options.leaseMs / 1000}::float8),
                updated_at = now()
            FROM picked WHERE d.id = picked.id
            RETURNING d.id, d.attempts, d.endpoint_id, d.event_seq
          )
          SELECT ${claimedColumns}
          FROM c JOIN webhook_endpoints w ON w.id = c.endpoint_id JOIN events e ON e.seq = c.event_seq`,
        );
        return rows.map(toClaimed);
      });
    },

    /** A delivery claimed elsewhere (by the relay), if that claim still holds. */
    async load(id: string, attempt: number): Promise<ClaimedDelivery | undefined> {
      const rows = await rawRows<ClaimedRecord>(
        db,
        sql`
        SELECT ${claimedColumns}
        FROM webhook_deliveries c JOIN webhook_endpoints w ON w.id = c.endpoint_id JOIN events e ON e.seq = c.event_seq
        WHERE c.id = ${id}::uuid AND c.attempts = ${attempt}::int AND c.status = 'pending' AND c.lease_until > now()`,
      );
      const row = rows[0];
      return row ? toClaimed(row) : undefined;
    },

    /**
     * Records an attempt's result. A 2xx ends the delivery `succeeded` and clears the endpoint's run of
     * failures; anything else schedules the next attempt, or ends it `failed` when none is left. A failure
     * after the endpoint has failed for `disableAfterMs` disables it and ends its pending deliveries.
     * Returns the delivery's new status, or undefined when this attempt's claim had been superseded.
     */
    async record(
      delivery: ClaimedDelivery,
      result: SendResult,
      policy: RecordPolicy,
    ): Promise<{ status: 'succeeded' | 'pending' | 'failed'; endpointDisabled: boolean } | undefined> {
      const ok = result.error === undefined;
      const last = sql`last_status_code = ${result.statusCode ?? null}::int, last_latency_ms = ${result.latencyMs}::int,
        last_error = ${result.error?.slice(0, 500) ?? null}, last_attempt_at = now(), lease_until = NULL, updated_at = now()`;
      const mine = sql`d.id = ${delivery.id}::uuid AND d.attempts = ${delivery.attempt}::int AND d.status = 'pending'`;
      if (ok) {
        const rows = await rawRows<{ status: string }>(
          db,
          sql`
          WITH done AS (
            UPDATE webhook_deliveries d SET status = 'succeeded', ${last} WHERE ${mine}
            RETURNING d.endpoint_id
          ), healthy AS (
            UPDATE webhook_endpoints w SET failing_since = NULL
            FROM done WHERE w.id = done.endpoint_id AND w.failing_since IS NOT NULL
          )
          SELECT 'succeeded' AS status FROM done`,
        );
        return rows[0] ? { status: 'succeeded', endpointDisabled: false } : undefined;
      }
      const retryMs = policy.retryAfterMs ?? null;
      const rows = await rawRows<{ status: string; disabled: number }>(
        db,
        sql`
        WITH ep AS (
          -- The endpoint is locked and written by the function, with snapshots of its own (migration 0022),
          -- before the delivery's row, as a claim takes them; this statement then only reads it.
          SELECT d.endpoint_id AS id,
                 record_webhook_failure(d.endpoint_id, ${policy.disableAfterMs / 1000}::float8, ${DISABLED_REASON}) AS expire
          FROM webhook_deliveries d WHERE ${mine}
        ), attempt AS (
          UPDATE webhook_deliveries d
          SET status = CASE WHEN ${retryMs}::float8 IS NULL OR (SELECT expire FROM ep) THEN 'failed' ELSE 'pending' END,
              next_attempt_at = now() + make_interval(secs => COALESCE(${retryMs}::float8, 0) / 1000),
              ${last}
          WHERE ${mine} AND EXISTS (SELECT 1 FROM ep WHERE expire IS NOT NULL)
          RETURNING d.status
        ), ended AS (
          -- A delivery whose attempt is being recorded right now is skipped, not waited for (a success holds
          -- its row while it waits for the endpoint, held here). It ends by itself: succeeded, or pending on a
          -- disabled endpoint, which nothing claims until the endpoint is enabled again.
          UPDATE webhook_deliveries x
          SET status = 'failed', lease_until = NULL, last_error = 'The endpoint was disabled.', updated_at = now()
          WHERE x.id IN (
            SELECT p.id FROM webhook_deliveries p JOIN ep ON ep.expire AND p.endpoint_id = ep.id
            WHERE p.status = 'pending' AND p.id <> ${delivery.id}::uuid
            FOR UPDATE OF p SKIP LOCKED
          )
        )
        SELECT status, (SELECT expire::int FROM ep) AS disabled FROM attempt`,
      );
      const row = rows[0];
      return row
        ? { status: row.status as 'pending' | 'failed', endpointDisabled: row.disabled === 1 }
        : undefined;
    },
  };
}

export type DeliveryQueue = ReturnType<typeof createDeliveryQueue>;
