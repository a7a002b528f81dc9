import { MAX_CLIP_SECONDS, resolution } from '../clips/schema.ts';
import { ASPECT_RATIOS, VIDEO_MODELS } from '../generation/models.ts';
import { MAX_OUTPUT_FPS } from '../media/settings.ts';
import { boundedJsonObject, isoDate, pageQuery, uuid, wholeNumber } from '../schema/common.ts';
import { lazySchema } from '../schema/lazy.ts';
import * as z from '../schema/zod.ts';
import { prompt } from './prompt.ts';
import { JOB_STATUSES, JOB_TYPES } from './status.ts';
import { MIN_TRIM_SECONDS } from './trim.ts';

export const jobType = lazySchema(() => z.enum(JOB_TYPES));
export const jobStatus = lazySchema(() => z.enum(JOB_STATUSES));
export const progress = lazySchema(() => z.number().check(z.int(), z.gte(0), z.lte(100)));
export { ASPECT_RATIOS, prompt, VIDEO_MODELS };

const variables = lazySchema(() =>
  z.optional(
    z.record(
      z.string().check(z.regex(/^\w{1,50}$/)),
      z.string().check(z.maxLength(500, 'must be at most 500 characters')),
      {
        error: (issue) =>
          issue.code === 'invalid_key' ? 'names must be 1–50 letters, digits or underscores' : undefined,
      },
    ),
  ),
);

export const generateParameters = lazySchema(() =>
  z.strictObject({
    model: z._default(z.enum(VIDEO_MODELS), 'local'),
    durationSeconds: z.optional(
      z.number().check(z.positive('must be more than 0 seconds'), z.lte(120, 'must be at most 120 seconds')),
    ),
    resolution: z.optional(resolution),
    fps: z.optional(wholeNumber(1, MAX_OUTPUT_FPS)),
    seed: z.optional(wholeNumber(0, 2_147_483_646)),
    aspectRatio: z.optional(z.enum(ASPECT_RATIOS)),
    imageClipId: z.optional(uuid),
    loop: z.optional(z.boolean()),
    variables,
  }),
);

const trimPoint = lazySchema(() =>
  z
    .number()
    .check(
      z.gte(0, 'must be 0 or more seconds'),
      z.lte(MAX_CLIP_SECONDS, `must be at most ${MAX_CLIP_SECONDS} seconds (the longest a clip can be)`),
    ),
);

export const editParameters = lazySchema(() =>
  z.strictObject({
    clips: z
      .array(
        z
          .object({
            clipId: uuid,
            start: z
              .optional(trimPoint)
              .check(z.describe('Seconds into the clip where the kept part starts (default 0).')),
            end: z
              .optional(trimPoint)
              .check(
                z.describe(
                  `Seconds into the clip where the kept part ends (default: the clip's end); an end past the clip's end is cut to it. The kept part must last at least ${MIN_TRIM_SECONDS} s.`,
                ),
              ),
          })
          .check(
            z.refine((c) => (c.end ?? Number.POSITIVE_INFINITY) - (c.start ?? 0) >= MIN_TRIM_SECONDS, {
              message: `end must be at least ${MIN_TRIM_SECONDS} s after start`,
              path: ['end'],
            }),
          ),
      )
      .check(z.minLength(1, 'list at least one clip'), z.maxLength(150, 'at most 150 clips can be stitched')),
    resolution: z.optional(resolution),
    variables,
  }),
);

export const enhanceParameters = lazySchema(() =>
  z.strictObject({
    resolution: z.optional(resolution),
    fps: z.optional(wholeNumber(1, MAX_OUTPUT_FPS)),
    interpolation: z.optional(z.enum(['INTERPOLATE', 'FRAMEFORMER'])),
    denoise: z.optional(z.boolean()),
    variables,
  }),
);

export const transcodeParameters = lazySchema(() =>
  z.strictObject({ resolution: z.optional(resolution), hls: z.optional(z.boolean()), variables }),
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
    .strictObject({
      jobType,
      prompt: z.optional(prompt),
      // Bounded like every other free-form object: the job's row is read through the Data API, which cannot
      // return a row over 64 KB (an EDIT of 150 trimmed clips is about 12 KiB).
      parameters: z.optional(boundedJsonObject),
      templateId: z.optional(uuid),
      sourceClipIds: z.optional(z.array(uuid).check(z.maxLength(150, 'must list at most 150 clips'))),
    })
    .check(
      z.refine((b) => b.prompt !== undefined || b.templateId !== undefined, {
        message: 'give a prompt, or a templateId to take it from',
        path: ['prompt'],
      }),
    ),
);

export const listJobsQuery = lazySchema(() =>
  z.strictObject(z.extend(pageQuery, { status: z.optional(jobStatus), jobType: z.optional(jobType) }).shape),
);
export const jobParams = lazySchema(() => z.object({ jobId: uuid }));

export const jobResponse = lazySchema(() =>
  z.object({
    id: uuid,
    projectId: uuid,
    clipId: z.nullable(uuid),
    templateId: z.nullable(uuid),
    jobType,
    status: jobStatus,
    prompt: z.string(),
    parameters: z.record(z.string(), z.unknown()),
    progress,
    errorMessage: z.nullable(z.string()),
    startedAt: z.nullable(isoDate),
    completedAt: z.nullable(isoDate),
    createdAt: isoDate,
    sourceClipIds: z.optional(z.array(uuid)),
    /**
     * A QUEUED GENERATE job waiting for its model's capacity: its place in line (1 is served next); null
     * when the job is not waiting. Read by GET only; job events leave it out (README, job events).
     */
    queuePosition: z.nullable(z.number().check(z.int(), z.gte(1))),
  }),
);
