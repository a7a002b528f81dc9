/** Every repository over one database, as the integration suites use them (built without a query). */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
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
import type { DriverCase, TestDatabase } from './db-drivers.ts';

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

/**
 * A database of this driver for the enclosing describe block, opened before its tests and closed after,
 * with every repository over it. Both stand for what `beforeAll` opens, so use them inside tests and hooks.
 */
export function suiteDatabase(driver: DriverCase, options?: { fromScratch?: boolean }) {
  let opened: { t: TestDatabase; repos: Repositories } | undefined;
  beforeAll(async () => {
    const t = await driver.open(options);
    opened = { t, repos: repositoriesFor(t.db) };
  });
  afterAll(async () => {
    await opened?.t.close();
  });
  const forward = <K extends 't' | 'repos'>(part: K) =>
    new Proxy({} as NonNullable<typeof opened>[K], {
      get(_, key) {
        if (!opened) throw new Error('suiteDatabase: use it inside a test or hook');
        return Reflect.get(opened[part], key);
      },
    });
  return { t: forward('t'), repos: forward('repos') };
}

/** A new user with a unique email and username, both starting with `prefix`. */
export function newTestUser(repos: Repositories, prefix: string) {
  const tag = randomUUID().slice(0, 8);
  return repos.users.create({ email: `${prefix}${tag}@example.com`, username: `${prefix}_${tag}` });
}

/** A new user and a project of theirs. */
export async function newOwner(repos: Repositories, prefix: string, title = 'project') {
  const user = await newTestUser(repos, prefix);
  const project = await repos.projects.create(user.id, { title });
  return { user, project };
}

/** The video clip of a PROCESSING job, registered as RegisterClip does it (completing the job). */
export function registerJobClip(
  repos: Repositories,
  job: { id: string; userId: string; projectId: string },
  title: string,
) {
  return repos.clips.register({
    userId: job.userId,
    projectId: job.projectId,
    jobId: job.id,
    title,
    duration: 6,
    fileUrl: `users/${job.userId}/projects/${job.projectId}/clips/${job.id}/video.mp4`,
    fileSize: 100,
    resolution: '1280x720',
    format: 'mp4',
  });
}
