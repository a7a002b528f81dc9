import * as z from 'zod';
import { JOB_TYPES } from '../jobs/status.ts';
import { boundedJsonObject, isoDate, pageQuery, uuid } from '../schema/common.ts';
import { lazySchema } from '../schema/lazy.ts';
import { readableText } from '../schema/text.ts';
import { safeFileName } from '../storage/keys.ts';
import { SUPPORTED_RESOLUTIONS, VIDEO_FORMATS } from './resolutions.ts';

export const clipTitle = lazySchema(() =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(100, 'must be at most 100 characters')
    .superRefine(readableText('title')),
);
export const resolution = lazySchema(() =>
  z.enum(SUPPORTED_RESOLUTIONS, {
    message: `must be one of ${SUPPORTED_RESOLUTIONS.join(', ')}`,
  }),
);
/** The longest a clip may be, in seconds. */
export const MAX_CLIP_SECONDS = 7200;
export const duration = lazySchema(() => z.number().positive('must be greater than 0').max(MAX_CLIP_SECONDS));
export const videoFormat = lazySchema(() => z.enum(VIDEO_FORMATS));

/** A clip as the pipeline registers it (real values probed from the output). */
export const newClip = lazySchema(() =>
  z.object({
    title: clipTitle,
    duration,
    fileSize: z.number().int().nonnegative(),
    resolution,
    format: videoFormat,
  }),
);

export const updateClipBody = lazySchema(() =>
  z
    .object({ title: clipTitle.optional(), metadata: boundedJsonObject.optional() })
    .strict()
    .refine((b) => Object.keys(b).length > 0, { message: 'give at least one field to change' }),
);

export const clipParams = lazySchema(() => z.object({ clipId: uuid }));
export const hlsParams = lazySchema(() =>
  z.object({
    token: z
      .string()
      .min(1)
      .max(400)
      .regex(/^[\w.-]+$/, 'not a media token'),
    file: z.string().min(1).max(100),
  }),
);
export const listClipsQuery = lazySchema(() => pageQuery.strict());

export const mediaUrls = lazySchema(() =>
  z.object({
    videoUrl: z.url(),
    thumbnailUrl: z.url().nullable(),
    hlsUrl: z.url().nullable(),
    expiresAt: isoDate,
  }),
);

/** What the pipeline recorded about the clip; read-only (PATCH changes only title and metadata). */
export const clipSystem = lazySchema(() =>
  z
    .object({
      jobType: z.enum(JOB_TYPES).nullable(),
      model: z.string().nullable(),
      notAi: z.boolean(),
      hasAudio: z.boolean(),
      hasHls: z.boolean(),
      hasPoster: z.boolean(),
      adjustments: z.array(z.string()).meta({
        description: 'What was done differently from what the job asked, because of its source.',
      }),
    })
    .meta({ description: 'Recorded by the pipeline; no request can change it.', readOnly: true }),
);

export const clipResponse = lazySchema(() =>
  z.object({
    id: uuid,
    projectId: uuid,
    title: z.string(),
    duration: z.number(),
    fileUrl: z.string(),
    thumbnailUrl: z.string().nullable(),
    fileSize: z.number().int().meta({ description: 'Bytes of the MP4 (what downloading videoUrl returns).' }),
    storageBytes: z
      .number()
      .int()
      .meta({ description: "Bytes of every rendition (MP4, HLS, frames), charged to the owner's storage." }),
    resolution: z.string(),
    format: z.string(),
    metadata: z
      .record(z.string(), z.unknown())
      .meta({ description: "The user's own data (PATCH replaces it)." }),
    system: clipSystem,
    createdAt: isoDate,
    updatedAt: isoDate,
    media: mediaUrls.optional(),
  }),
);

const PLAYLIST_EXTENSION = /\.m3u8?$/i;

export const uploadBody = lazySchema(() =>
  z
    .object({
      fileName: z
        .string()
        .trim()
        .min(1, 'must not be empty')
        .max(200, 'must be at most 200 characters')
        .regex(/^[^/\\]+$/, 'must be a file name without folders')
        // The name becomes the upload job's prompt and its clip's title, which refuse invisible controls.
        .superRefine(readableText('fileName'))
        // The stored name keeps the extension, and MediaConvert reads a `.m3u8` input as an HLS playlist: it
        // would fetch whatever segment URIs the file lists (other objects of the bucket, other hosts).
        .refine((name) => !PLAYLIST_EXTENSION.test(safeFileName(name)), {
          message: 'must name the video file itself, not an HLS playlist (.m3u8, .m3u)',
        }),
      contentType: z.string().regex(/^video\/[a-z0-9.+-]+$/i, 'must be a video/* media type'),
      fileSize: z
        .number()
        .int({ error: 'must be a whole number of bytes', abort: true })
        .positive('must be greater than 0'),
    })
    .strict(),
);

export const uploadParams = lazySchema(() => z.object({ uploadId: uuid }));

export const listUploadsQuery = lazySchema(() => pageQuery.strict());

export const uploadInProgress = lazySchema(() =>
  z.object({
    uploadId: uuid,
    fileName: z.string().nullable(),
    fileSize: z.number().int().meta({ description: 'The declared size: the most the POST accepts' }),
    state: z.enum(['awaiting-file', 'arrived']).meta({
      description:
        '`arrived`: the file is in and the upload is the TRANSCODE job of the same id (cancel that job instead)',
    }),
    expiresAt: isoDate
      .nullable()
      .meta({ description: 'When the presigned POST stops being accepted; null once the file has arrived' }),
    createdAt: isoDate,
  }),
);

export const uploadResponse = lazySchema(() =>
  z.object({
    uploadId: uuid,
    url: z.url(),
    fields: z.record(z.string(), z.string()),
    key: z.string(),
    maxBytes: z.number().int(),
    expiresAt: isoDate,
  }),
);
