import { wakingBefore } from '../../events/idle-marker.ts';
import { createProjectRepository } from '../../projects/repository.ts';
import { createProjectService } from '../../projects/service.ts';
import type { AwsFeature } from '../aws.ts';
import { store, workflow } from '../aws-adapters.ts';
import type { Adapters } from '../context.ts';

export const projectsFeature = (adapters: Adapters) => {
  const projects = createProjectRepository(adapters.db);
  return {
    projects,
    projectService: createProjectService({
      // Its clips go with a deleted project, each writing clip.deleted deliveries.
      projects: wakingBefore(adapters.idleMarker, projects, ['remove']),
      store: adapters.store,
      workflow: adapters.workflow,
    }),
  };
};

export const awsProjects: AwsFeature = {
  feature: projectsFeature,
  adapters: (env) => ({ ...store(env), ...workflow(env) }),
};
