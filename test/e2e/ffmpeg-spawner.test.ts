/**
 * ffmpeg and ffprobe are started by a small helper process, not forked from the server: what a caller
 * sees is still the process's exit code, its output and its end (aborts: ffmpeg-abort.test.ts).
 */
import { expect, it } from 'vitest';
import { FfmpegError, probe, runFfmpeg, runningFfmpegPids } from '#shared/media/ffmpeg.ts';

it('reports a failed run with ffmpeg’s words and a missing file with ffprobe’s', async () => {
  await expect(runFfmpeg(['-f', 'lavfi', '-i', 'nosuchsource', '-f', 'null', '-'])).rejects.toMatchObject({
    name: 'FfmpegError',
    message: expect.stringMatching(/^ffmpeg failed \(1\): .*nosuchsource/),
  });
  await expect(probe('/nonexistent/file.mp4')).rejects.toBeInstanceOf(FfmpegError);
  expect(runningFfmpegPids()).toEqual([]);
});

it('passes progress through, and ends without a process left', async () => {
  const seen: number[] = [];
  await runFfmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25:duration=2', '-f', 'null', '-'], {
    onProgress: (s) => seen.push(s),
  });
  expect(seen.at(-1)).toBeCloseTo(2, 1);
  expect(runningFfmpegPids()).toEqual([]);
});
