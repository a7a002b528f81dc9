/** Media fixtures and measurements for tests: procedural sources made with ffmpeg, loudness per window. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { runFfmpeg } from '#shared/media/ffmpeg.ts';

/** A test pattern of `seconds` at `rate` ("30000/1001" works), with a sine tone when `toneHz` is given. */
export async function makeSource(
  file: string,
  options: { size: string; rate: string; seconds: number; toneHz?: number; codec?: string[] },
) {
  await runFfmpeg([
    '-f',
    'lavfi',
    '-i',
    `testsrc2=s=${options.size}:rate=${options.rate}:duration=${options.seconds}`,
    ...(options.toneHz
      ? [
          '-f',
          'lavfi',
          '-i',
          `sine=frequency=${options.toneHz}:sample_rate=48000:duration=${options.seconds}`,
        ]
      : []),
    ...(options.codec ?? ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p']),
    ...(options.toneHz ? ['-c:a', 'aac', '-shortest'] : ['-an']),
    file,
  ]);
}

/** The RMS level, in dBFS, of each `window`-second slice of a file's sound (-Infinity for silence). */
export async function loudness(file: string, window: number): Promise<number[]> {
  const out = path.join(path.dirname(file), `${path.basename(file)}.rms.txt`);
  await runFfmpeg([
    '-i',
    file,
    '-vn',
    '-af',
    `aresample=48000,asetnsamples=n=${Math.round(48000 * window)}:p=0,astats=metadata=1:reset=1,ametadata=mode=print:key=lavfi.astats.Overall.RMS_level:file=${out}`,
    '-f',
    'null',
    '-',
  ]);
  return (await readFile(out, 'utf8'))
    .split('\n')
    .filter((line) => line.startsWith('lavfi.astats.Overall.RMS_level='))
    .map((line) => {
      const value = line.split('=')[1]!;
      return value.includes('inf') ? Number.NEGATIVE_INFINITY : Number(value);
    });
}
