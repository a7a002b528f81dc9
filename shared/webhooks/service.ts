import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ValidationError } from '../errors.ts';
import type { EventType } from '../events/types.ts';
import type { WebhookDelivery, WebhookEndpoint, WebhookRepository } from './repository.ts';
import { newWebhookSecret } from './signing.ts';
import { addressRefusal, checkTargetUrl, hostOf, type TargetPolicy, UnsafeTargetError } from './ssrf.ts';
import { MAX_WEBHOOK_URL_LENGTH } from './target-host.ts';

export type HostResolver = (host: string) => Promise<string[]>;

const systemResolve: HostResolver = async (host) => (await lookup(host, { all: true })).map((a) => a.address);

export function createWebhookService(deps: {
  webhooks: WebhookRepository;
  policy: TargetPolicy;
  resolve?: HostResolver;
}) {
  const resolve = deps.resolve ?? systemResolve;

  /** A URL this deployment may call: its form, then every address its host resolves to now. */
  async function checkUrl(raw: string): Promise<string> {
    try {
      const url = checkTargetUrl(raw, deps.policy);
      // The schema bounds what was sent; what is stored and sent to is the normalised form, which
      // percent-encodes every byte outside ASCII (2000 'é' become 12000 characters).
      const length = url.toString().length;
      if (length > MAX_WEBHOOK_URL_LENGTH) {
        throw new UnsafeTargetError(
          `is ${length} characters long once normalised (characters outside ASCII are percent-encoded); at most ${MAX_WEBHOOK_URL_LENGTH} are allowed`,
        );
      }
      const host = hostOf(url);
      if (isIP(host) === 0) {
        let addresses: string[];
        try {
          addresses = await resolve(host);
        } catch {
          throw new UnsafeTargetError(`names a host that does not resolve (${host})`);
        }
        for (const address of addresses) {
          const refusal = addressRefusal(address, deps.policy);
          if (refusal)
            throw new UnsafeTargetError(`must reach a public address: ${host} resolves to ${refusal}`);
        }
      }
      return url.toString();
    } catch (error) {
      if (!(error instanceof UnsafeTargetError)) throw error;
      throw new ValidationError(`The webhook URL ${error.message}.`, [
        { path: 'body.url', message: error.message },
      ]);
    }
  }

  return {
    checkUrl,
    async create(userId: string, input: { url: string; events?: EventType[]; description?: string }) {
      const secret = newWebhookSecret();
      const endpoint = await deps.webhooks.create({
        userId,
        ...input,
        url: await checkUrl(input.url),
        secret,
      });
      return { endpoint, secret };
    },
    async update(
      userId: string,
      id: string,
      patch: { url?: string; events?: EventType[]; description?: string; enabled?: boolean },
    ) {
      await deps.webhooks.get(userId, id);
      return deps.webhooks.update(userId, id, {
        ...patch,
        ...(patch.url !== undefined ? { url: await checkUrl(patch.url) } : {}),
      });
    },
    async rotate(userId: string, id: string) {
      const secret = newWebhookSecret();
      return { endpoint: await deps.webhooks.rotate(userId, id, secret), secret };
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;

export function toWebhookResponse(w: WebhookEndpoint) {
  const rotating = w.previousSecretExpiresAt && w.previousSecretExpiresAt > new Date();
  return {
    id: w.id,
    url: w.url,
    description: w.description,
    events: w.eventTypes,
    enabled: w.enabled,
    disabledReason: w.disabledReason,
    secretRotatesUntil: rotating ? (w.previousSecretExpiresAt as Date).toISOString() : null,
    createdAt: w.createdAt.toISOString(),
    updatedAt: w.updatedAt.toISOString(),
  };
}

export function toDeliveryResponse(d: WebhookDelivery) {
  return {
    id: d.id,
    eventId: d.eventId,
    eventType: d.eventType,
    status: d.status,
    attempts: d.attempts,
    lastStatusCode: d.lastStatusCode,
    lastLatencyMs: d.lastLatencyMs,
    lastError: d.lastError,
    lastAttemptAt: d.lastAttemptAt?.toISOString() ?? null,
    nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
    createdAt: d.createdAt.toISOString(),
  };
}
