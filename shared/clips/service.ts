import path from 'node:path/posix';
import type { ObjectStore } from '../storage/port.ts';
import type { MediaSigner } from '../storage/s3.ts';
import type { Clip, ClipRepository } from './repository.ts';

export function toClipResponse(c: Clip) {
  return {
    id: c.id,
    projectId: c.projectId,
    title: c.title,
    duration: c.duration,
    fileUrl: c.fileUrl,
    thumbnailUrl: c.thumbnailUrl,
    fileSize: c.fileSize,
    resolution: c.resolution,
    format: c.format,
    metadata: c.metadata,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

export function createClipService(deps: { clips: ClipRepository; store: ObjectStore; signer: MediaSigner }) {
  return {
    /** The clip with short-lived signed links to its video, thumbnail and HLS playlist. */
    async getWithMedia(userId: string, clipId: string) {
      const clip = await deps.clips.get(userId, clipId);
      const hlsKey = typeof clip.metadata.hlsPlaylist === 'string' ? clip.metadata.hlsPlaylist : null;
      const [video, thumb, hls] = await Promise.all([
        deps.signer.signGet(clip.fileUrl, 'video/mp4'),
        clip.thumbnailUrl ? deps.signer.signGet(clip.thumbnailUrl, 'image/jpeg') : null,
        hlsKey ? deps.signer.signGet(hlsKey, 'application/vnd.apple.mpegurl') : null,
      ]);
      return {
        ...toClipResponse(clip),
        media: {
          videoUrl: video.url,
          thumbnailUrl: thumb?.url ?? null,
          hlsUrl: hls?.url ?? null,
          expiresAt: video.expiresAt,
        },
      };
    },

    /** Deletes the row (refunding its bytes in the same statement), then every object of the clip. */
    async remove(userId: string, clipId: string) {
      const deleted = await deps.clips.remove(userId, clipId);
      await deps.store.deleteKeys(deleted.mediaKeys);
      const video = deleted.mediaKeys[0];
      if (video) await deps.store.deletePrefix(`${path.dirname(video)}/`);
      return deleted;
    },
  };
}
