import path from 'node:path/posix';
import { NotFoundError } from '../errors.ts';
import { PLAYLIST_NAME, rewritePlaylist, signHlsToken, verifyHlsToken } from '../media/hls-links.ts';
import { clipPrefix } from '../storage/keys.ts';
import type { ObjectStore } from '../storage/port.ts';
import type { MediaSigner } from '../storage/s3.ts';
import { clipMediaKeys } from './media-keys.ts';
import type { ClipRepository } from './repository.ts';
import { toClipResponse } from './response.ts';

/** How long HLS playlist links live: long enough to watch a two-minute clip several times. */
const HLS_LINK_SECONDS = 3600;

export function createClipService(deps: {
  clips: ClipRepository;
  store: ObjectStore;
  signer: MediaSigner;
  hlsLinkKey: () => Promise<Uint8Array>;
}) {
  return {
    /**
     * The clip with short-lived links: signed S3 URLs for its video and thumbnail, and for HLS a playlist
     * URL under `apiBase` that carries its own signed token (segments are signed as the playlist is read).
     */
    async getWithMedia(userId: string, clipId: string, apiBase: string) {
      const clip = await deps.clips.get(userId, clipId);
      const [video, thumb] = await Promise.all([
        deps.signer.signGet(clip.fileUrl, 'video/mp4'),
        clip.thumbnailUrl ? deps.signer.signGet(clip.thumbnailUrl, 'image/jpeg') : null,
      ]);
      let hlsUrl: string | null = null;
      if (clip.system.hasHls === true) {
        const token = signHlsToken(await deps.hlsLinkKey(), {
          userId,
          clipId,
          expiresAt: Math.floor(Date.now() / 1000) + HLS_LINK_SECONDS,
        });
        hlsUrl = `${apiBase}/v1/media/hls/${token}/${path.basename(clipMediaKeys(clip).hlsPlaylist)}`;
      }
      return {
        ...toClipResponse(clip),
        media: {
          videoUrl: video.url,
          thumbnailUrl: thumb?.url ?? null,
          hlsUrl,
          expiresAt: video.expiresAt,
        },
      };
    },

    /** One playlist of a clip's HLS rendition, for the holder of a valid link; segments come signed. */
    async hlsPlaylist(token: string, file: string): Promise<string> {
      const grant = verifyHlsToken(await deps.hlsLinkKey(), token);
      if (!PLAYLIST_NAME.test(file)) throw new NotFoundError('media');
      const clip = await deps.clips.get(grant.userId, grant.clipId);
      if (clip.system.hasHls !== true) throw new NotFoundError('media');
      const folder = `${path.dirname(clipMediaKeys(clip).hlsPlaylist)}/`;
      const bytes = await deps.store.readBytes(`${folder}${file}`);
      if (bytes === null) throw new NotFoundError('media');
      // A player reads a VOD playlist once and fetches its segments while the video plays (possibly longer
      // than the signer's 15 minutes: an upload or a long EDIT), so they stay valid as long as the link does.
      const linkSeconds = grant.expiresAt - Date.now() / 1000;
      return rewritePlaylist(
        Buffer.from(bytes).toString('utf8'),
        async (segment) => (await deps.signer.signGet(`${folder}${segment}`, 'video/mp2t', linkSeconds)).url,
      );
    },

    /** Deletes the row (refunding its bytes in the same statement), then every object of the clip's folder. */
    async remove(userId: string, clipId: string, ifVersion?: string) {
      const deleted = await deps.clips.remove(userId, clipId, ifVersion);
      await deps.store.deletePrefix(clipPrefix(userId, deleted.projectId, clipId));
      return deleted;
    },
  };
}
