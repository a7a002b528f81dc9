/**
 * Aborting ffmpeg: the promise settles only once the process has exited, so a caller that then removes the
 * work folder never races a process still writing into it (seen as ENOTEMPTY from the stand-in model).
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { runFfmpeg, runningFfmpegPids } from '#shared/media/ffmpeg.ts';

it('rejects an aborted run only after its process has exited', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ffmpeg-abort-'));
  try {
    const out = path.join(dir, 'long.mp4');
    const controller = new AbortController();
    const run = runFfmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25:duration=600', out], {
      signal: controller.signal,
    });
    // Abort once it is writing, and known to run: under load its file can appear before the spawner
    // helper's report of its pid has arrived.
    while (!(await stat(out).catch(() => undefined)) || runningFfmpegPids().length === 0)
      await new Promise((r) => setTimeout(r, 10));
    const [pid] = runningFfmpegPids();
    expect(pid).toBeTypeOf('number');
    controller.abort();
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    // Gone, not merely signalled: signal 0 finds no such process.
    expect(() => process.kill(pid!, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    expect(runningFfmpegPids()).toEqual([]);
    await rm(dir, { recursive: true });
    await expect(readdir(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
