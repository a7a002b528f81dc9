import { randomUUID } from 'node:crypto';
import type { PageRequest } from '../db/pagination.ts';
import { ConflictError, NotFoundError, QuotaExceededError } from '../errors.ts';
import { uploadKey } from '../storage/keys.ts';
import type { MediaSigner } from '../storage/s3.ts';
import { RESERVATION_MARGIN_SECONDS, type ReservationRepository } from './reservations.ts';

/** Largest single upload, whatever the remaining quota (S3's POST limit is 5 GiB). */
export const MAX_UPLOAD_BYTES = 5 * 1024 ** 3;

export function createUploadService(deps: { reservations: ReservationRepository; signer: MediaSigner }) {
  return {
    /**
     * A presigned POST into the caller's upload area for a file of at most the declared size. The declared
     * bytes are reserved against the quota first, so presigned uploads together never exceed it.
     */
    async request(
      userId: string,
      projectId: string,
      input: { fileName: string; contentType: string; fileSize: number },
    ) {
      if (input.fileSize > MAX_UPLOAD_BYTES) {
        throw new QuotaExceededError(
          input.fileSize,
          Math.min(MAX_UPLOAD_BYTES, await deps.reservations.remaining(userId)),
        );
      }
      const uploadId = randomUUID();
      await deps.reservations.create({
        id: uploadId,
        userId,
        projectId,
        bytes: input.fileSize,
        ttlSeconds: deps.signer.postTtlSeconds + RESERVATION_MARGIN_SECONDS,
        fileName: input.fileName,
      });
      const key = uploadKey(userId, projectId, uploadId, input.fileName);
      try {
        const post = await deps.signer.presignPost(key, input.contentType, input.fileSize);
        return {
          uploadId,
          key,
          url: post.url,
          fields: post.fields,
          maxBytes: input.fileSize,
          expiresAt: post.expiresAt,
        };
      } catch (error) {
        await deps.reservations.release(uploadId);
        throw error;
      }
    },

    /**
     * The project's uploads in progress. An upload's POST link expires RESERVATION_MARGIN_SECONDS before
     * its reservation does (both were set from the same moment, within a second).
     */
    async list(userId: string, projectId: string, page: PageRequest) {
      const { items, nextCursor } = await deps.reservations.listInProgress(userId, projectId, page);
      return {
        items: items.map((r) => ({
          uploadId: r.id,
          fileName: r.fileName,
          fileSize: r.bytes,
          state: r.arrivedAt ? ('arrived' as const) : ('awaiting-file' as const),
          expiresAt: r.arrivedAt
            ? null
            : new Date(r.expiresAt.getTime() - RESERVATION_MARGIN_SECONDS * 1000).toISOString(),
          createdAt: r.createdAt.toISOString(),
        })),
        nextCursor,
      };
    },

    /**
     * Cancels an upload whose file has not arrived, giving its reservation back at once; a file sent
     * afterwards with its presigned POST is deleted when it lands (ingest.ts). Once the file has arrived the
     * upload is a TRANSCODE job with the upload's id, and that job is what to cancel.
     */
    async cancel(userId: string, uploadId: string): Promise<void> {
      const outcome = await deps.reservations.cancel(userId, uploadId);
      if (outcome === 'unknown') throw new NotFoundError('upload');
      if (outcome === 'arrived') {
        throw new ConflictError(
          `The file of upload ${uploadId} has already arrived: it is job ${uploadId} now. Cancel that job instead (POST /v1/jobs/${uploadId}/cancel).`,
        );
      }
    },
  };
}
