import { jobWorkPrefix, projectPrefix } from '../storage/keys.ts';
import type { ObjectStore } from '../storage/port.ts';
import type { JobWorkflow } from '../workflow/port.ts';
import { PROJECT_DELETED, type Project, type ProjectRepository } from './repository.ts';

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

export function createProjectService(deps: {
  projects: ProjectRepository;
  store: ObjectStore;
  workflow: JobWorkflow;
}) {
  return {
    /**
     * Ends the project's running jobs (FAILED first, so a clip registration racing with the stop cannot
     * complete one) and deletes its rows in one transaction, then stops those jobs' executions, then deletes
     * everything under its folders. A job submitted meanwhile is either among them or refused (the
     * repository's lock order). Objects an execution still writes after this are removed when that
     * execution ends (MarkFailed finds no job row and cleans the job's folders by their ids); one whose
     * start comes after the deletion ends at its first step, which finds no job.
     */
    async remove(userId: string, projectId: string, ifVersion?: string): Promise<{ freedBytes: number }> {
      const deleted = await deps.projects.remove(userId, projectId, ifVersion);
      await Promise.all(deleted.endedJobIds.map((jobId) => deps.workflow.stop(jobId, PROJECT_DELETED)));
      await Promise.all([
        deps.store.deletePrefix(projectPrefix(userId, projectId)),
        deps.store.deletePrefix(`uploads/${userId}/${projectId}/`),
        ...deleted.endedJobIds.map((jobId) => deps.store.deletePrefix(jobWorkPrefix(userId, jobId))),
      ]);
      return { freedBytes: deleted.freedBytes };
    },
  };
}
