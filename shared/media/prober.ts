import type { FrameRate } from './settings.ts';

/** What the pipeline needs to know about a source file before transcoding it (uploads have no clip row). */
export interface MediaInfo {
  width: number;
  height: number;
  duration: number;
  hasAudio: boolean;
  /** Frames per second as a fraction (30000/1001 for 29.97). */
  frameRate?: FrameRate;
  /** The video codec in MediaConvert's Probe vocabulary (AVC, HEVC, MPEG2, PRORES, VP9, …). */
  videoCodec?: string;
}

export interface MediaProber {
  probe(key: string): Promise<MediaInfo>;
}

export class UnreadableMediaError extends Error {
  override name = 'UnreadableMedia';
}

export const AUDIO_ONLY =
  'The uploaded file has sound but no picture; upload a video file (MP4, MOV, WebM or MKV) with a video track.';
export const NOT_A_VIDEO =
  'The uploaded file is not a video that could be read; check that it plays on your device, then upload it again.';

/** MediaConvert's denoise filter reads only these codecs (InputDenoiseFilter in the API reference). */
export const DENOISABLE_CODECS = ['AVC', 'HEVC', 'MPEG2', 'UNCOMPRESSED'];
