/**
 * The local stand-in for an AI video model. NOT AI: it renders a procedural ffmpeg pattern (chosen and
 * parameterised deterministically from the prompt and seed) at the requested duration, size and frame
 * rate, and labels the file as a stand-in in its metadata. It lets the whole pipeline run on a laptop.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { INTERMEDIATE_VIDEO_ARGS, intermediateGop, runFfmpeg } from '../media/ffmpeg.ts';
import type { ObjectStore } from '../storage/port.ts';
import { ModelThrottled } from './bedrock-async.ts';
import { effectiveGenerate } from './capabilities.ts';
import type { GenerationRequest, GenerationStatus, VideoModel } from './port.ts';

export const STAND_IN_LABEL = 'LOCAL STAND-IN - NOT AI';

/**
 * The costly patterns are computed this many times smaller on each axis and scaled up to the requested
 * size: mandelbrot smoothly (it is a smooth image), life with nearest-neighbour scaling (coarse square
 * cells). lavfi sources run on one thread, so at full size they took longer than the transcode's encodes;
 * the render of 6 s of 720p mandelbrot (parts, encode, join) took 1.9 CPU s at half size, 1.1 at a quarter.
 */
export const COARSE_FACTOR = { mandelbrot: 4, life: 4 } as const;

/** mandelbrot's own defaults: it zooms from start_scale to this scale over this many frames. */
const MANDELBROT_END_SCALE = 0.3;
const MANDELBROT_END_FRAMES = 400;

/** One part of the render: a finite lavfi graph giving `frames` frames, yuv420p at the asked size. */
export interface SourceSegment {
  graph: string;
  frames: number;
}

/**
 * The stand-in's picture as `parts` consecutive lavfi graphs (the pattern, its colour turn, and for the
 * costly patterns the scale up to the asked size), which two processes can render at once and a stream
 * copy joins. mandelbrot's zoom is a function of the frame number, so a later part starts the zoom where
 * the earlier one stops; the other patterns evolve frame by frame, so a later part computes the earlier
 * frames and drops them (they are the cheap ones). mandelbrot reuses points of the previous frame, so a
 * part's first frames differ slightly from an unbroken render; the picture is the same kind.
 */
export function proceduralSegments(
  prompt: string,
  seed: number,
  width: number,
  height: number,
  fps: number,
  duration: number,
  parts = 1,
): SourceSegment[] {
  const digest = createHash('sha256').update(`${seed}:${prompt}`).digest();
  const hue = createHash('md5').update(prompt).digest()[0]! % 360;
  const colour = `format=yuv420p,hue=h=${hue}`;
  const coarse = (factor: number) => `s=${Math.ceil(width / factor)}x${Math.ceil(height / factor)}`;
  const up = (flags: string) => `scale=${width}:${height}:flags=${flags}`;
  const total = Math.max(1, Math.round(duration * fps));
  const count = Math.max(1, Math.min(parts, total));
  const bounds = Array.from({ length: count }, (_, i) => ({
    first: Math.round((i * total) / count),
    frames: Math.round(((i + 1) * total) / count) - Math.round((i * total) / count),
  }));
  /** A sequential pattern: the part's frames cut out of an unbroken run. */
  const cut = (source: string, after: string, first: number, frames: number) =>
    `${source},trim=start_frame=${first}:end_frame=${first + frames}${first ? ',setpts=PTS-STARTPTS' : ''},${after}`;
  switch (digest[0]! % 4) {
    case 0: {
      const startScale = 1 + (digest[1]! % 3);
      return bounds.map(({ first, frames }) => {
        const zoom = first
          ? `start_scale=${startScale * (MANDELBROT_END_SCALE / startScale) ** (first / MANDELBROT_END_FRAMES)}:end_scale=${MANDELBROT_END_SCALE}:end_pts=${MANDELBROT_END_FRAMES - first}`
          : `start_scale=${startScale.toFixed(1)}`;
        return {
          frames,
          graph: `mandelbrot=${coarse(COARSE_FACTOR.mandelbrot)}:rate=${fps}:${zoom},trim=end_frame=${frames},${colour},${up('bicubic')}`,
        };
      });
    }
    case 1: {
      const source = `cellauto=s=${width}x${height}:rate=${fps}:rule=${[18, 30, 90, 110][digest[2]! % 4]}:seed=${digest.readUInt16BE(3)}`;
      return bounds.map(({ first, frames }) => ({ frames, graph: cut(source, colour, first, frames) }));
    }
    case 2: {
      const source = `life=${coarse(COARSE_FACTOR.life)}:rate=${fps}:seed=${digest.readUInt16BE(5)}:mold=10:life_color=#${digest.subarray(7, 10).toString('hex')}`;
      return bounds.map(({ first, frames }) => ({
        frames,
        graph: cut(source, `${colour},${up('neighbor')}`, first, frames),
      }));
    }
    default: {
      const source = `testsrc2=s=${width}x${height}:rate=${fps}`;
      return bounds.map(({ first, frames }) => ({ frames, graph: cut(source, colour, first, frames) }));
    }
  }
}

/** How many parts the stand-in renders at once: lavfi sources use one core each. */
export const RENDER_PARTS = Math.max(1, Math.min(2, os.availableParallelism()));

/** How long a finished render's result stays answerable (the safety net looks every 15 s on AWS). */
const KEEP_RESULTS_MS = 10 * 60_000;

/** Why a local render failed goes to this callback (the log); the job only says that it failed. */
export type RenderFailureLog = (jobId: string, error: unknown) => void;

export interface LocalModelOptions {
  /**
   * Renders that may run at once, like a Bedrock account's quota: a start beyond it is refused with
   * ModelThrottled. Unlimited when absent.
   */
  quota?: number;
  /**
   * Renders at the video's own pace (ffmpeg's -re): a generation lasts as long as its clip, as a hosted
   * model's takes time, while costing little CPU. Tests of contention use it.
   */
  realtime?: boolean;
}

export type LocalVideoModel = VideoModel & {
  /** Renders running now (started and not yet finished or stopped). */
  inFlight(): number;
};

export function createLocalVideoModel(
  store: ObjectStore,
  onFailure?: RenderFailureLog,
  options: LocalModelOptions = {},
): LocalVideoModel {
  const renders = new Map<
    string,
    {
      result: Promise<GenerationStatus>;
      controller: AbortController;
      settled: boolean;
      /** When the result (uploaded output or failure) was known. */
      finishedAt?: number;
    }
  >();
  const running = () => [...renders.values()].filter((r) => !r.settled).length;
  /** Results are kept a while: a check repeated after a failed hand-over (a retry) must find them again. */
  const forgetFinished = () => {
    for (const [handle, entry] of renders)
      if (entry.finishedAt !== undefined && Date.now() - entry.finishedAt > KEEP_RESULTS_MS)
        renders.delete(handle);
  };

  async function render(
    request: GenerationRequest,
    signal: AbortSignal,
    onRendered?: () => void,
  ): Promise<GenerationStatus> {
    const p = effectiveGenerate(request.params);
    const [width, height] = p.resolution.split('x').map(Number) as [number, number];
    const dir = await mkdtemp(path.join(os.tmpdir(), 'generate-'));
    try {
      const file = path.join(dir, 'output.mp4');
      const segments = proceduralSegments(
        request.prompt,
        request.params.seed ?? 0,
        width,
        height,
        p.fps,
        p.durationSeconds,
        RENDER_PARTS,
      );
      const parts = segments.map((_, i) => path.join(dir, `part${i}.mp4`));
      // One failed part stops the others; the job's own abort stops them all.
      signal.throwIfAborted();
      const partsController = new AbortController();
      const stopParts = () => partsController.abort();
      signal.addEventListener('abort', stopParts, { once: true });
      try {
        // Every part has exited before the render goes on or its folder is removed.
        const results = await Promise.allSettled(
          segments.map((segment, i) =>
            runFfmpeg(
              [
                ...(options.realtime ? ['-re'] : []),
                ...['-f', 'lavfi', '-i', segment.graph, ...INTERMEDIATE_VIDEO_ARGS],
                ...[...intermediateGop(segment.frames), '-an', parts[i]!],
              ],
              {
                signal: partsController.signal,
              },
            ).catch((error) => {
              partsController.abort();
              throw error;
            }),
          ),
        );
        const failed = results.find((r) => r.status === 'rejected');
        if (failed) throw failed.reason;
      } finally {
        signal.removeEventListener('abort', stopParts);
      }
      signal.throwIfAborted();
      const list = path.join(dir, 'parts.txt');
      await writeFile(list, parts.map((part) => `file '${part}'`).join('\n'));
      await runFfmpeg(
        [
          ...['-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy'],
          ...['-metadata', `comment=${STAND_IN_LABEL}`, '-metadata', `title=${request.prompt.slice(0, 200)}`],
          file,
        ],
        { signal },
      );
      signal.throwIfAborted();
      // Rendered: the model's work is done (a quota counts running renders, not uploads).
      onRendered?.();
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
    inFlight: running,
    async start(request) {
      const handle = `local:${request.jobId}`;
      forgetFinished();
      if (!renders.has(handle)) {
        if (options.quota !== undefined && running() >= options.quota) {
          throw new ModelThrottled(
            `The local model is busy right now (${options.quota} renders at once); try again shortly.`,
          );
        }
        const controller = new AbortController();
        const entry: {
          controller: AbortController;
          settled: boolean;
          finishedAt?: number;
          result: Promise<GenerationStatus>;
        } = {
          controller,
          settled: false,
          result: Promise.resolve<GenerationStatus>({ state: 'running' }),
        };
        const settle = () => {
          entry.settled = true;
        };
        entry.result = render(request, controller.signal, settle).finally(() => {
          settle();
          entry.finishedAt = Date.now();
        });
        renders.set(handle, entry);
      }
      return { handle };
    },
    async check(handle) {
      const pending = renders.get(handle);
      if (!pending)
        return { state: 'failed', message: 'The local generator lost this job (the server restarted).' };
      return Promise.race([pending.result, Promise.resolve<GenerationStatus>({ state: 'running' })]);
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
