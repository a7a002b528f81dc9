import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { apiHandler } from '#shared/http/api-handler.ts';
import { endpoint } from '#shared/http/endpoint.ts';
import { ifMatchVersion } from '#shared/http/if-match.ts';
import { created, noContent, ok, withEtag } from '#shared/http/responses.ts';
import {
  createProjectBody,
  listProjectsQuery,
  projectParams,
  updateProjectBody,
} from '#shared/projects/schema.ts';
import { toProjectResponse } from '#shared/projects/service.ts';
import { useAwsContext } from '#shared/runtime/aws.ts';
import type { AppContext } from '#shared/runtime/context.ts';
import { awsProjects } from '#shared/runtime/features/projects.ts';

useAwsContext(awsProjects);

/** The project's row version when If-Match names the ETag of its current representation (ifMatchVersion). */
const projectVersion = (r: {
  event: APIGatewayProxyEventV2;
  ctx: AppContext;
  caller: { userId: string };
  params: { projectId: string };
}) =>
  ifMatchVersion(
    r.event,
    'project',
    () => r.ctx.projects.getVersioned(r.caller.userId, r.params.projectId),
    toProjectResponse,
  );

export const handler = apiHandler([
  {
    method: 'GET',
    path: '/v1/projects',
    handler: endpoint(
      { action: 'project.list', resource: 'project', query: listProjectsQuery },
      async (r) => {
        const page = await r.ctx.projects.list(r.caller.userId, r.query);
        return ok({ items: page.items.map(toProjectResponse), nextCursor: page.nextCursor });
      },
    ),
  },
  {
    method: 'POST',
    path: '/v1/projects',
    handler: endpoint(
      { action: 'project.create', resource: 'project', body: createProjectBody },
      async (r) => {
        const project = await r.ctx.projects.create(r.caller.userId, r.body);
        r.audit(project.id);
        return created(toProjectResponse(project), `/v1/projects/${project.id}`);
      },
    ),
  },
  {
    method: 'GET',
    path: '/v1/projects/{projectId}',
    handler: endpoint({ action: 'project.read', resource: 'project', params: projectParams }, async (r) =>
      withEtag(r.event, toProjectResponse(await r.ctx.projects.get(r.caller.userId, r.params.projectId))),
    ),
  },
  {
    method: 'PATCH',
    path: '/v1/projects/{projectId}',
    handler: endpoint(
      { action: 'project.update', resource: 'project', params: projectParams, body: updateProjectBody },
      async (r) => {
        const { userId } = r.caller;
        const { projectId } = r.params;
        const version = await projectVersion(r);
        return ok(toProjectResponse(await r.ctx.projects.update(userId, projectId, r.body, version)));
      },
    ),
  },
  {
    method: 'DELETE',
    path: '/v1/projects/{projectId}',
    handler: endpoint({ action: 'project.delete', resource: 'project', params: projectParams }, async (r) => {
      const { userId } = r.caller;
      const { projectId } = r.params;
      const version = await projectVersion(r);
      await r.ctx.projectService.remove(userId, projectId, version);
      return noContent();
    }),
  },
]);
