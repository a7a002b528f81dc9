/**
 * Turns a finished upload (an S3 ObjectCreated event) into a TRANSCODE job whose result becomes a clip.
 * s3rver and presigned POST policies may let an oversized file through, so the size is checked again here;
 * a file that does not fit is deleted and its job ends FAILED with the reason.
 */
import { NotFoundError } from '../errors.ts';
import type { JobRepository } from '../jobs/repository.ts';
import { parseUploadKey } from '../storage/keys.ts';
import type { ObjectStore } from '../storage/port.ts';
import type { UserRepository } from '../users/repository.ts';
import type { JobWorkflow } from '../workflow/port.ts';
import { MAX_UPLOAD_BYTES } from './service.ts';

/** The file is already stored, so an upload is processed even when the tier's job slots are all busy. */
const UPLOAD_JOB_LIMIT = 1_000_000;

export interface UploadParameters {
  upload: { key: string; fileName: string; size: number };
}

const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(1)} MiB`;

export function createUploadIngest(deps: {
  users: UserRepository;
  jobs: JobRepository;
  store: ObjectStore;
  workflow: JobWorkflow;
}) {
  return {
    /** Returns the job's id, or null when the key is not an upload of a living user and project. */
    async ingest(key: string, size: number): Promise<string | null> {
      const upload = parseUploadKey(key);
      if (!upload) return null;
      const existing = await deps.jobs.getForPipeline(upload.uploadId).catch((error: unknown) => {
        if (error instanceof NotFoundError) return null;
        throw error;
      });
      if (existing) return existing.id;
      const user = await deps.users.getById(upload.userId).catch((error: unknown) => {
        if (error instanceof NotFoundError) return null;
        throw error;
      });
      const job = user
        ? await deps.jobs
            .create({
              id: upload.uploadId,
              userId: upload.userId,
              projectId: upload.projectId,
              jobType: 'TRANSCODE',
              prompt: `Upload ${upload.fileName}`.slice(0, 2000),
              parameters: { upload: { key, fileName: upload.fileName, size } } satisfies UploadParameters,
              concurrentLimit: UPLOAD_JOB_LIMIT,
            })
            .catch((error: unknown) => {
              if (error instanceof NotFoundError) return null;
              throw error;
            })
        : null;
      if (!user || !job) {
        // The account or project was deleted while the file was on its way.
        await deps.store.deleteKeys([key]);
        return null;
      }
      const allowed = Math.min(user.storageLimit - user.storageUsed, MAX_UPLOAD_BYTES);
      if (size > allowed) {
        await deps.jobs.markFailed(
          job.id,
          `The uploaded file is ${mib(size)} but only ${mib(Math.max(0, allowed))} of storage remains; it was deleted.`,
        );
        await deps.store.deleteKeys([key]);
        return job.id;
      }
      try {
        await deps.workflow.start({
          jobId: job.id,
          userId: job.userId,
          projectId: job.projectId,
          jobType: 'TRANSCODE',
        });
      } catch (error) {
        await deps.jobs.markFailed(
          job.id,
          'Processing of the upload could not start; upload the file again.',
        );
        await deps.store.deleteKeys([key]);
        throw error;
      }
      return job.id;
    },
  };
}

export type UploadIngest = ReturnType<typeof createUploadIngest>;
