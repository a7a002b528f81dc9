import { projectPrefix } from '../storage/keys.ts';
import type { ObjectStore } from '../storage/port.ts';
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

export function createProjectService(deps: { projects: ProjectRepository; store: ObjectStore }) {
  return {
    /** Deletes the project's rows (freeing storage in the same statement), then its media. */
    async remove(userId: string, projectId: string): Promise<{ freedBytes: number }> {
      const deleted = await deps.projects.remove(userId, projectId);
      await deps.store.deleteKeys(deleted.mediaKeys);
      await deps.store.deletePrefix(projectPrefix(userId, projectId));
      return { freedBytes: deleted.freedBytes };
    },
  };
}
