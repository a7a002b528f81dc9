import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ObjectStore } from '../storage/port.ts';
import { probe } from './ffmpeg.ts';
import { type MediaProber, UnreadableMediaError } from './prober.ts';

/** ffprobe on a downloaded copy: the local stand-in for MediaConvert's Probe. */
export function localProber(store: ObjectStore): MediaProber {
  return {
    async probe(key) {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'probe-'));
      try {
        const file = path.join(dir, 'source');
        await store.downloadToFile(key, file);
        const info = await probe(file).catch(() => {
          throw new UnreadableMediaError('The uploaded file is not a video that could be read.');
        });
        return { width: info.width, height: info.height, duration: info.duration, hasAudio: info.hasAudio };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
