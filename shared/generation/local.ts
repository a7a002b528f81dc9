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
import { ModelThrottled } from './bedrock-async.ts';
import { effectiveGenerate } from './capabilities.ts';
import type { GenerationRequest, GenerationStatus, VideoModel } from './port.ts';

export const STAND_IN_LABEL = 'LOCAL STAND-IN - NOT AI';

export function proceduralSource(
  prompt: string,
  seed: number,
  width: number,
  height: number,
  fps: number,
  duration: number,
): string {
  const digest = createHash('sha256').update(`${seed}:${prompt}`).digest();
  const pick = digest[0]! % 4;
  const size = `s=${width}x${height}`;
  switch (pick) {
    case 0:
      return `mandelbrot=${size}:rate=${fps}:start_scale=${(1 + (digest[1]! % 3)).toFixed(1)}`;
    case 1:
      return `cellauto=${size}:rate=${fps}:rule=${[18, 30, 90, 110][digest[2]! % 4]}:seed=${digest.readUInt16BE(3)}`;
    case 2:
      return `life=${size}:rate=${fps}:seed=${digest.readUInt16BE(5)}:mold=10:life_color=#${digest.subarray(7, 10).toString('hex')}`;
    default:
      return `testsrc2=${size}:rate=${fps}:duration=${duration}`;
  }
}

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
    { result: Promise<GenerationStatus>; controller: AbortController; settled: boolean }
  >();
  const running = () => [...renders.values()].filter((r) => !r.settled).length;

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
          ...(options.realtime ? ['-re'] : []),
          '-f',
          'lavfi',
          '-i',
          source,
          '-t',
          String(p.durationSeconds),
          '-vf',
          `format=yuv420p,hue=h=${createHash('md5').update(request.prompt).digest()[0]! % 360}`,
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
      if (!renders.has(handle)) {
        if (options.quota !== undefined && running() >= options.quota) {
          throw new ModelThrottled(
            `The local model is busy right now (${options.quota} renders at once); try again shortly.`,
          );
        }
        const controller = new AbortController();
        const entry = {
          controller,
          settled: false,
          result: Promise.resolve<GenerationStatus>({ state: 'running' }),
        };
        const settle = () => {
          entry.settled = true;
        };
        entry.result = render(request, controller.signal, settle).finally(settle);
        renders.set(handle, entry);
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
