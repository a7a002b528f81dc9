import { queuePositionsOf } from '#shared/capacity/positions.ts';
import { apiHandler } from '#shared/http/api-handler.ts';
import { endpoint } from '#shared/http/endpoint.ts';
import { accepted, ok, withEtag } from '#shared/http/responses.ts';
import { checkIdempotencyKey } from '#shared/idempotency/idempotent.ts';
import { toJobResponse } from '#shared/jobs/response.ts';
import { createJobBody, jobParams, listJobsQuery } from '#shared/jobs/schema.ts';
import { projectParams } from '#shared/projects/schema.ts';
import { useAwsContext } from '#shared/runtime/aws.ts';
import { awsJobs } from '#shared/runtime/features/jobs.ts';

useAwsContext(awsJobs);

export const handler = apiHandler([
  {
    method: 'GET',
    path: '/v1/projects/{projectId}/jobs',
    handler: endpoint(
      { action: 'job.list', resource: 'job', params: projectParams, query: listJobsQuery },
      async (r) => {
        const page = await r.ctx.jobs.list(r.caller.userId, r.params.projectId, r.query);
        const places = await queuePositionsOf(r.ctx.capacityQueue, page.items);
        return ok({
          items: page.items.map((j) => ({ ...toJobResponse(j), queuePosition: places.get(j.id) ?? null })),
          nextCursor: page.nextCursor,
        });
      },
    ),
  },
  {
    method: 'POST',
    path: '/v1/projects/{projectId}/jobs',
    handler: endpoint(
      { action: 'job.create', resource: 'job', params: projectParams, body: createJobBody },
      async (r) => {
        const submit = async () => {
          const job = await r.ctx.jobService.submit(r.caller.userId, r.params.projectId, r.body);
          return accepted({ ...toJobResponse(job), queuePosition: null }, `/v1/jobs/${job.id}`);
        };
        const key = checkIdempotencyKey(r.event.headers['idempotency-key']);
        const result = key
          ? await r.ctx.idempotent(
              {
                key: `${r.caller.userId}:jobs:${key}`,
                payload: { projectId: r.params.projectId, body: r.body },
              },
              submit,
            )
          : await submit();
        const jobId = JSON.parse(result.body ?? '{}').id as string | undefined;
        if (jobId) r.audit(jobId);
        return result;
      },
    ),
  },
  {
    method: 'GET',
    path: '/v1/jobs/{jobId}',
    handler: endpoint({ action: 'job.read', resource: 'job', params: jobParams }, async (r) => {
      const job = await r.ctx.jobs.get(r.caller.userId, r.params.jobId);
      const places = await queuePositionsOf(r.ctx.capacityQueue, [job]);
      return withEtag(r.event, { ...toJobResponse(job), queuePosition: places.get(job.id) ?? null });
    }),
  },
  {
    method: 'POST',
    path: '/v1/jobs/{jobId}/cancel',
    handler: endpoint({ action: 'job.cancel', resource: 'job', params: jobParams }, async (r) =>
      ok({
        ...toJobResponse(await r.ctx.jobService.cancel(r.caller.userId, r.params.jobId)),
        queuePosition: null,
      }),
    ),
  },
]);
