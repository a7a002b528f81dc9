import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { toClipResponse } from '#shared/clips/response.ts';
import { clipParams, hlsParams, listClipsQuery, updateClipBody } from '#shared/clips/schema.ts';
import { apiHandler } from '#shared/http/api-handler.ts';
import { sourceAddress } from '#shared/http/authenticate.ts';
import { endpoint } from '#shared/http/endpoint.ts';
import { ifMatchVersion } from '#shared/http/if-match.ts';
import { noContent, ok, withEtag } from '#shared/http/responses.ts';
import { RefusedHlsTokenError } from '#shared/media/hls-links.ts';
import { projectParams } from '#shared/projects/schema.ts';
import { useAwsContext } from '#shared/runtime/aws.ts';
import type { AppContext } from '#shared/runtime/context.ts';
import { awsClips } from '#shared/runtime/features/clips.ts';

useAwsContext(awsClips);

/**
 * The clip's row version when If-Match names the ETag of its current representation (ifMatchVersion): the
 * GET's ETag covers the clip without its signed links, which is what toClipResponse gives.
 */
const clipVersion = (r: {
  event: APIGatewayProxyEventV2;
  ctx: AppContext;
  caller: { userId: string };
  params: { clipId: string };
}) =>
  ifMatchVersion(
    r.event,
    'clip',
    () => r.ctx.clips.getVersioned(r.caller.userId, r.params.clipId),
    toClipResponse,
  );

export const handler = apiHandler([
  {
    method: 'GET',
    path: '/v1/projects/{projectId}/clips',
    handler: endpoint(
      { action: 'clip.list', resource: 'clip', params: projectParams, query: listClipsQuery },
      async (r) => {
        const page = await r.ctx.clips.listByProject(r.caller.userId, r.params.projectId, r.query);
        return ok({ items: page.items.map(toClipResponse), nextCursor: page.nextCursor });
      },
    ),
  },
  {
    method: 'GET',
    path: '/v1/clips/{clipId}',
    handler: endpoint({ action: 'clip.read', resource: 'clip', params: clipParams }, async (r) => {
      const proto = r.event.headers['x-forwarded-proto'] ?? 'https';
      const apiBase = `${proto}://${r.event.requestContext.domainName}`;
      const clip = await r.ctx.clipService.getWithMedia(r.caller.userId, r.params.clipId, apiBase);
      // Signed URLs change from one 5-minute window to the next (shared/storage/s3.ts) and the HLS link on
      // every call, so the ETag covers the clip itself, not its links. Those links expire, so nothing may
      // store the body: a browser that kept it would revalidate with the ETag, get 304 for the unchanged
      // clip and give the page its expired links. A client may still send If-None-Match itself to learn
      // whether the clip changed.
      const { media, ...stable } = clip;
      const tagged = withEtag(r.event, stable);
      const headers = { ...tagged.headers, 'cache-control': 'no-store' };
      return tagged.statusCode === 304
        ? { ...tagged, headers }
        : { ...tagged, headers, body: JSON.stringify(clip) };
    }),
  },
  {
    method: 'GET',
    path: '/v1/media/hls/{token}/{file}',
    handler: endpoint(
      { action: 'clip.stream', resource: 'clip', auth: false, params: hlsParams },
      async (r) => ({
        statusCode: 200,
        headers: { 'content-type': 'application/vnd.apple.mpegurl', 'cache-control': 'private, max-age=60' },
        body: await r.ctx.clipService.hlsPlaylist(r.params.token, r.params.file).catch(async (error) => {
          // A forged or expired token counts against the address as other refused credentials do (429 once
          // the budget is spent). A valid one never reaches the limiter: a player reads many playlists.
          if (error instanceof RefusedHlsTokenError) {
            await r.ctx.loginLimiter.tokenRefused(sourceAddress(r.event));
          }
          throw error;
        }),
      }),
    ),
  },
  {
    method: 'PATCH',
    path: '/v1/clips/{clipId}',
    handler: endpoint(
      { action: 'clip.update', resource: 'clip', params: clipParams, body: updateClipBody },
      async (r) => {
        const { userId } = r.caller;
        const { clipId } = r.params;
        const version = await clipVersion(r);
        return ok(toClipResponse(await r.ctx.clips.update(userId, clipId, r.body, version)));
      },
    ),
  },
  {
    method: 'DELETE',
    path: '/v1/clips/{clipId}',
    handler: endpoint({ action: 'clip.delete', resource: 'clip', params: clipParams }, async (r) => {
      const { userId } = r.caller;
      const { clipId } = r.params;
      const version = await clipVersion(r);
      await r.ctx.clipService.remove(userId, clipId, version);
      return noContent();
    }),
  },
]);
