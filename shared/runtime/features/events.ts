import { createOutbox } from '../../events/outbox.ts';
import { dynamoStreamSlots } from '../../events/stream-slots.ts';
import { createJobRepository } from '../../jobs/repository.ts';
import { createProjectRepository } from '../../projects/repository.ts';
import type { AwsFeature } from '../aws.ts';
import type { Adapters, Once } from '../context.ts';

/** Job events: the outbox the stream and the webhook relay read. */
export const eventsFeature = (adapters: Adapters, once: Once) => ({
  jobs: once('jobs', () => createJobRepository(adapters.db)),
  // The account stream's project filter names a project the caller must own, as every route's does.
  projects: once('projects', () => createProjectRepository(adapters.db)),
  outbox: createOutbox(adapters.db),
});

export const awsEvents: AwsFeature = {
  feature: eventsFeature,
  // Each user's share of open streams, kept beside the rate limiter's counters.
  adapters: (env) => ({ streamSlots: dynamoStreamSlots(env.documents, env.config.RATE_LIMIT_TABLE) }),
};
