import { createWebhookRepository } from '../../webhooks/repository.ts';
import { dynamoWebhookSendLimiter } from '../../webhooks/send-limiter.ts';
import { createWebhookService } from '../../webhooks/service.ts';
import type { TargetPolicy } from '../../webhooks/ssrf.ts';
import type { AwsFeature } from '../aws.ts';
import type { Adapters } from '../context.ts';

export const webhooksFeature = (adapters: Adapters) => {
  const webhooks = createWebhookRepository(adapters.db);
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
