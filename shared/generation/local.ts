/**
 * The local stand-in for an AI video model. NOT AI: it renders a procedural ffmpeg pattern (chosen and
 * parameterised deterministically from the prompt and seed) at the requested duration, size and frame
 * rate, and labels the file as a stand-in in its metadata. It lets the whole pipeline run on a laptop.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { INTERMEDIATE_VIDEO_ARGS, runFfmpeg } from '../media/ffmpeg.ts';
import type { ObjectStore } from '../storage/port.ts';
import { effectiveGenerate } from './capabilities.ts';
import type { GenerationRequest, GenerationStatus, VideoModel } from './port.ts';

export const STAND_IN_LABEL = 'LOCAL STAND-IN - NOT AI';

/**
 * The costly patterns are computed this many times smaller on each axis and scaled up to the requested
 * size: mandelbrot smoothly (it is a smooth image), life with nearest-neighbour scaling (coarse square
 * cells). lavfi sources run on one thread, so at full size they took longer than the transcode's encodes.
 */
export const COARSE_FACTOR = { mandelbrot: 2, life: 4 } as const;

/**
 * The lavfi filter graph the stand-in renders: the pattern, its colour turn, and (for the costly patterns)
 * the scale up to the requested size. Output frames are yuv420p at width x height.
 */
export function proceduralSource(
  prompt: string,
  seed: number,
  width: number,
  height: number,
  fps: number,
  duration: number,
): string {
  const digest = createHash('sha256').update(`${seed}:${prompt}`).digest();
  const hue = createHash('md5').update(prompt).digest()[0]! % 360;
  const colour = `format=yuv420p,hue=h=${hue}`;
  const coarse = (factor: number) => `s=${Math.ceil(width / factor)}x${Math.ceil(height / factor)}`;
  const up = (flags: string) => `scale=${width}:${height}:flags=${flags}`;
  switch (digest[0]! % 4) {
    case 0:
      return `mandelbrot=${coarse(COARSE_FACTOR.mandelbrot)}:rate=${fps}:start_scale=${(1 + (digest[1]! % 3)).toFixed(1)},${colour},${up('bicubic')}`;
    case 1:
      return `cellauto=s=${width}x${height}:rate=${fps}:rule=${[18, 30, 90, 110][digest[2]! % 4]}:seed=${digest.readUInt16BE(3)},${colour}`;
    case 2:
      return `life=${coarse(COARSE_FACTOR.life)}:rate=${fps}:seed=${digest.readUInt16BE(5)}:mold=10:life_color=#${digest.subarray(7, 10).toString('hex')},${colour},${up('neighbor')}`;
    default:
      return `testsrc2=s=${width}x${height}:rate=${fps}:duration=${duration},${colour}`;
  }
}

/** Why a local render failed goes to this callback (the log); the job only says that it failed. */
export type RenderFailureLog = (jobId: string, error: unknown) => void;

export function createLocalVideoModel(store: ObjectStore, onFailure?: RenderFailureLog): VideoModel {
  const renders = new Map<string, { result: Promise<GenerationStatus>; controller: AbortController }>();

  async function render(request: GenerationRequest, signal: AbortSignal): Promise<GenerationStatus> {
    const p = effectiveGenerate(request.params);
    const [width, height] = p.resolution.split('x').map(Number) as [number, number];
    const dir = await mkdtemp(path.join(os.tmpdir(), 'generate-'));
    try {
      const file = path.join(dir, 'output.mp4');
      const source = proceduralSource(
        request.prompt,
        request.params.seed ?? 0,
        width,
        height,
        p.fps,
        p.durationSeconds,
      );
      await runFfmpeg(
        [
          '-f',
          'lavfi',
          '-i',
          source,
          '-t',
          String(p.durationSeconds),
          ...INTERMEDIATE_VIDEO_ARGS,
          '-an',
          '-metadata',
          `comment=${STAND_IN_LABEL}`,
          '-metadata',
          `title=${request.prompt.slice(0, 200)}`,
          file,
        ],
        { signal },
      );
      signal.throwIfAborted();
      const videoKey = `${request.outputPrefix}output.mp4`;
      await store.putFile(videoKey, file, 'video/mp4');
      return { state: 'done', videoKey };
    } catch (error) {
      if (!signal.aborted) onFailure?.(request.jobId, error);
      // ffmpeg's own words (paths, stderr) stay in the log.
      return { state: 'failed', message: 'The local generator could not render this video.' };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  return {
    id: 'local',
    async start(request) {
      const handle = `local:${request.jobId}`;
      if (!renders.has(handle)) {
        const controller = new AbortController();
        renders.set(handle, { controller, result: render(request, controller.signal) });
      }
      return { handle };
    },
    async check(handle) {
      const pending = renders.get(handle);
      if (!pending)
        return { state: 'failed', message: 'The local generator lost this job (the server restarted).' };
      const settled = await Promise.race([
        pending.result,
        Promise.resolve<GenerationStatus>({ state: 'running' }),
      ]);
      if (settled.state !== 'running') renders.delete(handle);
      return settled;
    },
    /** Kills the job's ffmpeg and waits until the render has settled, so nothing is uploaded after. */
    async stop(jobId) {
      const handle = `local:${jobId}`;
      const pending = renders.get(handle);
      if (!pending) return;
      pending.controller.abort();
      await pending.result;
      renders.delete(handle);
    },
  };
}
