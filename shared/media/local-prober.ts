import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ObjectStore } from '../storage/port.ts';
import { NoVideoStreamError, probe } from './ffmpeg.ts';
import { AUDIO_ONLY, type MediaProber, NOT_A_VIDEO, UnreadableMediaError } from './prober.ts';

/** ffprobe on a downloaded copy: the local stand-in for MediaConvert's Probe. */
export function localProber(store: ObjectStore): MediaProber {
  return {
    async probe(key) {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'probe-'));
      try {
        const file = path.join(dir, 'source');
        await store.downloadToFile(key, file);
        const info = await probe(file).catch((error: unknown) => {
          // ffprobe read the file and found tracks but no picture: an audio file, most likely.
          throw new UnreadableMediaError(error instanceof NoVideoStreamError ? AUDIO_ONLY : NOT_A_VIDEO);
        });
        return {
          width: info.width,
          height: info.height,
          duration: info.duration,
          hasAudio: info.hasAudio,
          frameRate: info.frameRate,
          videoCodec: info.videoCodec,
        };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
