import { ConflictError } from '../errors.ts';
import type { Job, JobRepository } from '../jobs/repository.ts';
import { jobWorkPrefix, projectPrefix } from '../storage/keys.ts';
import type { ObjectStore } from '../storage/port.ts';
import type { JobWorkflow } from '../workflow/port.ts';
import type { Project, ProjectRepository } from './repository.ts';

export const toProjectResponse = (p: Project) => ({
  id: p.id,
  userId: p.userId,
  title: p.title,
  description: p.description,
  status: p.status,
  settings: p.settings,
  createdAt: p.createdAt.toISOString(),
  updatedAt: p.updatedAt.toISOString(),
});

const PROJECT_DELETED = 'The project was deleted while the job ran.';

export function createProjectService(deps: {
  projects: ProjectRepository;
  jobs: JobRepository;
  store: ObjectStore;
  workflow: JobWorkflow;
}) {
  /** The project's QUEUED and PROCESSING jobs (another user's project reads as not found). */
  async function activeJobs(userId: string, projectId: string): Promise<Job[]> {
    const found: Job[] = [];
    for (const status of ['QUEUED', 'PROCESSING'] as const) {
      let cursor: string | undefined;
      do {
        const page = await deps.jobs.list(userId, projectId, { status, limit: 100, cursor });
        found.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    }
    return found;
  }

  return {
    /**
     * Stops the project's running jobs first (a job still writing would leave media nobody pays for), then
     * deletes its rows (freeing storage in the same statement), then everything under its folders. Objects
     * an execution still writes after this are removed when that execution ends (MarkFailed finds no job
     * row and cleans the job's folders by their ids).
     */
    async remove(userId: string, projectId: string): Promise<{ freedBytes: number }> {
      const running = await activeJobs(userId, projectId);
      // FAILED first, so a clip registration racing with the stop cannot complete the job.
      await Promise.all(
        running.map((job) =>
          deps.jobs.cancel(userId, job.id, PROJECT_DELETED).catch((error: unknown) => {
            if (!(error instanceof ConflictError)) throw error;
          }),
        ),
      );
      await Promise.all(running.map((job) => deps.workflow.stop(job.id, PROJECT_DELETED)));
      const deleted = await deps.projects.remove(userId, projectId);
      await Promise.all([
        deps.store.deletePrefix(projectPrefix(userId, projectId)),
        deps.store.deletePrefix(`uploads/${userId}/${projectId}/`),
        ...running.map((job) => deps.store.deletePrefix(jobWorkPrefix(userId, job.id))),
      ]);
      return { freedBytes: deleted.freedBytes };
    },
  };
}
