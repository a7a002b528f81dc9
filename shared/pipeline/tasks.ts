/**
 * The tasks of the generation-job state machine. Lambda functions (functions/pipeline/) and the local
 * runner call the same code with their own adapters.
 */
import type { Admission } from '../capacity/admission.ts';
import { clipMediaKeys } from '../clips/media-keys.ts';
import type { ClipRepository } from '../clips/repository.ts';
import { parseResolution } from '../clips/resolutions.ts';
import { titleFromPrompt } from '../clips/title.ts';
import { withoutQueryParams } from '../db/errors.ts';
import { NotFoundError } from '../errors.ts';
import { effectiveGenerate } from '../generation/capabilities.ts';
import type { VideoModel } from '../generation/port.ts';
import type { Job, JobRepository } from '../jobs/repository.ts';
import type {
  EditParameters,
  EnhanceParameters,
  GenerateParameters,
  TranscodeParameters,
} from '../jobs/schema.ts';
import { MIN_TRIM_SECONDS } from '../jobs/trim.ts';
import { DENOISABLE_CODECS, type MediaProber } from '../media/prober.ts';
import { buildTranscodeSettings, MAX_OUTPUT_FPS, outputKeys, type SourceMedia } from '../media/settings.ts';
import { jobLabels, jobMetrics } from '../observability/metrics.ts';
import { clipPrefix, jobWorkPrefix } from '../storage/keys.ts';
import type { ObjectStore } from '../storage/port.ts';
import type { UploadParameters } from '../uploads/ingest.ts';
import type { UserRepository } from '../users/repository.ts';
import { tierLimits } from '../users/tiers.ts';
import type { JobExecutionInput } from '../workflow/port.ts';
import { failureClass } from './failure-class.ts';
import {
  type GenerationRun,
  type GenerationWaits,
  parseOutputKey,
  type TaskTokens,
} from './generation-wait.ts';

export interface PipelineState extends JobExecutionInput {
  /** Set when AcquireCapacity admitted the job: the model whose unit it holds, and since when. */
  capacity?: { model: string; admittedAt: number };
  generation?: GenerationRun;
  transcode?: {
    clipId: string;
    settings: ReturnType<typeof buildTranscodeSettings>;
    userMetadata: Record<string, string>;
    /** What the transcode does differently from what the job asked (recorded on the clip). */
    adjustments?: string[];
  };
  transcoded?: {
    outputGroupDetails: {
      OutputDetails?: { DurationInMs?: number; VideoDetails?: { WidthInPx?: number; HeightInPx?: number } }[];
    }[];
  };
  error?: { Error?: string; Cause?: string };
}

export interface PipelineDeps {
  users: UserRepository;
  jobs: JobRepository;
  clips: ClipRepository;
  store: ObjectStore;
  models: Record<string, VideoModel>;
  prober: MediaProber;
  now?: () => number;
  /** Where GENERATE jobs keep the task token they wait on, and how a waiting state is resumed. */
  waits?: GenerationWaits;
  tokens?: TaskTokens;
  /** Copies a model's output from its Region's output bucket into the media bucket (same key). */
  collectOutput?: (bucket: string, key: string) => Promise<void>;
  /** Admission control of model capacity (shared/capacity/): GENERATE jobs wait in it for a unit. */
  admission?: Admission;
  /** Where the technical detail of a failure goes (the job's errorMessage never carries it). */
  logger?: { warn(message: string, detail: Record<string, unknown>): void };
  /**
   * The deployed stage, written into each transcode's user metadata: MediaConvert sends every job's state
   * changes in the account and Region to EventBridge, and a stage's progress rule keeps only its own.
   */
  stage?: string;
}

export class GenerationFailed extends Error {
  override name = 'GenerationFailed';
}

/** A job that cannot run as asked; its message is written for the user. */
export class JobInputError extends Error {
  override name = 'JobInputError';
}

/**
 * Errors whose message was written for the user. Anything else (a plain Error, an SDK or tool error,
 * MediaConvert) may carry tool output, keys or paths, and becomes a generic sentence.
 */
const USER_FACING = new Set([
  'JobInputError',
  'GenerationFailed',
  'GenerationTimedOut',
  'UnreadableMedia',
  'JobCancelled',
  'Interrupted',
  'QuotaExceededError',
  'TierLimitError',
  'NotFoundError',
  'ConflictError',
  'ValidationError',
]);

export const TRANSCODE_FAILED =
  'The video could not be transcoded; nothing was charged. Check that the source plays, then submit the job again.';
/**
 * A GENERATE job still waiting in its model's line when the execution timed out: it never started, and
 * waiting is all it did (AcquireCapacity waits as long as the execution may run).
 */
export const CAPACITY_WAIT_ENDED =
  'No capacity of the video model became free while the job waited; nothing was charged. Please submit it again later.';
export const SERVICE_PROBLEM =
  'A temporary service problem stopped the job; nothing was charged. Please submit it again.';

/** Whether failureMessage passes the error's own message to the user. */
/** Why the local server fails a job its stop or crash interrupted (error 'Interrupted'). */
export const LOCAL_SERVER_STOPPED = 'The local server stopped while this job ran; submit it again.';

/**
 * An upload's transcode that the local server's stop or crash interrupted: its file goes with the job, so
 * the way on is to upload the file again, not to submit a job. (The stuck-job sweep fails jobs as
 * 'Interrupted' too, with causes of its own, which stay as they are.)
 */
export const UPLOAD_INTERRUPTED =
  'The local server stopped while this upload was transcoded; upload the file again.';

export const isUserFacing = (error: PipelineState['error']) => USER_FACING.has(error?.Error ?? '');

/**
 * The Catch's error as a sentence for errorMessage (a Lambda's Cause is JSON). Only messages this service
 * wrote for users pass through; the rest, which the log keeps, reads as one of the generic sentences.
 */
export function failureMessage(error: PipelineState['error']): string {
  if (!error) return 'The job failed.';
  const name = error.Error ?? '';
  let cause = error.Cause ?? '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string; ErrorMessage?: string };
    cause = parsed.errorMessage ?? parsed.ErrorMessage ?? cause;
  } catch {
    // a plain-text cause
  }
  if (name === 'States.Timeout') return 'The job took too long and was stopped.';
  if (USER_FACING.has(name) && cause) return cause;
  if (name.startsWith('MediaConvert') || name === 'States.TaskFailed') return TRANSCODE_FAILED;
  return SERVICE_PROBLEM;
}

const uploadOf = (parameters: unknown) => (parameters as Partial<UploadParameters>).upload;

/** Scales a frame down (never up) to fit the tier's largest frame in either orientation, keeping its aspect. */
export function fitFrame(width: number, height: number, maxLong: number, maxShort: number) {
  const scale = Math.min(1, maxLong / Math.max(width, height), maxShort / Math.min(width, height));
  return { width: Math.round(width * scale), height: Math.round(height * scale) };
}

/**
 * A requested frame turned to the source's shape: a portrait source stays portrait and a square one square
 * (at the requested frame's short side), whichever orientation the request named.
 */
export function orientFrame(
  requested: { width: number; height: number },
  source: { width: number; height: number },
) {
  const long = Math.max(requested.width, requested.height);
  const short = Math.min(requested.width, requested.height);
  if (source.width === source.height) return { width: short, height: short };
  return source.width > source.height ? { width: long, height: short } : { width: short, height: long };
}

/** Runs `fn` over `items`, at most `limit` at a time, keeping their order. */
async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += limit) {
    results.push(...(await Promise.all(items.slice(i, i + limit).map(fn))));
  }
  return results;
}

export function createPipelineTasks(deps: PipelineDeps) {
  const now = deps.now ?? Date.now;
  const waiting = () => {
    if (!deps.waits || !deps.tokens) throw new Error('The pipeline has no task-token store configured.');
    return { waits: deps.waits, tokens: deps.tokens };
  };

  /** Removes what a job with a registered clip no longer needs: its scratch folder and its uploaded source. */
  async function clearScratch(job: Pick<Job, 'id' | 'userId' | 'parameters'>) {
    await deps.store.deletePrefix(jobWorkPrefix(job.userId, job.id));
    const upload = uploadOf(job.parameters);
    if (upload) await deps.store.deleteKeys([upload.key]);
  }

  /** Resumes the waiting state with the finished run; a token nothing waits on any more changes nothing. */
  async function handOver(jobId: string, taskToken: string, run: GenerationRun): Promise<boolean> {
    const { waits, tokens } = waiting();
    // The model's output is in: its capacity unit goes to the next job in line at once (a second
    // release, by a later hand-over of the same output, gives back nothing).
    await deps.admission?.release(run.model, jobId);
    if (!(await tokens.succeed(taskToken, run))) return false;
    await deps.jobs.reportProgress(jobId, 70);
    if (run.submittedAt !== undefined && run.videoSeconds !== undefined) {
      const labels = jobLabels({ jobType: 'GENERATE', parameters: { model: run.model } });
      jobMetrics.modelOutput(labels, run.submittedAt, run.videoSeconds, now());
    }
    await waits.release(jobId, taskToken);
    // The model has nothing left to do for the job (the local stand-in forgets the render).
    await deps.models[run.model]?.stop?.(jobId);
    return true;
  }

  /**
   * The job's generation is starting or running: its capacity unit's lease runs on. Done first in every
   * attempt of StartGeneration and CheckGeneration, so attempts that fail later (a throttled model, the
   * database away) renew it too; the longest gap between renewals is worked out in shared/generation/models.ts.
   */
  async function keepUnit(state: PipelineState) {
    if (state.capacity) await deps.admission?.renew(state.capacity.model, state.jobId);
  }

  /** An uploaded file becomes the source after a probe, within the owner's tier limits. */
  async function uploadSource(userId: string, key: string, wanted: string | undefined) {
    const [info, user] = await Promise.all([deps.prober.probe(key), deps.users.getById(userId)]);
    const limits = tierLimits(user.subscriptionTier);
    // A live-recorded or raw stream states no length (the probe's 0): it could run for hours, and would
    // be transcoded (and stored) whole, past the tier's limit.
    if (!(info.duration > 0)) {
      throw new JobInputError(
        `The uploaded video does not say how long it lasts (a stream saved without an index), so it cannot be checked against the ${user.subscriptionTier} tier's ${limits.maxDurationSeconds} s; save it as an MP4 and upload that.`,
      );
    }
    if (info.duration > limits.maxDurationSeconds) {
      throw new JobInputError(
        `The uploaded video lasts ${Math.round(info.duration)} s; the ${user.subscriptionTier} tier accepts up to ${limits.maxDurationSeconds} s.`,
      );
    }
    const base = wanted ? orientFrame(parseResolution(wanted), info) : info;
    const frame = fitFrame(base.width, base.height, limits.maxWidth, limits.maxHeight);
    return {
      source: {
        key,
        hasAudio: info.hasAudio,
        ...(info.frameRate ? { frameRate: info.frameRate } : {}),
      } satisfies SourceMedia,
      frame,
    };
  }

  /**
   * An upload's header was checked against the tier (uploadSource), but the transcode reads every frame the
   * file holds, however long its header says it is: the video written is what counts. A second of slack
   * leaves room for frame rounding.
   */
  async function refuseOverlong(userId: string, seconds: number) {
    const user = await deps.users.getById(userId);
    const { maxDurationSeconds } = tierLimits(user.subscriptionTier);
    if (seconds > maxDurationSeconds + 1) {
      throw new JobInputError(
        `The uploaded video lasts ${Math.round(seconds)} s, longer than its file states; the ${user.subscriptionTier} tier accepts up to ${maxDurationSeconds} s.`,
      );
    }
  }

  return {
    /**
     * AcquireCapacity: the GENERATE job waits in line for a unit of its model with this state's token (the
     * job's submission time keeps its place across the state's retries). The token is resumed at once when
     * a unit is free and the job comes first, otherwise by whoever frees one.
     */
    async acquireCapacity(state: PipelineState, taskToken: string): Promise<void> {
      if (!deps.admission) throw new Error('The pipeline has no capacity admission configured.');
      const job = await deps.jobs.getForPipeline(state.jobId);
      const { model } = effectiveGenerate(job.parameters as GenerateParameters);
      await deps.admission.enter({
        model,
        jobId: job.id,
        userId: job.userId,
        enqueuedAt: job.createdAt.getTime(),
        taskToken,
      });
    },

    async markProcessing(state: PipelineState): Promise<void> {
      const job = await deps.jobs.markProcessing(state.jobId);
      if (state.capacity) jobMetrics.queueWait(jobLabels(job), job.createdAt, state.capacity.admittedAt);
      jobMetrics.started(jobLabels(job), job.createdAt, now());
      await deps.jobs.reportProgress(state.jobId, 5);
    },

    /**
     * Starts the model. With a task token (the state machine's waiting StartGeneration state) the token is
     * recorded, so the output's arrival resumes the execution.
     */
    async startGeneration(state: PipelineState, taskToken?: string): Promise<GenerationRun> {
      await keepUnit(state);
      const job = await deps.jobs.getForPipeline(state.jobId);
      const params = job.parameters as GenerateParameters;
      const effective = effectiveGenerate(params);
      const model = deps.models[effective.model];
      if (!model) throw new GenerationFailed(`The ${effective.model} model is not available here.`);
      let image: { key: string; format: 'jpeg' } | undefined;
      if (params.imageClipId) {
        const [clip] = await deps.clips.getMany(job.userId, [params.imageClipId]);
        if (clip?.system.hasPoster !== true)
          throw new GenerationFailed('The start image clip was deleted or has no poster frame.');
        image = { key: clipMediaKeys(clip).poster, format: 'jpeg' };
      }
      const { handle } = await model.start({
        jobId: job.id,
        prompt: job.prompt,
        params,
        outputPrefix: `${jobWorkPrefix(job.userId, job.id)}generation/`,
        ...(image ? { image } : {}),
      });
      await deps.jobs.reportProgress(job.id, 10);
      const expectedSeconds =
        effective.model === 'local' ? 2 + effective.durationSeconds / 4 : 90 + effective.durationSeconds * 8;
      const run: GenerationRun = {
        handle,
        model: effective.model,
        startedAt: now(),
        expectedSeconds,
        submittedAt: job.createdAt.getTime(),
        videoSeconds: effective.durationSeconds,
      };
      if (taskToken) await waiting().waits.save(job.id, taskToken, run);
      return run;
    },

    /**
     * The safety net for a lost event: asks the model once. Finished, the run is handed over at once;
     * failed, the job fails with the model's message; still running, the new token waits for the output
     * (it is recorded before the model is asked, so an output landing meanwhile finds it).
     */
    async checkGeneration(state: PipelineState, taskToken: string): Promise<GenerationRun> {
      const { waits } = waiting();
      await keepUnit(state);
      const generation = await waits.renew(state.jobId, taskToken);
      if (!generation) throw new Error('No model run is recorded for this job.');
      // The output landed while no state waited (its event met an expired token).
      if (generation.videoKey) {
        await handOver(state.jobId, taskToken, generation);
        return generation;
      }
      const status = await deps.models[generation.model]!.check(generation.handle);
      if (status.state === 'failed') {
        await waits.release(state.jobId);
        await deps.admission?.release(generation.model, state.jobId);
        throw new GenerationFailed(
          status.message,
          status.detail ? { cause: new Error(status.detail) } : undefined,
        );
      }
      if (status.state === 'running') {
        const elapsed = (now() - generation.startedAt) / 1000;
        await deps.jobs.reportProgress(
          state.jobId,
          10 + Math.min(59, (elapsed / generation.expectedSeconds) * 59),
        );
        return generation;
      }
      const run = { ...generation, videoKey: status.videoKey };
      await handOver(state.jobId, taskToken, run);
      return run;
    },

    /**
     * A model's output object was created (in the media bucket, or in an output bucket of the model's
     * Region): the job waiting for it resumes. Returns whether an execution was resumed; any other object,
     * or a job that waits no more (finished, cancelled, a duplicate event), is left alone.
     */
    async generationOutputCreated(bucket: string, key: string): Promise<boolean> {
      const owner = parseOutputKey(key);
      if (!owner) return false;
      const wait = await waiting().waits.find(owner.jobId);
      if (!wait || wait.userId !== owner.userId) return false;
      if (bucket !== deps.store.bucket) {
        if (!deps.collectOutput) throw new Error(`No way to collect model output from ${bucket}.`);
        await deps.collectOutput(bucket, key);
      }
      if (await handOver(wait.jobId, wait.taskToken, { ...wait.generation, videoKey: key })) return true;
      // The state that held the token timed out first: keep the news for the next one, and hand it to a
      // wait that began in the meantime.
      await waiting().waits.landed(wait.jobId, key);
      const now = await waiting().waits.find(wait.jobId);
      if (!now || now.taskToken === wait.taskToken) return false;
      return handOver(now.jobId, now.taskToken, { ...now.generation, videoKey: key });
    },

    async buildTranscodeSettings(state: PipelineState): Promise<NonNullable<PipelineState['transcode']>> {
      const job = await deps.jobs.getForPipeline(state.jobId);
      // One job makes one clip, named like it, so cleanup after a stopped execution can find its files.
      const clipId = job.id;
      const sourceClips = await deps.clips.getMany(job.userId, job.sourceClipIds);
      const byId = new Map(sourceClips.map((c) => [c.id, c]));
      const params = job.parameters;
      let sources: SourceMedia[];
      let resolution: string | undefined = params.resolution as string | undefined;
      let fps: number | undefined;
      let denoise = true;
      const adjustments: string[] = [];
      switch (job.jobType) {
        case 'GENERATE': {
          const effective = effectiveGenerate(params as GenerateParameters);
          sources = [{ key: state.generation!.videoKey!, hasAudio: false }];
          resolution = effective.resolution;
          break;
        }
        case 'EDIT': {
          const edit = (params as EditParameters).clips;
          // Trims are written in frames, so each trimmed source is probed first (frame rate, duration).
          const trimmed = [
            ...new Set(
              edit
                .filter((c) => c.start !== undefined || c.end !== undefined)
                .map((c) => byId.get(c.clipId))
                .filter((clip) => clip !== undefined)
                .map((clip) => clipMediaKeys(clip).video),
            ),
          ];
          const probed = new Map(
            await mapLimited(trimmed, 10, async (key) => [key, await deps.prober.probe(key)] as const),
          );
          sources = edit.map((c) => {
            const clip = byId.get(c.clipId);
            if (!clip) throw new JobInputError('A source clip was deleted before the job ran.');
            const key = clipMediaKeys(clip).video;
            const info = probed.get(key);
            const frameRate = info?.frameRate;
            if ((c.start !== undefined || c.end !== undefined) && !frameRate) {
              throw new JobInputError(
                `The frame rate of clip ${c.clipId} could not be read, so it cannot be trimmed; leave out its start and end, or transcode it again and trim the new clip.`,
              );
            }
            if (info && c.start !== undefined && c.start >= info.duration) {
              throw new JobInputError(
                `Clip ${c.clipId} lasts ${info.duration.toFixed(2)} s; its start must be before that.`,
              );
            }
            // Submission checked the trim against the duration on record; the file's probed one may be shorter.
            if (info && Math.min(c.end ?? info.duration, info.duration) - (c.start ?? 0) < MIN_TRIM_SECONDS) {
              throw new JobInputError(
                `Clip ${c.clipId} lasts ${info.duration.toFixed(2)} s, so its trim keeps less than ${MIN_TRIM_SECONDS} s; start it at least ${MIN_TRIM_SECONDS} s before the clip's end.`,
              );
            }
            return {
              key,
              start: c.start,
              // A trim runs at most to the end of its clip.
              end: c.end !== undefined && info ? Math.min(c.end, info.duration) : c.end,
              hasAudio: clip.system.hasAudio === true,
              ...(frameRate ? { frameRate } : {}),
            };
          });
          // Mixed shapes take the first clip's; the others are letterboxed into it.
          resolution ??= byId.get(edit[0]!.clipId)?.resolution;
          break;
        }
        default: {
          const upload = uploadOf(params);
          if (upload) {
            const { source, frame } = await uploadSource(job.userId, upload.key, resolution);
            sources = [source];
            resolution = `${frame.width}x${frame.height}`;
            // Each frame costs to encode (and, deployed, MediaConvert refuses rates past 120): an upload is
            // bound to the rate every other job may ask for.
            const rate = source.frameRate ? source.frameRate.numerator / source.frameRate.denominator : 0;
            if (rate > MAX_OUTPUT_FPS) {
              fps = MAX_OUTPUT_FPS;
              adjustments.push(
                `The upload runs at ${Math.round(rate)} frames a second; the clip was written at ${MAX_OUTPUT_FPS}, the most a clip may have.`,
              );
            }
            break;
          }
          const clip = byId.get(job.sourceClipIds[0] ?? '');
          if (!clip) throw new JobInputError('The source clip was deleted before the job ran.');
          const key = clipMediaKeys(clip).video;
          sources = [{ key, hasAudio: clip.system.hasAudio === true }];
          if (resolution) {
            const frame = orientFrame(parseResolution(resolution), parseResolution(clip.resolution));
            resolution = `${frame.width}x${frame.height}`;
          } else resolution = clip.resolution;
          fps = job.jobType === 'ENHANCE' ? (params as EnhanceParameters).fps : undefined;
          if (job.jobType === 'ENHANCE' && (params as EnhanceParameters).denoise) {
            const { videoCodec } = await deps.prober.probe(key);
            if (videoCodec && !DENOISABLE_CODECS.includes(videoCodec)) {
              denoise = false;
              adjustments.push(
                `Noise reduction was skipped: it works on H.264, H.265 and MPEG-2 video, and this source is ${videoCodec}. Transcode the clip to MP4 first, then enhance that clip to reduce noise.`,
              );
            }
          }
        }
      }
      const { width, height } = parseResolution(resolution ?? '1280x720');
      const enhance = job.jobType === 'ENHANCE' ? (params as EnhanceParameters) : undefined;
      const settings = buildTranscodeSettings({
        bucket: deps.store.bucket,
        destinationPrefix: clipPrefix(job.userId, job.projectId, clipId),
        sources,
        width,
        height,
        ...(fps ? { fps } : {}),
        ...(enhance?.interpolation ? { interpolation: enhance.interpolation } : {}),
        ...(enhance?.denoise && denoise ? { denoise: true } : {}),
        hls: job.jobType === 'TRANSCODE' ? (params as TranscodeParameters).hls !== false : true,
      });
      await deps.jobs.reportProgress(job.id, 72);
      return {
        clipId,
        settings,
        userMetadata: { jobId: job.id, clipId, ...(deps.stage ? { stage: deps.stage } : {}) },
        ...(adjustments.length ? { adjustments } : {}),
      };
    },

    async registerClip(state: PipelineState): Promise<{ clipId: string }> {
      const job = await deps.jobs.getForPipeline(state.jobId);
      // A retried invocation whose first attempt registered the clip (and may have failed to clear up).
      if (job.status === 'COMPLETED' && job.clipId) {
        await clearScratch(job);
        return { clipId: job.clipId };
      }
      const { clipId } = state.transcode!;
      const prefix = clipPrefix(job.userId, job.projectId, clipId);
      const keys = outputKeys(prefix);
      const detail = state.transcoded?.outputGroupDetails[0]?.OutputDetails?.[0];
      const [objects, video] = await Promise.all([deps.store.list(prefix), deps.store.head(keys.video)]);
      if (!video) throw new Error('The transcoded video is missing.');
      const storageBytes = objects.reduce((sum, o) => sum + o.size, 0);
      const width = detail?.VideoDetails?.WidthInPx ?? 0;
      const height = detail?.VideoDetails?.HeightInPx ?? 0;
      const duration = (detail?.DurationInMs ?? 0) / 1000;
      const upload = uploadOf(job.parameters);
      if (upload) await refuseOverlong(job.userId, duration);
      const clip = await deps.clips.register({
        id: clipId,
        userId: job.userId,
        projectId: job.projectId,
        jobId: job.id,
        title: titleFromPrompt(job.prompt, `${job.jobType.toLowerCase()} ${job.id.slice(0, 8)}`),
        duration,
        fileUrl: keys.video,
        thumbnailUrl: objects.some((o) => o.key === keys.thumbnail) ? keys.thumbnail : null,
        fileSize: video.size,
        storageBytes,
        resolution: `${width}x${height}`,
        format: 'mp4',
        system: {
          jobType: job.jobType,
          hasHls: objects.some((o) => o.key === keys.hlsPlaylist),
          hasPoster: objects.some((o) => o.key === keys.poster),
          hasAudio: 'AudioDescriptions' in (state.transcode!.settings.OutputGroups[0]?.Outputs[0] ?? {}),
          ...(state.transcode!.adjustments ? { adjustments: state.transcode!.adjustments } : {}),
          ...(job.jobType === 'GENERATE' && state.generation
            ? { model: state.generation.model, notAi: state.generation.model === 'local' }
            : {}),
        },
      });
      jobMetrics.completed(jobLabels(job), job.createdAt, clip.duration, now());
      await clearScratch(job);
      return { clipId: clip.id };
    },

    /**
     * Records why, and removes everything the job wrote; charges nothing. A completed job is left alone.
     * When the job's row is gone (its project was deleted while it ran), its folders are still removed:
     * they are named after the ids the execution started with.
     */
    async markFailed(state: PipelineState): Promise<void> {
      // A local render still writing would put its output back after the cleanup.
      await Promise.all(Object.values(deps.models).map((m) => m.stop?.(state.jobId)));
      const job = await deps.jobs.getForPipeline(state.jobId).catch((error: unknown) => {
        if (error instanceof NotFoundError) return null;
        throw error;
      });
      // RegisterClip failed after the clip was registered (clearing up threw): the clip stays, and what the
      // job no longer needs goes.
      if (job?.status === 'COMPLETED') {
        await clearScratch(job);
        return;
      }
      if (state.error && !isUserFacing(state.error)) {
        deps.logger?.warn('job failed', {
          jobId: state.jobId,
          error: { Error: state.error?.Error, Cause: withoutQueryParams(state.error?.Cause ?? '') },
        });
      }
      // A job that has ended FAILED already (cancelled) stays as it is; the statement would change nothing.
      const upload = job ? uploadOf(job.parameters) : undefined;
      const neverAdmitted =
        state.jobType === 'GENERATE' && state.error?.Error === 'States.Timeout' && job?.startedAt === null;
      const message = neverAdmitted
        ? CAPACITY_WAIT_ENDED
        : upload && state.error?.Error === 'Interrupted' && state.error.Cause === LOCAL_SERVER_STOPPED
          ? UPLOAD_INTERRUPTED
          : failureMessage(state.error);
      const ended = job && job.status !== 'FAILED' ? await deps.jobs.markFailed(job.id, message) : undefined;
      // Counted when this call ended the job: a retry, or a job the user cancelled (counted by the cancel
      // itself), finds it ended already.
      if (ended) {
        if (state.error?.Error === 'JobCancelled') jobMetrics.cancelled(jobLabels(ended));
        else jobMetrics.failed(jobLabels(ended), failureClass(state.error));
      }
      // Only a job that started (MarkGenerating or MarkProcessing took it QUEUED → PROCESSING, which
      // stamps startedAt) can have a model run or written under its folders: StartGeneration and the
      // transcode come after that step, and a job failed or cancelled while QUEUED can no longer start.
      const started = !job || job.startedAt !== null;
      // A waiting state's token dies with the execution; no event may find it afterwards.
      if (started) await deps.waits?.release(state.jobId);
      // The job's capacity unit, or its place in line, goes to the next job.
      if (state.jobType === 'GENERATE' && deps.admission) {
        const model = job
          ? effectiveGenerate(job.parameters as GenerateParameters).model
          : state.capacity?.model;
        const models = model ? [model] : Object.keys(deps.models);
        for (const m of models) await deps.admission.release(m, state.jobId);
      }
      await Promise.all([
        started ? deps.store.deletePrefix(jobWorkPrefix(state.userId, state.jobId)) : undefined,
        started ? deps.store.deletePrefix(clipPrefix(state.userId, state.projectId, state.jobId)) : undefined,
        upload ? deps.store.deleteKeys([upload.key]) : undefined,
      ]);
    },
  };
}

export type PipelineTasks = ReturnType<typeof createPipelineTasks>;
