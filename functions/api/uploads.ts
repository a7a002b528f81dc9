import { listUploadsQuery, uploadBody, uploadParams } from '#shared/clips/schema.ts';
import { apiHandler } from '#shared/http/api-handler.ts';
import { endpoint } from '#shared/http/endpoint.ts';
import { json, noContent, ok } from '#shared/http/responses.ts';
import { checkIdempotencyKey } from '#shared/idempotency/idempotent.ts';
import { projectParams } from '#shared/projects/schema.ts';
import { useAwsContext } from '#shared/runtime/aws.ts';
import { awsUploads } from '#shared/runtime/features/uploads.ts';

useAwsContext(awsUploads);

export const handler = apiHandler([
  {
    method: 'GET',
    path: '/v1/projects/{projectId}/uploads',
    handler: endpoint(
      { action: 'upload.list', resource: 'upload', params: projectParams, query: listUploadsQuery },
      async (r) => ok(await r.ctx.uploadService.list(r.caller.userId, r.params.projectId, r.query)),
    ),
  },
  {
    method: 'POST',
    path: '/v1/projects/{projectId}/uploads',
    handler: endpoint(
      { action: 'upload.create', resource: 'upload', params: projectParams, body: uploadBody },
      async (r) => {
        const request = async () => {
          const upload = await r.ctx.uploadService.request(r.caller.userId, r.params.projectId, r.body);
          return json(201, upload, { location: upload.url });
        };
        const key = checkIdempotencyKey(r.event.headers['idempotency-key']);
        return key
          ? r.ctx.idempotent(
              {
                key: `${r.caller.userId}:uploads:${key}`,
                payload: { projectId: r.params.projectId, body: r.body },
              },
              request,
            )
          : request();
      },
    ),
  },
  {
    method: 'DELETE',
    path: '/v1/uploads/{uploadId}',
    handler: endpoint({ action: 'upload.cancel', resource: 'upload', params: uploadParams }, async (r) => {
      await r.ctx.uploadService.cancel(r.caller.userId, r.params.uploadId);
      return noContent();
    }),
  },
]);
