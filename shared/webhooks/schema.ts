import { EVENT_TYPES } from '../events/types.ts';
import { isoDate, pageQuery, uuid } from '../schema/common.ts';
import { lazySchema } from '../schema/lazy.ts';
import { proseText } from '../schema/text.ts';
import * as z from '../schema/zod.ts';
import { MAX_WEBHOOK_URL_LENGTH, MAX_WEBHOOKS_PER_HOST } from './target-host.ts';

const subscribable = EVENT_TYPES.filter((t) => t !== 'webhook.test') as [string, ...string[]];
export const eventTypes = lazySchema(() =>
  z
    .array(
      z.enum(subscribable as ['job.created', 'job.progress', 'job.completed', 'job.failed', 'clip.deleted']),
    )
    .check(
      z.maxLength(subscribable.length),
      z.refine((a) => new Set(a).size === a.length, { message: 'must not repeat a type' }),
    ),
);

/** Form only here; the service checks scheme and addresses against the deployment's target policy. */
const url = lazySchema(() =>
  z
    .string()
    .check(
      z.trim(),
      z.minLength(1, 'must not be empty'),
      z.maxLength(MAX_WEBHOOK_URL_LENGTH, `must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`),
      z.describe(
        `Where events are sent: at most ${MAX_WEBHOOK_URL_LENGTH} characters as sent and as stored once normalised ` +
          '(each byte of a character outside ASCII is stored percent-encoded, as three characters). At most ' +
          `${MAX_WEBHOOKS_PER_HOST} of an account's webhooks may point at one host ` +
          '(the hostname lowercased, an IP address in its canonical form; port, path and query do not count), ' +
          'and no two at the same URL: a fourth on a host, or a repeated URL, is refused with 409, on creation ' +
          'and on a change of URL.',
      ),
    ),
);
const description = lazySchema(() =>
  z
    .string()
    .check(
      z.trim(),
      z.maxLength(500, 'must be at most 500 characters'),
      z.superRefine(proseText('description')),
    ),
);

export const createWebhookBody = lazySchema(() =>
  z.strictObject({ url, events: z.optional(eventTypes), description: z.optional(description) }),
);

export const updateWebhookBody = lazySchema(() =>
  z
    .strictObject({
      url: z.optional(url),
      events: z.optional(eventTypes),
      description: z.optional(description),
      enabled: z.optional(z.boolean()),
    })
    .check(
      z.refine((b) => Object.keys(b).length > 0, { message: 'give at least one field to change', path: [] }),
    ),
);

export const webhookParams = lazySchema(() => z.object({ webhookId: uuid }));
export const deliveryParams = lazySchema(() => z.object({ webhookId: uuid, deliveryId: uuid }));
export const listWebhooksQuery = lazySchema(() => z.strictObject(pageQuery.shape));
export const listDeliveriesQuery = lazySchema(() => z.strictObject(pageQuery.shape));

export const webhookResponse = lazySchema(() =>
  z.object({
    id: uuid,
    url: z.string(),
    description: z.string(),
    events: z.array(z.string()),
    enabled: z.boolean(),
    disabledReason: z.nullable(z.string()),
    secretRotatesUntil: z.nullable(isoDate),
    createdAt: isoDate,
    updatedAt: isoDate,
  }),
);

export const webhookWithSecret = lazySchema(() => z.extend(webhookResponse, { secret: z.string() }));

export const deliveryResponse = lazySchema(() =>
  z.object({
    id: uuid,
    eventId: z.string(),
    eventType: z.enum(EVENT_TYPES),
    status: z.enum(['pending', 'succeeded', 'failed']),
    attempts: z.number().check(z.int()),
    lastStatusCode: z.nullable(z.number().check(z.int())),
    lastLatencyMs: z.nullable(z.number().check(z.int())),
    lastError: z.nullable(z.string()),
    lastAttemptAt: z.nullable(isoDate),
    nextAttemptAt: z.nullable(isoDate),
    createdAt: isoDate,
  }),
);

/** What every event carries, on webhooks and on the stream. */
export const eventEnvelope = lazySchema(() =>
  z.object({
    id: z
      .string()
      .check(z.describe('evt_<transaction>_<sequence>; also the webhook-id header and the SSE id')),
    type: z.enum(EVENT_TYPES),
    createdAt: isoDate,
    data: z
      .record(z.string(), z.unknown())
      .check(
        z.describe(
          "job.*: the job as GET /v1/jobs/{jobId} returns it, less `queuePosition` (read by GET only: a waiting job's place moves with every grant and arrival, so no event reports it); job.completed adds `clip`; clip.deleted: the clip; webhook.test: {webhookId, message}",
        ),
      ),
  }),
);

export { eventStreamQuery } from '../events/stream-schema.ts';
