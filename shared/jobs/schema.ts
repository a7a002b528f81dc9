import * as z from 'zod';
import { MAX_CLIP_SECONDS, resolution } from '../clips/schema.ts';
import { ASPECT_RATIOS, VIDEO_MODELS } from '../generation/models.ts';
import { MAX_OUTPUT_FPS } from '../media/settings.ts';
import { boundedJsonObject, isoDate, pageQuery, uuid, wholeNumber } from '../schema/common.ts';
import { lazySchema } from '../schema/lazy.ts';
import { prompt } from './prompt.ts';
import { JOB_STATUSES, JOB_TYPES } from './status.ts';
import { MIN_TRIM_SECONDS } from './trim.ts';

export const jobType = lazySchema(() => z.enum(JOB_TYPES));
export const jobStatus = lazySchema(() => z.enum(JOB_STATUSES));
export const progress = lazySchema(() => z.number().int().min(0).max(100));
export { ASPECT_RATIOS, prompt, VIDEO_MODELS };

const variables = lazySchema(() =>
  z
    .record(z.string().regex(/^\w{1,50}$/), z.string().max(500, 'must be at most 500 characters'), {
      error: (issue) =>
        issue.code === 'invalid_key' ? 'names must be 1–50 letters, digits or underscores' : undefined,
    })
    .optional(),
);

export const generateParameters = lazySchema(() =>
  z
    .object({
      model: z.enum(VIDEO_MODELS).default('local'),
      durationSeconds: z
        .number()
        .positive('must be more than 0 seconds')
        .max(120, 'must be at most 120 seconds')
        .optional(),
      resolution: resolution.optional(),
      fps: wholeNumber(1, MAX_OUTPUT_FPS).optional(),
      seed: wholeNumber(0, 2_147_483_646).optional(),
      aspectRatio: z.enum(ASPECT_RATIOS).optional(),
      imageClipId: uuid.optional(),
      loop: z.boolean().optional(),
      variables,
    })
    .strict(),
);

const trimPoint = lazySchema(() =>
  z
    .number()
    .min(0, 'must be 0 or more seconds')
    .max(MAX_CLIP_SECONDS, `must be at most ${MAX_CLIP_SECONDS} seconds (the longest a clip can be)`),
);

export const editParameters = lazySchema(() =>
  z
    .object({
      clips: z
        .array(
          z
            .object({
              clipId: uuid,
              start: trimPoint
                .optional()
                .describe('Seconds into the clip where the kept part starts (default 0).'),
              end: trimPoint
                .optional()
                .describe(
                  `Seconds into the clip where the kept part ends (default: the clip's end); an end past the clip's end is cut to it. The kept part must last at least ${MIN_TRIM_SECONDS} s.`,
                ),
            })
            .refine((c) => (c.end ?? Number.POSITIVE_INFINITY) - (c.start ?? 0) >= MIN_TRIM_SECONDS, {
              message: `end must be at least ${MIN_TRIM_SECONDS} s after start`,
              path: ['end'],
            }),
        )
        .min(1, 'list at least one clip')
        .max(150, 'at most 150 clips can be stitched'),
      resolution: resolution.optional(),
      variables,
    })
    .strict(),
);

export const enhanceParameters = lazySchema(() =>
  z
    .object({
      resolution: resolution.optional(),
      fps: wholeNumber(1, MAX_OUTPUT_FPS).optional(),
      interpolation: z.enum(['INTERPOLATE', 'FRAMEFORMER']).optional(),
      denoise: z.boolean().optional(),
      variables,
    })
    .strict(),
);

export const transcodeParameters = lazySchema(() =>
  z.object({ resolution: resolution.optional(), hls: z.boolean().optional(), variables }).strict(),
);

export const PARAMETERS_BY_TYPE = {
  GENERATE: generateParameters,
  EDIT: editParameters,
  ENHANCE: enhanceParameters,
  TRANSCODE: transcodeParameters,
} as const;

export type GenerateParameters = z.infer<typeof generateParameters>;
export type EditParameters = z.infer<typeof editParameters>;
export type EnhanceParameters = z.infer<typeof enhanceParameters>;
export type TranscodeParameters = z.infer<typeof transcodeParameters>;

/** The body of POST /projects/{id}/jobs; parameters are checked per job type by the service. */
export const createJobBody = lazySchema(() =>
  z
    .object({
      jobType,
      prompt: prompt.optional(),
      // Bounded like every other free-form object: the job's row is read through the Data API, which cannot
      // return a row over 64 KB (an EDIT of 150 trimmed clips is about 12 KiB).
      parameters: boundedJsonObject.optional(),
      templateId: uuid.optional(),
      sourceClipIds: z.array(uuid).max(150, 'must list at most 150 clips').optional(),
    })
    .strict()
    .refine((b) => b.prompt !== undefined || b.templateId !== undefined, {
      message: 'give a prompt, or a templateId to take it from',
      path: ['prompt'],
    }),
);

export const listJobsQuery = lazySchema(() =>
  pageQuery.extend({ status: jobStatus.optional(), jobType: jobType.optional() }).strict(),
);
export const jobParams = lazySchema(() => z.object({ jobId: uuid }));

export const jobResponse = lazySchema(() =>
  z.object({
    id: uuid,
    projectId: uuid,
    clipId: uuid.nullable(),
    templateId: uuid.nullable(),
    jobType,
    status: jobStatus,
    prompt: z.string(),
    parameters: z.record(z.string(), z.unknown()),
    progress,
    errorMessage: z.string().nullable(),
    startedAt: isoDate.nullable(),
    completedAt: isoDate.nullable(),
    createdAt: isoDate,
    sourceClipIds: z.array(uuid).optional(),
    /**
     * A QUEUED GENERATE job waiting for its model's capacity: its place in line (1 is served next); null
     * when the job is not waiting. Read by GET only; job events leave it out (README, job events).
     */
    queuePosition: z.number().int().min(1).nullable(),
  }),
);
