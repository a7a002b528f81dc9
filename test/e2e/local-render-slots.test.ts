/**
 * The local stand-in model renders at most `concurrentRenders` videos at once; the others wait their turn,
 * and one stopped while it waits never starts ffmpeg. Real ffmpeg renders into a folder-backed store.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalVideoModel } from '#shared/generation/local.ts';
import type { GenerationRequest, GenerationStatus, VideoModel } from '#shared/generation/port.ts';
import { observeFfmpeg, runningFfmpegPids } from '#shared/media/ffmpeg.ts';
import { dirStore } from '#test/support/dir-store.ts';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'render-slots-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function settled(model: VideoModel, handle: string): Promise<GenerationStatus> {
  for (;;) {
    const status = await model.check(handle);
    if (status.state !== 'running') return status;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const request = (jobId: string): GenerationRequest => ({
  jobId,
  prompt: `render ${jobId}`,
  params: { model: 'local', durationSeconds: 1, resolution: '640x360' },
  outputPrefix: `work/u/${jobId}/generation/`,
});

describe('local renders', () => {
  it('run one at a time with one slot, and a render stopped while it waits never runs', async () => {
    const model = createLocalVideoModel(dirStore(root), undefined, { concurrentRenders: 1 });
    const runs: string[] = [];
    const unobserve = observeFfmpeg((args) => runs.push(String(args.at(-1))));
    let most = 0;
    const sampler = setInterval(() => {
      most = Math.max(most, runningFfmpegPids().length);
    }, 5);
    try {
      const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((id) => model.start(request(id))));
      // c waits behind a and b; stopping it leaves the queue without a render.
      await model.stop!('c');
      const [first, second, third] = await Promise.all([
        settled(model, a!.handle),
        settled(model, b!.handle),
        settled(model, c!.handle),
      ]);
      expect(first).toMatchObject({ state: 'done', videoKey: 'work/u/a/generation/output.mp4' });
      expect(second).toMatchObject({ state: 'done', videoKey: 'work/u/b/generation/output.mp4' });
      // stop() forgets the job, as it does for a render it killed.
      expect(third).toMatchObject({ state: 'failed' });
      expect(runs).toHaveLength(2);
      expect(most).toBe(1);
    } finally {
      clearInterval(sampler);
      unobserve();
    }
  }, 60_000);

  it('run side by side up to the limit', async () => {
    const model = createLocalVideoModel(dirStore(root), undefined, { concurrentRenders: 2 });
    let most = 0;
    const sampler = setInterval(() => {
      most = Math.max(most, runningFfmpegPids().length);
    }, 5);
    try {
      const handles = await Promise.all(['d', 'e', 'f'].map((id) => model.start(request(id))));
      const states = await Promise.all(handles.map((h) => settled(model, h.handle)));
      expect(states.map((s) => s.state)).toEqual(['done', 'done', 'done']);
      expect(most).toBe(2);
    } finally {
      clearInterval(sampler);
    }
  }, 60_000);
});
