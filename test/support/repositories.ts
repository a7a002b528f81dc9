/** Every repository over one database, as the integration suites use them (built without a query). */
import { createExportRepository } from '#shared/account/exports.ts';
import { createApiKeyRepository } from '#shared/api-keys/repository.ts';
import { createClipRepository } from '#shared/clips/repository.ts';
import type { Database } from '#shared/db/database.ts';
import { createOutbox } from '#shared/events/outbox.ts';
import { createJobRepository } from '#shared/jobs/repository.ts';
import { createGenerationWaits } from '#shared/pipeline/generation-wait.ts';
import { createProjectRepository } from '#shared/projects/repository.ts';
import { createTemplateRepository } from '#shared/templates/repository.ts';
import { createReservationRepository } from '#shared/uploads/reservations.ts';
import { createUserRepository } from '#shared/users/repository.ts';
import { createDeliveryQueue } from '#shared/webhooks/deliveries.ts';
import { createWebhookRepository } from '#shared/webhooks/repository.ts';

export function repositoriesFor(db: Database) {
  return {
    users: createUserRepository(db),
    projects: createProjectRepository(db),
    clips: createClipRepository(db),
    jobs: createJobRepository(db),
    templates: createTemplateRepository(db),
    reservations: createReservationRepository(db),
    apiKeys: createApiKeyRepository(db),
    exports: createExportRepository(db),
    webhooks: createWebhookRepository(db),
    deliveries: createDeliveryQueue(db),
    outbox: createOutbox(db),
    generationWaits: createGenerationWaits(db),
  };
}

export type Repositories = ReturnType<typeof repositoriesFor>;
