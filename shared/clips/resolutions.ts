/** Output and clip resolutions the system accepts, landscape and portrait/square variants. */
export const SUPPORTED_RESOLUTIONS = [
  '640x360',
  '854x480',
  '960x540',
  '1280x720',
  '1920x1080',
  '2560x1440',
  '3840x2160',
  '360x640',
  '480x854',
  '540x960',
  '720x1280',
  '1080x1920',
  '2160x3840',
  '480x480',
  '720x720',
  '1080x1080',
] as const;
export type Resolution = (typeof SUPPORTED_RESOLUTIONS)[number];

export const VIDEO_FORMATS = ['mp4', 'webm', 'mov', 'mkv'] as const;
export type VideoFormat = (typeof VIDEO_FORMATS)[number];

export function parseResolution(value: string): { width: number; height: number } {
  const match = /^(\d+)x(\d+)$/.exec(value);
  if (!match) throw new Error(`not a WIDTHxHEIGHT resolution: ${value}`);
  return { width: Number(match[1]), height: Number(match[2]) };
}

export function isSupportedResolution(value: string): value is Resolution {
  return (SUPPORTED_RESOLUTIONS as readonly string[]).includes(value);
}
