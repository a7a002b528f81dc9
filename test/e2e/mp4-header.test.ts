/**
 * The transcode reads its MP4's duration and picture size from the file's movie header instead of running
 * ffprobe again: the header must say what ffprobe says, wherever the moov box sits.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe, runFfmpeg, X264_ARGS } from '#shared/media/ffmpeg.ts';
import { readMp4Header } from '#shared/media/mp4-header.ts';
import { makeSource } from '#test/support/media.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mp4-header-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readMp4Header', () => {
  it.each([
    ['faststart, B-frames, sound', { size: '320x180', rate: '25', seconds: 2.4, toneHz: 440 }, true],
    ['moov at the end, 29.97 fps', { size: '180x320', rate: '30000/1001', seconds: 1.3 }, false],
    ['MPEG-4 Part 2, odd size', { size: '4096x64', rate: '24', seconds: 1 }, true],
    [
      'x264 veryfast as the transcode writes it (B-frame delay)',
      { size: '320x180', rate: '24', seconds: 3 },
      true,
    ],
  ] as const)('says what ffprobe says: %s', async (name, options, faststart) => {
    const raw = path.join(dir, `${name.replace(/\W+/g, '-')}-raw.mp4`);
    await makeSource(raw, {
      ...options,
      ...(options.size === '4096x64' ? { codec: ['-c:v', 'mpeg4', '-q:v', '3', '-pix_fmt', 'yuv420p'] } : {}),
      ...(options.seconds === 3 ? { codec: X264_ARGS } : {}),
    });
    const file = raw.replace('-raw', '');
    await runFfmpeg(['-i', raw, '-c', 'copy', ...(faststart ? ['-movflags', '+faststart'] : []), file]);
    const [header, probed] = await Promise.all([readMp4Header(file), probe(file)]);
    expect(header.width).toBe(probed.width);
    expect(header.height).toBe(probed.height);
    expect(Math.abs(header.duration - probed.duration)).toBeLessThan(0.001);
  });

  it('refuses a file with no movie header', async () => {
    const file = path.join(dir, 'not-a-movie.mp4');
    await writeFile(file, Buffer.from('\u0000\u0000\u0000\u0010ftypisom\u0000\u0000\u0000\u0000not a movie'));
    await expect(readMp4Header(file)).rejects.toThrow(/no movie header/);
  });
});
