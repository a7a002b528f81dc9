import { createOutbox } from '../../events/outbox.ts';
import { createJobRepository } from '../../jobs/repository.ts';
import type { AwsFeature } from '../aws.ts';
import type { Adapters, Once } from '../context.ts';

/** Job events: the outbox the stream and the webhook relay read. */
export const eventsFeature = (adapters: Adapters, once: Once) => ({
  jobs: once('jobs', () => createJobRepository(adapters.db)),
  outbox: createOutbox(adapters.db),
});

export const awsEvents: AwsFeature = { feature: eventsFeature };
