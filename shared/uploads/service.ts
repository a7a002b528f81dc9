import { randomUUID } from 'node:crypto';
import { QuotaExceededError } from '../errors.ts';
import type { ProjectRepository } from '../projects/repository.ts';
import { uploadKey } from '../storage/keys.ts';
import type { MediaSigner } from '../storage/s3.ts';
import type { UserRepository } from '../users/repository.ts';

/** Largest single upload, whatever the remaining quota (S3's POST limit is 5 GiB). */
export const MAX_UPLOAD_BYTES = 5 * 1024 ** 3;

export function createUploadService(deps: {
  users: UserRepository;
  projects: ProjectRepository;
  signer: MediaSigner;
}) {
  return {
    /** A presigned POST into the caller's upload area, capped by the storage that remains. */
    async request(
      userId: string,
      projectId: string,
      input: { fileName: string; contentType: string; fileSize: number },
    ) {
      const [user] = await Promise.all([deps.users.getById(userId), deps.projects.get(userId, projectId)]);
      const remaining = user.storageLimit - user.storageUsed;
      const maxBytes = Math.min(remaining, MAX_UPLOAD_BYTES);
      if (input.fileSize > maxBytes) throw new QuotaExceededError(input.fileSize, maxBytes);
      const uploadId = randomUUID();
      const key = uploadKey(userId, projectId, uploadId, input.fileName);
      const post = await deps.signer.presignPost(key, input.contentType, maxBytes);
      return { uploadId, key, url: post.url, fields: post.fields, maxBytes, expiresAt: post.expiresAt };
    },
  };
}
