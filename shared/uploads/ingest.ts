/**
 * Turns a finished upload (an S3 ObjectCreated event) into a TRANSCODE job whose result becomes a clip.
 *
 * - The file must not be larger than declared (the POST policy refuses it, on S3 and locally; a file written
 *   to the key by other means is checked here too); a refused file is deleted and its job ends FAILED with
 *   the reason.
 * - The upload's reservation is held while the job waits and runs (or the file's bytes are reserved again
 *   if the reservation expired), so the quota that admitted the upload still holds when it registers.
 * - The job obeys the tier's concurrent-job limit: when every slot is taken it waits QUEUED without one and
 *   `startWaiting` starts it when one of the owner's jobs ends.
 * - `abandon` ends an upload whose processing could not start (the trigger's dead-letter path) as a FAILED
 *   job with a message, gives its reservation back and deletes the file; an upload with neither job nor
 *   reservation left (cancelled, or lapsed) only has its file deleted.
 * - A file that lands for an upload whose job has ended (its POST sent it again) is deleted.
 * - A file of an upload its owner cancelled (its presigned POST still worked) is deleted and leaves no job,
 *   clip or charge. Cancelling and holding lock the same rows, so one of them wins; the cancellation is
 *   asked again after the hold, since a hold that waited for the cancel reserves the bytes anew.
 */
import { sqlErrorInfo, UNIQUE_VIOLATION } from '../db/errors.ts';
import { NotFoundError, QuotaExceededError } from '../errors.ts';
import type { Job, JobRepository } from '../jobs/repository.ts';
import { jobLabels, jobMetrics } from '../observability/metrics.ts';
import { parseUploadKey } from '../storage/keys.ts';
import type { ObjectStore } from '../storage/port.ts';
import type { UserRepository } from '../users/repository.ts';
import { SUBSCRIPTION_TIERS, type SubscriptionTier, tierLimits } from '../users/tiers.ts';
import type { JobWorkflow } from '../workflow/port.ts';
import { HELD_RESERVATION_SECONDS, type ReservationRepository } from './reservations.ts';
import { MAX_UPLOAD_BYTES } from './service.ts';

export interface UploadParameters {
  upload: { key: string; fileName: string; size: number };
}

const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(1)} MiB`;

export const UPLOAD_NOT_STARTED = 'Processing of the upload could not start; upload the file again.';

/** Each tier's concurrent job limit: admitNextWaiting applies the owner's in its statement. */
const CONCURRENT_JOBS = Object.fromEntries(
  SUBSCRIPTION_TIERS.map((tier) => [tier, tierLimits(tier).concurrentJobs]),
) as Record<SubscriptionTier, number>;

const missingAsNull = (error: unknown) => {
  if (error instanceof NotFoundError) return null;
  throw error;
};

export function createUploadIngest(deps: {
  users: UserRepository;
  jobs: JobRepository;
  reservations: ReservationRepository;
  store: ObjectStore;
  workflow: JobWorkflow;
}) {
  const jobFields = (upload: NonNullable<ReturnType<typeof parseUploadKey>>, key: string, size: number) => ({
    id: upload.uploadId,
    userId: upload.userId,
    projectId: upload.projectId,
    jobType: 'TRANSCODE' as const,
    prompt: `Upload ${upload.fileName}`.slice(0, 2000),
    parameters: { upload: { key, fileName: upload.fileName, size } } satisfies UploadParameters,
  });

  const startExecution = (job: Job) =>
    deps.workflow.start({
      jobId: job.id,
      userId: job.userId,
      projectId: job.projectId,
      jobType: 'TRANSCODE',
    });

  /**
   * Starts an admitted waiting job; if it cannot start, it ends FAILED and its file is deleted (nothing
   * would try it again: the next admission passes it by).
   */
  async function start(job: Job): Promise<void> {
    try {
      await startExecution(job);
    } catch (error) {
      if (await deps.jobs.markFailed(job.id, UPLOAD_NOT_STARTED)) jobMetrics.failed(jobLabels(job), 'system');
      const key = (job.parameters as Partial<UploadParameters>).upload?.key;
      if (key) await deps.store.deleteKeys([key]);
      throw error;
    }
  }

  /** Starts the owner's waiting uploads while slots are free (called whenever one of their jobs ends). */
  async function startWaiting(userId: string): Promise<string[]> {
    const started: string[] = [];
    for (let job = await deps.jobs.admitNextWaiting(userId, CONCURRENT_JOBS); job; ) {
      jobMetrics.queueWait(jobLabels(job), job.createdAt);
      await start(job);
      started.push(job.id);
      job = await deps.jobs.admitNextWaiting(userId, CONCURRENT_JOBS);
    }
    return started;
  }

  /** Forgets an upload that is to leave no trace: its reservation released, its file deleted. */
  async function discard(uploadId: string, key: string): Promise<null> {
    await deps.reservations.release(uploadId);
    await deps.store.deleteKeys([key]);
    return null;
  }

  /**
   * Ends the upload as a FAILED job with `message` (recording one if none exists), frees and deletes; an
   * upload its owner cancelled (meanwhile, too) gets no job, and its file is deleted all the same.
   */
  async function refuse(key: string, size: number, message: string): Promise<string | null> {
    const upload = parseUploadKey(key);
    if (!upload) return null;
    if (await deps.reservations.wasCancelled(upload.uploadId)) return discard(upload.uploadId, key);
    const ended = await deps.jobs.markFailed(upload.uploadId, message);
    // Only a refused file is the user's doing; an upload that could not start is ours.
    if (ended) jobMetrics.failed(jobLabels(ended), message === UPLOAD_NOT_STARTED ? 'system' : 'user');
    if (!ended) await deps.jobs.recordFailed({ ...jobFields(upload, key, size), errorMessage: message });
    await deps.reservations.release(upload.uploadId);
    await deps.store.deleteKeys([key]);
    // A job that held a slot has given it up.
    if (ended?.admitted) await startWaiting(upload.userId);
    return upload.uploadId;
  }

  return {
    startWaiting,

    /**
     * For an upload whose processing could not start after every retry: it ends FAILED with a message
     * (unless it already ended), its reservation is released and its file deleted. Only an upload still
     * accounted for, by its job or its reservation, is recorded: a dead-lettered event can be redriven at
     * any time (SQS takes a redriven message as a new one), long after a cancellation's record is
     * forgotten, and a cancel deletes the reservation for good. Without either, the upload was cancelled,
     * or lapsed and was swept: its file is deleted and nothing is recorded.
     */
    async abandon(key: string, size = 0): Promise<string | null> {
      const upload = parseUploadKey(key);
      if (!upload) return null;
      const job = await deps.jobs.getForPipeline(upload.uploadId).catch(missingAsNull);
      if (!job && !(await deps.reservations.find(upload.uploadId))) return discard(upload.uploadId, key);
      return refuse(key, size, UPLOAD_NOT_STARTED);
    },

    /** Returns the job's id, or null when the key is not an upload of a living user and project. */
    async ingest(key: string, size: number): Promise<string | null> {
      const upload = parseUploadKey(key);
      if (!upload) return null;
      const existing = await deps.jobs.getForPipeline(upload.uploadId).catch(missingAsNull);
      if (existing) {
        // A repeated event or a retry: an admitted job whose start failed or was lost is started again
        // (starting is idempotent).
        if (existing.status === 'QUEUED' && existing.admitted) await startExecution(existing);
        // A file sent again with the upload's POST (valid until it expires) after the job ended: nothing
        // would read or delete it. A job still QUEUED or PROCESSING reads it and deletes it as it ends.
        if (existing.status === 'COMPLETED' || existing.status === 'FAILED')
          await deps.store.deleteKeys([key]);
        return existing.id;
      }
      const user = await deps.users.getById(upload.userId).catch(missingAsNull);
      // The account or project was deleted, or the upload cancelled, while the file was on its way.
      const forget = () => discard(upload.uploadId, key);
      if (!user) return forget();
      const cancelled = () => deps.reservations.wasCancelled(upload.uploadId);
      if (await cancelled()) return forget();
      const declared = (await deps.reservations.find(upload.uploadId))?.bytes;
      if (declared !== undefined && size > declared) {
        return refuse(
          key,
          size,
          `The uploaded file is ${mib(size)}, larger than the ${mib(declared)} declared for it; it was deleted.`,
        );
      }
      if (size > MAX_UPLOAD_BYTES) {
        return refuse(
          key,
          size,
          `The uploaded file is larger than ${mib(MAX_UPLOAD_BYTES)}; it was deleted.`,
        );
      }
      try {
        await deps.reservations.hold({
          id: upload.uploadId,
          userId: upload.userId,
          projectId: upload.projectId,
          bytes: size,
          ttlSeconds: HELD_RESERVATION_SECONDS,
          fileName: upload.fileName,
        });
      } catch (error) {
        if (error instanceof NotFoundError) return forget();
        if (error instanceof QuotaExceededError) {
          return refuse(
            key,
            size,
            `The uploaded file is ${mib(size)} but only ${mib(error.remaining)} of storage remains; it was deleted.`,
          );
        }
        throw error;
      }
      if (await cancelled()) return forget();
      const job = await deps.jobs
        .create({
          ...jobFields(upload, key, size),
          concurrentLimit: tierLimits(user.subscriptionTier).concurrentJobs,
          whenFull: 'wait',
        })
        .catch((error: unknown) => {
          // The same event delivered twice at once: the other delivery created the job and starts it.
          if (sqlErrorInfo(error).sqlState === UNIQUE_VIOLATION) return 'duplicate' as const;
          return missingAsNull(error);
        });
      if (job === 'duplicate') return upload.uploadId;
      if (!job) return forget();
      jobMetrics.submitted(jobLabels(job));
      // A start that throws leaves the job QUEUED and admitted: the invocation's retries start it (above),
      // and after the last one the dead-letter path ends it (`abandon`).
      if (job.admitted) await startExecution(job);
      return job.id;
    },
  };
}

export type UploadIngest = ReturnType<typeof createUploadIngest>;
