import { wakingBefore } from '../../events/idle-marker.ts';
import { createWebhookRepository } from '../../webhooks/repository.ts';
import { dynamoWebhookSendLimiter } from '../../webhooks/send-limiter.ts';
import { createWebhookService } from '../../webhooks/service.ts';
import type { TargetPolicy } from '../../webhooks/ssrf.ts';
import type { AwsFeature } from '../aws.ts';
import type { Adapters } from '../context.ts';

export const webhooksFeature = (adapters: Adapters) => {
  // A test send writes a delivery, a retry makes one due now, and enabling an endpoint again makes its
  // pending deliveries claimable (shared/events/idle-marker.ts).
  const webhooks = wakingBefore(adapters.idleMarker, createWebhookRepository(adapters.db), [
    'sendTest',
    'retry',
    'update',
  ]);
  const webhookPolicy: TargetPolicy =
    adapters.webhookPolicy ?? (process.env.WEBHOOK_TARGETS === 'local' ? 'local' : 'deployed');
  return {
    webhooks,
    webhookPolicy,
    webhookService: createWebhookService({
      webhooks,
      policy: webhookPolicy,
      ...(adapters.resolveHost ? { resolve: adapters.resolveHost } : {}),
    }),
  };
};

export const awsWebhooks: AwsFeature = {
  feature: webhooksFeature,
  // Each user's test sends and retries, counted beside the rate limiter's other counters.
  adapters: (env) => ({
    webhookSends: dynamoWebhookSendLimiter(env.documents, env.config.RATE_LIMIT_TABLE),
  }),
};
