import { and, desc, eq, ne, sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { afterCursor, type Page, type PageRequest, pageLimit, toPage } from '../db/pagination.ts';
import { rawRows } from '../db/sql.ts';
import {
  type WebhookDeliveryRow,
  type WebhookEndpointRow,
  webhookDeliveries,
  webhookEndpoints,
} from '../db/tables.ts';
import { ConflictError, MissingUserRowError, NotFoundError } from '../errors.ts';
import type { EventType } from '../events/types.ts';
import { targetRefusal } from './target-host.ts';

export type WebhookEndpoint = WebhookEndpointRow;
export type WebhookDelivery = WebhookDeliveryRow & { eventType: EventType; eventId: string };

export interface EndpointPatch {
  url?: string;
  description?: string;
  events?: EventType[];
  enabled?: boolean;
}

/**
 * The most endpoints one user may have: every event is sent to each enabled one, so without a bound one
 * account could have a single job send thousands of requests to a host it names.
 */
export const MAX_WEBHOOKS = 20;

/** How long the old secret keeps signing after a rotation. */
export const ROTATION_OVERLAP_HOURS = 24;

const own = (userId: string, id: string) =>
  and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.userId, userId));

/**
 * Locks the user's row and answers how many endpoints they hold. Every creation and every change of URL
 * takes this lock first, so they run one after another per user; and the statements after it in the same
 * transaction take a snapshot of their own (READ COMMITTED), which shows whatever the one before committed.
 * Counted within one statement, racing creations would each see a snapshot without the others' rows.
 */
async function lockOwner(tx: Database, userId: string): Promise<number> {
  const [owner] = await rawRows<{ webhook_count: number }>(
    tx,
    sql`SELECT webhook_count FROM users WHERE id = ${userId}::uuid FOR NO KEY UPDATE`,
  );
  // The first authenticated request of an account whose users row is missing creates it (users/provision.ts).
  if (!owner) throw new MissingUserRowError();
  return owner.webhook_count;
}

/** Refuses `url` when the user's other endpoints already hold it, or their share of its host. */
async function checkTarget(tx: Database, userId: string, url: string, except?: string): Promise<void> {
  const others = await tx
    .select({ id: webhookEndpoints.id, url: webhookEndpoints.url })
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.userId, userId), except ? ne(webhookEndpoints.id, except) : undefined));
  const refusal = targetRefusal(url, others);
  if (refusal) throw new ConflictError(refusal);
}

export function createWebhookRepository(db: Database) {
  async function get(userId: string, id: string): Promise<WebhookEndpoint> {
    const [row] = await db.select().from(webhookEndpoints).where(own(userId, id));
    if (!row) throw new NotFoundError('webhook');
    return row;
  }

  return {
    get,

    async create(input: {
      userId: string;
      url: string;
      description?: string;
      events?: EventType[];
      secret: string;
    }): Promise<WebhookEndpoint> {
      return db.transaction(async (tx) => {
        if ((await lockOwner(tx, input.userId)) >= MAX_WEBHOOKS)
          throw new ConflictError(`You already have ${MAX_WEBHOOKS} webhooks; delete one first.`);
        await checkTarget(tx, input.userId, input.url);
        const [row] = await tx
          .insert(webhookEndpoints)
          .values({
            userId: input.userId,
            url: input.url,
            description: input.description ?? '',
            eventTypes: input.events ?? [],
            secret: input.secret,
          })
          .returning();
        return row as WebhookEndpoint;
      });
    },

    async list(userId: string, page: PageRequest = {}): Promise<Page<WebhookEndpoint>> {
      const limit = pageLimit(page.limit);
      const rows = await db
        .select()
        .from(webhookEndpoints)
        .where(
          and(
            eq(webhookEndpoints.userId, userId),
            afterCursor(webhookEndpoints.createdAt, webhookEndpoints.id, page.cursor, `webhooks:${userId}`),
          ),
        )
        .orderBy(desc(webhookEndpoints.createdAt), desc(webhookEndpoints.id))
        .limit(limit + 1);
      return toPage(rows, limit, `webhooks:${userId}`);
    },

    /** Enabling again clears a system disable and its run of failures. */
    async update(userId: string, id: string, patch: EndpointPatch): Promise<WebhookEndpoint> {
      const apply = async (tx: Database) => {
        const [row] = await tx
          .update(webhookEndpoints)
          .set({
            ...(patch.url !== undefined ? { url: patch.url } : {}),
            ...(patch.description !== undefined ? { description: patch.description } : {}),
            ...(patch.events !== undefined ? { eventTypes: patch.events } : {}),
            ...(patch.enabled !== undefined
              ? { enabled: patch.enabled, disabledReason: null, failingSince: null }
              : {}),
            updatedAt: new Date(),
          })
          .where(own(userId, id))
          .returning();
        if (!row) throw new NotFoundError('webhook');
        return row;
      };
      const url = patch.url;
      if (url === undefined) return apply(db);
      return db.transaction(async (tx) => {
        // The endpoint before the owner, the order a deletion takes them in (its row, then the trigger's
        // counter update), so a change of URL racing the endpoint's deletion cannot deadlock with it.
        const [held] = await tx
          .select({ id: webhookEndpoints.id })
          .from(webhookEndpoints)
          .where(own(userId, id))
          .for('no key update');
        if (!held) throw new NotFoundError('webhook');
        await lockOwner(tx, userId);
        await checkTarget(tx, userId, url, id);
        return apply(tx);
      });
    },

    async remove(userId: string, id: string): Promise<void> {
      const rows = await db
        .delete(webhookEndpoints)
        .where(own(userId, id))
        .returning({ id: webhookEndpoints.id });
      if (rows.length === 0) throw new NotFoundError('webhook');
    },

    /** The new secret signs from now on; the current one keeps signing beside it for 24 hours. */
    async rotate(userId: string, id: string, secret: string): Promise<WebhookEndpoint> {
      const [row] = await db
        .update(webhookEndpoints)
        .set({
          secret,
          previousSecret: sql`${webhookEndpoints.secret}`,
          previousSecretExpiresAt: sql`now() + make_interval(hours => ${ROTATION_OVERLAP_HOURS}::int)`,
          updatedAt: new Date(),
        })
        .where(own(userId, id))
        .returning();
      if (!row) throw new NotFoundError('webhook');
      return row;
    },

    /** Records a webhook.test event and its one delivery (to this endpoint only) in one statement. */
    async sendTest(userId: string, id: string): Promise<string> {
      const rows = await rawRows<{ delivery_id: string | null; found: number }>(
        db,
        sql`
        WITH endpoint AS (
          SELECT id, enabled FROM webhook_endpoints WHERE id = ${id}::uuid AND user_id = ${userId}::uuid
        ), event AS (
          INSERT INTO events (user_id, type, data)
          SELECT ${userId}::uuid, 'webhook.test',
                 jsonb_build_object('webhookId', endpoint.id::text, 'message', 'A test event: your endpoint is reachable.')
          FROM endpoint WHERE endpoint.enabled
          RETURNING seq
        ), delivery AS (
          INSERT INTO webhook_deliveries (user_id, endpoint_id, event_seq)
          SELECT ${userId}::uuid, endpoint.id, event.seq FROM endpoint, event
          RETURNING id
        )
        SELECT (SELECT id::text FROM delivery) AS delivery_id,
               (SELECT count(*)::int FROM endpoint) AS found`,
      );
      const r = rows[0];
      if (!r?.found) throw new NotFoundError('webhook');
      if (!r.delivery_id)
        throw new ConflictError('The webhook is disabled; enable it before sending a test.');
      return r.delivery_id;
    },

    /** An endpoint's deliveries, newest first; another user's endpoint reads as not found. */
    async deliveries(
      userId: string,
      endpointId: string,
      page: PageRequest = {},
    ): Promise<Page<WebhookDelivery>> {
      const limit = pageLimit(page.limit);
      await get(userId, endpointId);
      const rows = await db
        .select({
          delivery: webhookDeliveries,
          eventType: sql<EventType>`(SELECT type FROM events WHERE seq = ${webhookDeliveries.eventSeq})`,
          eventTx: sql<string>`(SELECT tx_id::text FROM events WHERE seq = ${webhookDeliveries.eventSeq})`,
        })
        .from(webhookDeliveries)
        .where(
          and(
            eq(webhookDeliveries.endpointId, endpointId),
            eq(webhookDeliveries.userId, userId),
            afterCursor(
              webhookDeliveries.createdAt,
              webhookDeliveries.id,
              page.cursor,
              `deliveries:${userId}:${endpointId}`,
            ),
          ),
        )
        .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
        .limit(limit + 1);
      return toPage(
        rows.map((r) => ({
          ...r.delivery,
          eventType: r.eventType,
          eventId: `evt_${r.eventTx}_${r.delivery.eventSeq}`,
        })),
        limit,
        `deliveries:${userId}:${endpointId}`,
      );
    },

    /**
     * Sends a delivery once more, now (whatever its state); refused while its endpoint is disabled. A
     * delivery whose attempt is under way is left to it: clearing its lease would let a claim send it a
     * second time at once, beside the attempt already running and outside the endpoint's share.
     */
    async retry(userId: string, endpointId: string, deliveryId: string): Promise<void> {
      const rows = await rawRows<{ found: number; enabled: number }>(
        db,
        sql`
        WITH target AS (
          SELECT d.id, w.enabled FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id
          WHERE d.id = ${deliveryId}::uuid AND d.endpoint_id = ${endpointId}::uuid AND d.user_id = ${userId}::uuid
        ), retried AS (
          UPDATE webhook_deliveries d SET status = 'pending', next_attempt_at = now(), lease_until = NULL,
                 updated_at = now()
          FROM target WHERE d.id = target.id AND target.enabled
            AND NOT (d.status = 'pending' AND COALESCE(d.lease_until > now(), false))
          RETURNING d.id
        )
        SELECT (SELECT count(*)::int FROM target) AS found,
               (SELECT count(*)::int FROM target WHERE enabled) AS enabled`,
      );
      if (!rows[0]?.found) throw new NotFoundError('delivery');
      if (!rows[0].enabled) throw new ConflictError('The webhook is disabled; enable it before retrying.');
    },
  };
}

export type WebhookRepository = ReturnType<typeof createWebhookRepository>;
