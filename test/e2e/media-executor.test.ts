/**
 * The local executor carrying out the Settings the builder makes, on real files: frame-exact trims at
 * common frame rates (drop-frame 29.97 included), sound kept across a stitch with a silent source,
 * letterboxing into the first source's shape, captures of an extreme 4096x64 frame, and inputs read from
 * s3rver over signed links (as MediaConvert reads S3) instead of downloaded copies.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3 } from '#infra/local/s3.ts';
import { probe, runFfmpeg } from '#shared/media/ffmpeg.ts';
import { executeTranscode } from '#shared/media/local-executor.ts';
import { buildTranscodeSettings, type SourceMedia } from '#shared/media/settings.ts';
import type { ObjectStore } from '#shared/storage/port.ts';
import { createGetPresigner } from '#shared/storage/presign-get.ts';
import { createS3Store } from '#shared/storage/s3.ts';
import { dirStore } from '#test/support/dir-store.ts';
import { loudness, makeSource } from '#test/support/media.ts';

/** The demuxers of the thumbnails and posters this test reads back (not sources: probe's default refuses them). */
const JPEG = 'image2,jpeg_pipe';

let dir: string;
let store: ObjectStore;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'media-executor-'));
  store = dirStore(path.join(dir, 'bucket'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Puts a generated source in the bucket and answers what the pipeline would know of it. */
async function source(name: string, options: Parameters<typeof makeSource>[1]): Promise<SourceMedia> {
  const file = path.join(dir, name);
  await makeSource(file, options);
  const info = await probe(file);
  await store.putFile(`sources/${name}`, file, 'video/mp4');
  return { key: `sources/${name}`, hasAudio: info.hasAudio, frameRate: info.frameRate };
}

async function transcode(name: string, sources: SourceMedia[], width: number, height: number) {
  const settings = buildTranscodeSettings({
    bucket: store.bucket,
    destinationPrefix: `out/${name}/`,
    sources,
    width,
    height,
  });
  const result = await executeTranscode(settings, store);
  const file = path.join(dir, `${name}.mp4`);
  await store.downloadToFile(`out/${name}/video.mp4`, file);
  return {
    result,
    file,
    probed: await probe(file),
    keys: (await store.list(`out/${name}/`)).map((o) => o.key),
  };
}

describe('frame-exact trims', () => {
  it.each([
    ['24', 24],
    ['25', 25],
    ['30', 30],
    ['30000/1001', 30000 / 1001],
  ])('keeps 0.6 s of a 0.2-0.8 s trim at %s fps, within one frame', async (rate, fps) => {
    const src = await source(`trim-${fps.toFixed(2)}.mp4`, { size: '160x90', rate, seconds: 2 });
    const { probed, result } = await transcode(
      `trim-${fps.toFixed(2)}`,
      [{ ...src, start: 0.2, end: 0.8 }],
      160,
      90,
    );
    expect(Math.abs(probed.duration - 0.6)).toBeLessThanOrEqual(1 / fps + 0.001);
    expect(
      Math.abs(result.outputGroupDetails[0]!.OutputDetails[0]!.DurationInMs / 1000 - 0.6),
    ).toBeLessThanOrEqual(1 / fps + 0.001);
  });
});

describe('sound across a stitch', () => {
  it('keeps the tone of the sources that have one and is silent for the one that has none', async () => {
    const a = await source('tone-a.mp4', { size: '160x90', rate: '25', seconds: 2, toneHz: 440 });
    const silent = await source('silent.mp4', { size: '160x90', rate: '25', seconds: 2 });
    const b = await source('tone-b.mp4', { size: '160x90', rate: '25', seconds: 2, toneHz: 880 });
    const { probed, file } = await transcode('stitch', [a, silent, b], 160, 90);
    expect(probed.hasAudio).toBe(true);
    expect(probed.duration).toBeCloseTo(6, 0);
    const levels = await loudness(file, 0.5);
    // Windows away from each cut: 0-2 s tone, 2-4 s silence, 4-6 s tone.
    for (const i of [0, 1, 2]) expect(levels[i], `window ${i}`).toBeGreaterThan(-30);
    for (const i of [5, 6]) expect(levels[i], `window ${i}`).toBeLessThan(-60);
    for (const i of [9, 10, 11]) expect(levels[i], `window ${i}`).toBeGreaterThan(-30);
  });
});

/** The mean luma (0–255) of the first frame's top four rows: 0 where a letterbox bar is. */
async function topRowsLevel(file: string): Promise<number> {
  const raw = `${file}.top.gray`;
  await runFfmpeg(['-i', file, '-vf', 'crop=iw:4:0:0,format=gray', '-frames:v', '1', '-f', 'rawvideo', raw]);
  const bytes = await readFile(raw);
  return bytes.reduce((sum, b) => sum + b, 0) / bytes.length;
}

describe('every shape', () => {
  it('letterboxes a landscape source into a portrait first source', async () => {
    const portrait = await source('portrait.mp4', { size: '90x160', rate: '25', seconds: 1 });
    const landscape = await source('landscape.mp4', { size: '160x90', rate: '30', seconds: 1 });
    const { probed } = await transcode('mixed', [portrait, landscape], 90, 160);
    expect([probed.width, probed.height]).toEqual([90, 160]);
    expect(probed.duration).toBeCloseTo(2, 0);
  });

  it('turns a phone video stored sideways with rotation metadata upright, as Rotate AUTO does', async () => {
    const stored = path.join(dir, 'stored.mp4');
    await makeSource(stored, { size: '160x90', rate: '25', seconds: 1 });
    // The frames stay 160x90; the track's display matrix says to show them turned by 90 degrees.
    const file = path.join(dir, 'phone-source.mp4');
    await runFfmpeg(['-i', stored, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', file]);
    const info = await probe(file);
    expect([info.width, info.height]).toEqual([90, 160]);
    await store.putFile('sources/phone.mp4', file, 'video/mp4');
    const phone = { key: 'sources/phone.mp4', hasAudio: false, frameRate: info.frameRate };
    const { probed } = await transcode('phone', [phone], info.width, info.height);
    expect([probed.width, probed.height]).toEqual([90, 160]);
    // Upright frames fill the portrait output: no letterbox bars above and below.
    expect(await topRowsLevel(path.join(dir, 'phone.mp4'))).toBeGreaterThan(40);
  });

  it('captures thumbnails of at least 32 px from a 4096x64 video, and a full-size poster', async () => {
    const strip = await source('strip.mp4', { size: '4096x64', rate: '25', seconds: 1 });
    const { probed, keys } = await transcode('strip', [strip], 4096, 64);
    expect([probed.width, probed.height]).toEqual([4096, 64]);
    const thumb = path.join(dir, 'strip-thumb.jpg');
    await store.downloadToFile('out/strip/thumb.0000000.jpg', thumb);
    expect(await probe(thumb, JPEG)).toMatchObject({ width: 2048, height: 32 });
    const poster = path.join(dir, 'strip-poster.jpg');
    await store.downloadToFile('out/strip/poster.0000000.jpg', poster);
    expect(await probe(poster, JPEG)).toMatchObject({ width: 4096, height: 64 });
    expect(keys).toContain('out/strip/hls/index.m3u8');
  });
});

describe('inputs read over signed links', () => {
  it('reads trimmed, stitched sources from s3rver as ffmpeg decodes them, with no download', async () => {
    const local = await startLocalS3({ directory: path.join(dir, 's3'), bucket: 'media' });
    try {
      const s3Store = createS3Store({ client: local.client, bucket: local.bucket });
      const sign = await createGetPresigner(local.client, local.bucket);
      const links: string[] = [];
      const reading: ObjectStore = {
        ...s3Store,
        downloadToFile: () => Promise.reject(new Error('the executor downloaded an input')),
      };
      const sources: SourceMedia[] = [];
      for (const [name, toneHz] of [
        ['link-a.mp4', 440],
        ['link-b.mp4', undefined],
      ] as const) {
        const file = path.join(dir, name);
        await makeSource(file, { size: '160x90', rate: '25', seconds: 2, ...(toneHz ? { toneHz } : {}) });
        const info = await probe(file);
        await s3Store.putFile(`sources/${name}`, file, 'video/mp4');
        sources.push({ key: `sources/${name}`, hasAudio: info.hasAudio, frameRate: info.frameRate });
      }
      const settings = buildTranscodeSettings({
        bucket: local.bucket,
        destinationPrefix: 'out/links/',
        sources: [{ ...sources[0]!, start: 0.2, end: 1.4 }, sources[1]!],
        width: 160,
        height: 90,
      });
      const result = await executeTranscode(settings, reading, {
        readUrl: async (key) => {
          const url = await sign(key, 600);
          links.push(url);
          return url;
        },
      });
      expect(links).toHaveLength(2);
      expect(links.every((l) => l.startsWith(`${local.endpoint}/media/sources/`))).toBe(true);
      const file = path.join(dir, 'links.mp4');
      await s3Store.downloadToFile('out/links/video.mp4', file);
      const probed = await probe(file);
      expect(probed.hasAudio).toBe(true);
      // 1.2 s of the first source and all 2 s of the second.
      expect(Math.abs(probed.duration - 3.2)).toBeLessThanOrEqual(0.05);
      expect(result.outputGroupDetails[0]!.OutputDetails[0]!.DurationInMs).toBeCloseTo(
        probed.duration * 1000,
        -2,
      );
    } finally {
      await local.stop();
    }
  });

  it('sends s3rver bodies as UNSIGNED-PAYLOAD and leaves presigned links as the SDK makes them', async () => {
    const local = await startLocalS3({ directory: path.join(dir, 's3-unsigned'), bucket: 'media' });
    try {
      const hashes: string[] = [];
      local.client.middlewareStack.add(
        (next) => (args) => {
          const headers = (args.request as { headers?: Record<string, string> }).headers ?? {};
          hashes.push(headers['x-amz-content-sha256'] ?? '');
          return next(args);
        },
        { step: 'finalizeRequest', priority: 'low', name: 'recordPayloadHash' },
      );
      const s3Store = createS3Store({ client: local.client, bucket: local.bucket });
      await s3Store.putBytes('unsigned/a.txt', 'hello', 'text/plain');
      expect(hashes).toEqual(['UNSIGNED-PAYLOAD']);
      expect(Buffer.from((await s3Store.readBytes('unsigned/a.txt'))!).toString()).toBe('hello');
      const link = new URL(
        await (await createGetPresigner(local.client, local.bucket))('unsigned/a.txt', 60),
      );
      expect(link.searchParams.getAll('X-Amz-Content-Sha256')).toEqual(['UNSIGNED-PAYLOAD']);
      expect(link.searchParams.has('x-amz-content-sha256')).toBe(false);
      expect(await (await fetch(link)).text()).toBe('hello');
    } finally {
      await local.stop();
    }
  });

  it('keeps the signature of a link out of the error it fails with', async () => {
    const link = 'http://127.0.0.1:9/media/missing.mp4?X-Amz-Signature=deadbeef&X-Amz-Credential=S3RVER';
    const error: unknown = await probe(link).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    const { message } = error as Error;
    expect(message).toContain('http://127.0.0.1:9/media/missing.mp4');
    expect(message).not.toContain('deadbeef');
    expect(message).not.toContain('Credential');
  });
});
