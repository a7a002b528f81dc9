/** The stand-in model's procedural source: costly patterns computed coarse, every pattern at the asked size. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COARSE_FACTOR, proceduralSegments } from '#shared/generation/local.ts';

/** The whole picture as one lavfi graph: the render in a single part. */
const proceduralSource = (...args: [string, number, number, number, number, number]) =>
  proceduralSegments(...args, 1)[0]!.graph;

import { probe, runFfmpeg } from '#shared/media/ffmpeg.ts';

const PROMPT = 'a lighthouse at dusk';
const PATTERNS = ['mandelbrot', 'cellauto', 'life', 'testsrc2'] as const;

/** A seed whose graph starts with each pattern (the choice is a hash of seed and prompt). */
function seedsByPattern(): Record<(typeof PATTERNS)[number], number> {
  const found: Partial<Record<(typeof PATTERNS)[number], number>> = {};
  for (let seed = 0; Object.keys(found).length < PATTERNS.length; seed += 1) {
    const name = PATTERNS.find((p) => proceduralSource(PROMPT, seed, 1280, 720, 24, 1).startsWith(`${p}=`));
    if (name && found[name] === undefined) found[name] = seed;
  }
  return found as Record<(typeof PATTERNS)[number], number>;
}

describe('proceduralSource', () => {
  const seeds = seedsByPattern();

  it('computes mandelbrot and life smaller and scales them up; the cheap patterns render at full size', () => {
    const graph = (p: (typeof PATTERNS)[number]) => proceduralSource(PROMPT, seeds[p], 1280, 720, 24, 6);
    expect(graph('mandelbrot')).toMatch(
      new RegExp(`^mandelbrot=s=${1280 / COARSE_FACTOR.mandelbrot}x${720 / COARSE_FACTOR.mandelbrot}:`),
    );
    expect(graph('mandelbrot')).toMatch(/,trim=end_frame=144,.*,scale=1280:720:flags=bicubic$/);
    expect(graph('life')).toMatch(
      new RegExp(`^life=s=${1280 / COARSE_FACTOR.life}x${720 / COARSE_FACTOR.life}:`),
    );
    expect(graph('life')).toMatch(/,scale=1280:720:flags=neighbor$/);
    expect(graph('cellauto')).toMatch(/^cellauto=s=1280x720:.*,trim=start_frame=0:end_frame=144,/);
    expect(graph('testsrc2')).toMatch(/^testsrc2=s=1280x720:/);
    for (const p of PATTERNS) expect(graph(p)).toMatch(/,format=yuv420p,hue=h=\d+/);
  });

  it('cuts the picture into parts that cover every frame once, mandelbrot continuing its zoom', () => {
    for (const p of PATTERNS) {
      const parts = proceduralSegments(PROMPT, seeds[p], 1280, 720, 24, 6, 2);
      expect(parts.map((part) => part.frames)).toEqual([72, 72]);
    }
    const odd = proceduralSegments(PROMPT, seeds.life, 1280, 720, 30, 0.5, 2);
    expect(odd.map((part) => part.frames)).toEqual([8, 7]);
    expect(odd[1]!.graph).toMatch(/trim=start_frame=8:end_frame=15,setpts=PTS-STARTPTS,/);
    // One frame cannot be split.
    expect(proceduralSegments(PROMPT, seeds.life, 1280, 720, 24, 1 / 24, 2)).toHaveLength(1);
    const [first, second] = proceduralSegments(PROMPT, seeds.mandelbrot, 1280, 720, 24, 6, 2);
    const startScale = Number(first!.graph.match(/start_scale=([\d.]+)/)![1]);
    // The default zoom goes from start_scale to 0.3 in 400 frames; the second part starts at frame 72.
    const expected = startScale * (0.3 / startScale) ** (72 / 400);
    expect(Number(second!.graph.match(/start_scale=([\d.e-]+)/)![1])).toBeCloseTo(expected, 12);
    expect(second!.graph).toMatch(/end_scale=0.3:end_pts=328,trim=end_frame=72,/);
  });

  it('turns the colour by the prompt alone, so every seed of one prompt shares it', () => {
    const hues = new Set(
      [0, 1, 2, 3, 4, 5].map(
        (seed) => proceduralSource(PROMPT, seed, 640, 360, 24, 2).match(/hue=h=(\d+)/)?.[1],
      ),
    );
    expect(hues.size).toBe(1);
    expect(proceduralSource('another prompt', 0, 640, 360, 24, 2).match(/hue=h=(\d+)/)?.[1]).toBeDefined();
  });

  describe('rendered by ffmpeg', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'local-source-'));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    // Sizes that the coarse factors do not divide: the scale must still land exactly on the asked size.
    for (const [width, height] of [
      [1280, 720],
      [720, 1280],
      [1022, 574],
    ] as const) {
      it(`gives ${width}x${height} yuv420p frames for every pattern`, async () => {
        for (const p of PATTERNS) {
          const file = path.join(dir, `${p}-${width}x${height}.mp4`);
          const graph = proceduralSource(PROMPT, seeds[p], width, height, 24, 1);
          await runFfmpeg(['-f', 'lavfi', '-i', graph, '-frames:v', '2', '-c:v', 'mpeg4', '-an', file]);
          const probed = await probe(file);
          expect([p, probed.width, probed.height]).toEqual([p, width, height]);
          const later = proceduralSegments(PROMPT, seeds[p], width, height, 24, 1, 2)[1]!;
          await runFfmpeg(['-f', 'lavfi', '-i', later.graph, '-c:v', 'mpeg4', '-an', file]);
          const part = await probe(file);
          expect([p, part.width, part.height, Math.round(part.duration * 24)]).toEqual([
            p,
            width,
            height,
            12,
          ]);
        }
      });
    }
  });
});
