/**
 * The local probe of MPEG-TS sources: the ffprobe of @ffprobe-installer crashes (SIGSEGV) on every
 * transport stream, so probe() reads the facts from ffmpeg's copy of its tracks, from a file and from a
 * signed link, while other unreadable files still fail as before.
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3 } from '#infra/local/s3.ts';
import { FfmpegError, probe } from '#shared/media/ffmpeg.ts';
import { localProber } from '#shared/media/local-prober.ts';
import { createGetPresigner } from '#shared/storage/presign-get.ts';
import { createS3Store } from '#shared/storage/s3.ts';
import { dirStore } from '#test/support/dir-store.ts';
import { makeSource } from '#test/support/media.ts';

let dir: string;
let ts: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mpegts-probe-'));
  ts = path.join(dir, 'camera.ts');
  await makeSource(ts, { size: '320x240', rate: '25', seconds: 3, toneHz: 440 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const FACTS = {
  width: 320,
  height: 240,
  hasAudio: true,
  videoCodec: 'AVC',
  frameRate: { numerator: 25, denominator: 1 },
  format: 'mpegts',
};

describe('probing MPEG-TS', () => {
  it('gives the facts of an H.264 + AAC transport stream file', async () => {
    const info = await probe(ts);
    expect(info).toMatchObject({ ...FACTS, size: (await stat(ts)).size });
    expect(Math.abs(info.duration - 3)).toBeLessThanOrEqual(0.1);
  });

  it('gives the same facts through a signed link, and through the local prober', async () => {
    const local = await startLocalS3({ directory: path.join(dir, 's3'), bucket: 'media' });
    try {
      const s3Store = createS3Store({ client: local.client, bucket: local.bucket });
      await s3Store.putFile('sources/camera.ts', ts, 'video/mp2t');
      const url = await (await createGetPresigner(local.client, local.bucket))('sources/camera.ts', 600);
      const info = await probe(url);
      expect(info).toMatchObject({ ...FACTS, size: (await stat(ts)).size });
      expect(Math.abs(info.duration - 3)).toBeLessThanOrEqual(0.1);
    } finally {
      await local.stop();
    }
    const store = dirStore(path.join(dir, 'bucket'));
    await store.putFile('sources/camera.ts', ts, 'video/mp2t');
    expect(await localProber(store).probe('sources/camera.ts')).toMatchObject({
      width: 320,
      height: 240,
      hasAudio: true,
      videoCodec: 'AVC',
    });
  });

  it('still reads a transport stream only as one of the formats it is given', async () => {
    await expect(probe(ts, 'mov')).rejects.toThrow(FfmpegError);
  });

  it('still fails a file ffprobe refuses, without a crash to fall back from', async () => {
    const text = path.join(dir, 'notes.ts');
    await writeFile(text, 'not a video at all\n'.repeat(100));
    await expect(probe(text)).rejects.toThrow(/ffprobe failed on/);
  });
});
