/** Progress milestones of a job: generation fills 10–69, the transcode 72–97, registration 100. */
export const TRANSCODE_BAND = { from: 72, to: 97 } as const;

export function transcodeProgress(fraction: number): number {
  const f = Math.max(0, Math.min(1, fraction));
  return TRANSCODE_BAND.from + f * (TRANSCODE_BAND.to - TRANSCODE_BAND.from);
}
