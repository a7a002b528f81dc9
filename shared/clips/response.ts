import type { Clip } from './repository.ts';

/** A clip as the API and the event stream show it (kept apart from the service and its HLS signing). */
export function toClipResponse(c: Clip) {
  return {
    id: c.id,
    projectId: c.projectId,
    title: c.title,
    duration: c.duration,
    fileUrl: c.fileUrl,
    thumbnailUrl: c.thumbnailUrl,
    fileSize: c.fileSize,
    storageBytes: c.storageBytes,
    resolution: c.resolution,
    format: c.format,
    metadata: c.metadata,
    system: {
      jobType: c.system.jobType ?? null,
      model: c.system.model ?? null,
      notAi: c.system.notAi === true,
      hasAudio: c.system.hasAudio === true,
      hasHls: c.system.hasHls === true,
      hasPoster: c.system.hasPoster === true,
      adjustments: c.system.adjustments ?? [],
    },
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}
