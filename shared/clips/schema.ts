import { JOB_TYPES } from '../jobs/status.ts';
import { boundedJsonObject, isoDate, pageQuery, uuid } from '../schema/common.ts';
import { lazySchema } from '../schema/lazy.ts';
import { readableText } from '../schema/text.ts';
import * as z from '../schema/zod.ts';
import { safeFileName } from '../storage/keys.ts';
import { SUPPORTED_RESOLUTIONS, VIDEO_FORMATS } from './resolutions.ts';

export const clipTitle = lazySchema(() =>
  z
    .string()
    .check(
      z.trim(),
      z.minLength(1, 'must not be empty'),
      z.maxLength(100, 'must be at most 100 characters'),
      z.superRefine(readableText('title')),
    ),
);
export const resolution = lazySchema(() =>
  z.enum(SUPPORTED_RESOLUTIONS, {
    message: `must be one of ${SUPPORTED_RESOLUTIONS.join(', ')}`,
  }),
);
/** The longest a clip may be, in seconds. */
export const MAX_CLIP_SECONDS = 7200;
export const duration = lazySchema(() =>
  z.number().check(z.positive('must be greater than 0'), z.lte(MAX_CLIP_SECONDS)),
);
export const videoFormat = lazySchema(() => z.enum(VIDEO_FORMATS));

/** A clip as the pipeline registers it (real values probed from the output). */
export const newClip = lazySchema(() =>
  z.object({
    title: clipTitle,
    duration,
    fileSize: z.number().check(z.int(), z.nonnegative()),
    resolution,
    format: videoFormat,
  }),
);

export const updateClipBody = lazySchema(() =>
  z
    .strictObject({ title: z.optional(clipTitle), metadata: z.optional(boundedJsonObject) })
    .check(z.refine((b) => Object.keys(b).length > 0, { message: 'give at least one field to change' })),
);

export const clipParams = lazySchema(() => z.object({ clipId: uuid }));
export const hlsParams = lazySchema(() =>
  z.object({
    token: z.string().check(z.minLength(1), z.maxLength(400), z.regex(/^[\w.-]+$/, 'not a media token')),
    file: z.string().check(z.minLength(1), z.maxLength(100)),
  }),
);
export const listClipsQuery = lazySchema(() => z.strictObject(pageQuery.shape));

export const mediaUrls = lazySchema(() =>
  z.object({
    videoUrl: z.url(),
    thumbnailUrl: z.nullable(z.url()),
    hlsUrl: z.nullable(z.url()),
    expiresAt: isoDate,
  }),
);

/** What the pipeline recorded about the clip; read-only (PATCH changes only title and metadata). */
export const clipSystem = lazySchema(() =>
  z
    .object({
      jobType: z.nullable(z.enum(JOB_TYPES)),
      model: z.nullable(z.string()),
      notAi: z.boolean(),
      hasAudio: z.boolean(),
      hasHls: z.boolean(),
      hasPoster: z.boolean(),
      adjustments: z.array(z.string()).check(
        z.meta({
          description: 'What was done differently from what the job asked, because of its source.',
        }),
      ),
    })
    .check(z.meta({ description: 'Recorded by the pipeline; no request can change it.', readOnly: true })),
);

export const clipResponse = lazySchema(() =>
  z.object({
    id: uuid,
    projectId: uuid,
    title: z.string(),
    duration: z.number(),
    fileUrl: z.string(),
    thumbnailUrl: z.nullable(z.string()),
    fileSize: z
      .number()
      .check(z.int(), z.meta({ description: 'Bytes of the MP4 (what downloading videoUrl returns).' })),
    storageBytes: z.number().check(
      z.int(),
      z.meta({
        description: "Bytes of every rendition (MP4, HLS, frames), charged to the owner's storage.",
      }),
    ),
    resolution: z.string(),
    format: z.string(),
    metadata: z
      .record(z.string(), z.unknown())
      .check(z.meta({ description: "The user's own data (PATCH replaces it)." })),
    system: clipSystem,
    createdAt: isoDate,
    updatedAt: isoDate,
    media: z.optional(mediaUrls),
  }),
);

const PLAYLIST_EXTENSION = /\.m3u8?$/i;

export const uploadBody = lazySchema(() =>
  z.strictObject({
    fileName: z.string().check(
      z.trim(),
      z.minLength(1, 'must not be empty'),
      z.maxLength(200, 'must be at most 200 characters'),
      z.regex(/^[^/\\]+$/, 'must be a file name without folders'),
      // The name becomes the upload job's prompt and its clip's title, which refuse invisible controls.
      z.superRefine(readableText('fileName')),
      // The stored name keeps the extension, and MediaConvert reads a `.m3u8` input as an HLS playlist: it
      // would fetch whatever segment URIs the file lists (other objects of the bucket, other hosts).
      z.refine((name) => !PLAYLIST_EXTENSION.test(safeFileName(name)), {
        message: 'must name the video file itself, not an HLS playlist (.m3u8, .m3u)',
      }),
    ),
    contentType: z.string().check(z.regex(/^video\/[a-z0-9.+-]+$/i, 'must be a video/* media type')),
    fileSize: z
      .number()
      .check(
        z.int({ error: 'must be a whole number of bytes', abort: true }),
        z.positive('must be greater than 0'),
      ),
  }),
);

export const uploadParams = lazySchema(() => z.object({ uploadId: uuid }));

export const listUploadsQuery = lazySchema(() => z.strictObject(pageQuery.shape));

export const uploadInProgress = lazySchema(() =>
  z.object({
    uploadId: uuid,
    fileName: z.nullable(z.string()),
    fileSize: z
      .number()
      .check(z.int(), z.meta({ description: 'The declared size: the most the POST accepts' })),
    state: z.enum(['awaiting-file', 'arrived']).check(
      z.meta({
        description:
          '`arrived`: the file is in and the upload is the TRANSCODE job of the same id (cancel that job instead)',
      }),
    ),
    expiresAt: z.nullable(isoDate).check(
      z.meta({
        description: 'When the presigned POST stops being accepted; null once the file has arrived',
      }),
    ),
    createdAt: isoDate,
  }),
);

export const uploadResponse = lazySchema(() =>
  z.object({
    uploadId: uuid,
    url: z.url(),
    fields: z.record(z.string(), z.string()),
    key: z.string(),
    maxBytes: z.number().check(z.int()),
    expiresAt: isoDate,
  }),
);
