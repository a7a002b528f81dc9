/**
 * The shortest part of a clip an EDIT may keep: a few frames at any rate a clip has. A shorter trim would
 * keep one frame at most, or none (MediaConvert then fails the job). Here, not in schema.ts, so that the
 * pipeline's bundles, which check it against the probed length, do not carry zod.
 */
export const MIN_TRIM_SECONDS = 0.1;
