/**
 * The local stand-in model answers a check for a finished render as often as it is asked: a check repeated
 * after a failed hand-over (the state's retry, a safety-net look racing the output event) must not find the
 * render forgotten and fail a job whose video exists. Its render is an intermediate only the transcode
 * reads, start to end: one key frame per part it rendered at once.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import ffprobeInstaller from '@ffprobe-installer/ffprobe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalVideoModel, RENDER_PARTS } from '#shared/generation/local.ts';
import type { ObjectStore } from '#shared/storage/port.ts';
import { dirStore } from '#test/support/dir-store.ts';

let dir: string;
let store: ObjectStore;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'local-model-'));
  store = dirStore(path.join(dir, 'bucket'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Starts a 2 s 640x360 render and checks until it has finished; answers its model, handle and status. */
async function rendered(jobId: string, prompt: string) {
  const model = createLocalVideoModel(store);
  const { handle } = await model.start({
    jobId,
    prompt,
    params: { model: 'local', durationSeconds: 2, resolution: '640x360' },
    outputPrefix: `work/u/${jobId}/generation/`,
  });
  let status = await model.check(handle);
  while (status.state === 'running') {
    await new Promise((r) => setTimeout(r, 50));
    status = await model.check(handle);
  }
  return { model, handle, status };
}

describe('local model checks', () => {
  it('answers done, with the same output, to every check after the render finished', async () => {
    const { model, handle, status } = await rendered('job-1', 'a checked render');
    expect(status).toEqual({ state: 'done', videoKey: 'work/u/job-1/generation/output.mp4' });
    expect(await model.check(handle)).toEqual(status);
    expect(await model.check(handle)).toEqual(status);
    expect(await store.head('work/u/job-1/generation/output.mp4')).not.toBeNull();
    expect(model.inFlight()).toBe(0);
  });

  it('still says a render it never started (a restarted server) is lost', async () => {
    const model = createLocalVideoModel(store);
    expect(await model.check('local:never-started')).toMatchObject({ state: 'failed' });
  });

  it('writes one key frame for each part of the render, and every frame of the clip', async () => {
    const { status } = await rendered('job-gop', 'a render read once');
    expect(status.state).toBe('done');
    const file = path.join(dir, 'render.mp4');
    await store.downloadToFile('work/u/job-gop/generation/output.mp4', file);
    const { stdout } = await promisify(execFile)(ffprobeInstaller.path, [
      ...['-v', 'error', '-select_streams', 'v', '-show_entries', 'packet=flags', '-of', 'csv=p=0', file],
    ]);
    const packets = stdout.trim().split('\n');
    expect(packets).toHaveLength(48);
    expect(packets.filter((flags) => flags.includes('K'))).toHaveLength(RENDER_PARTS);
  });
});
