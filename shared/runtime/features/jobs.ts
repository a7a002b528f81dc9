import { dynamoCapacityStore } from '../../capacity/dynamodb-store.ts';
import { createClipRepository } from '../../clips/repository.ts';
import { loggableError } from '../../db/errors.ts';
import { wakingBefore } from '../../events/idle-marker.ts';
import { createJobRepository } from '../../jobs/repository.ts';
import { createJobService } from '../../jobs/service.ts';
import { createTemplateRepository } from '../../templates/repository.ts';
import { createUserRepository } from '../../users/repository.ts';
import type { AwsFeature } from '../aws.ts';
import { idempotent, store, workflow } from '../aws-adapters.ts';
import { type Adapters, enabledModelsOf, type Once } from '../context.ts';

export const jobsFeature = (adapters: Adapters, once: Once) => {
  const users = once('users', () => createUserRepository(adapters.db));
  const clips = once('clips', () => createClipRepository(adapters.db));
  const jobs = once('jobs', () => createJobRepository(adapters.db));
  const templates = once('templates', () => createTemplateRepository(adapters.db));
  return {
    jobs,
    jobService: createJobService({
      users,
      clips,
      // A submission may write job.created deliveries and an admitted job (shared/events/idle-marker.ts).
      jobs: wakingBefore(adapters.idleMarker, jobs, ['create']),
      templates,
      workflow: adapters.workflow,
      store: adapters.store,
      onCleanupError: (message, error) => adapters.logger.error(message, { error: loggableError(error) }),
      enabledModels: enabledModelsOf(adapters, once),
      ...(adapters.now ? { now: adapters.now } : {}),
    }),
  };
};

export const awsJobs: AwsFeature = {
  feature: jobsFeature,
  adapters: (env) => ({
    ...workflow(env),
    ...store(env),
    ...idempotent(env),
    ...(env.config.CAPACITY_TABLE
      ? { capacityQueue: dynamoCapacityStore(env.documents, env.config.CAPACITY_TABLE) }
      : {}),
  }),
};
