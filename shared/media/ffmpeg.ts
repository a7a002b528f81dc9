/** ffmpeg and ffprobe from npm packages (local environment only; never in a Lambda bundle). */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import ffprobeInstaller from '@ffprobe-installer/ffprobe';
import { type SpawnedProcess, spawnThroughHelper } from './spawner.ts';

/** A signed link's query is a credential: the log gets the link without it. */
const withoutQueries = (text: string) => text.replace(/(https?:\/\/[^\s?'"]*)\?[^\s'"]*/g, '$1?…');

/** ffmpeg's or ffprobe's own words (stderr, paths): for the log, never for a user. */
export class FfmpegError extends Error {
  override name = 'FfmpegError';
  constructor(message: string) {
    super(withoutQueries(message));
  }
}

/** x264 as every local H.264 output uses it (fast, visually good); the transcode adds rate cap and GOP. */
export const X264_ARGS = ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p'];

/**
 * The encoding of a file only the transcode reads (the local model's render): MPEG-4 Part 2 at a high
 * quality costs about a third of the CPU of H.264 to write, and the transcode re-encodes it anyway.
 * One thread: the render's parts already run one per core, and slices on top of them only cost CPU.
 * Callers add `-g` (see intermediateGop).
 */
export const INTERMEDIATE_VIDEO_ARGS = ['-c:v', 'mpeg4', '-q:v', '3', '-pix_fmt', 'yuv420p', '-threads', '1'];

/**
 * One key frame for the whole intermediate file (MPEG-4's encoder takes at most 600), none at detected
 * scene changes (a P frame codes a changed block as intra at the same quantiser anyway): the transcode reads
 * it start to end and never seeks, and a key frame every 12 frames (the encoder's default) made a busy
 * pattern's file (a cellular automaton) over three times larger, to store, read and decode.
 */
export const intermediateGop = (frames: number) => [
  ...['-g', String(Math.max(1, Math.min(600, frames)))],
  ...['-sc_threshold', '1000000000'],
];

/**
 * The containers an uploaded or stored source may be read as, by ffmpeg's and ffprobe's demuxer names: the
 * file containers MediaConvert reads (and raw video and audio, so that those fail with their own sentence),
 * none of which opens another URL. Without it the demuxer is chosen from the bytes: a "video" that is an HLS
 * playlist (which passes ffprobe's check as the MPEG-TS appended to it) makes ffmpeg fetch every segment URL
 * it lists, from this machine, to any host. MediaConvert reads the source's own container; no playlists.
 */
export const SOURCE_FORMATS = [
  'mov', // MP4, MOV, M4V, 3GP, 3G2, F4V
  'matroska', // MKV, WebM
  'mpegts',
  'mpeg',
  'mxf',
  'avi',
  'asf',
  'flv',
  'gif',
  'h264',
  'hevc',
  'mpegvideo',
  'm4v',
  'wav',
  'mp3',
  'aac',
].join(',');

/** The arguments that open one source for reading, limited to SOURCE_FORMATS. */
export const sourceInput = (file: string) => ['-format_whitelist', SOURCE_FORMATS, '-i', file];

type FfmpegObserver = (args: readonly string[], milliseconds: number) => void;
const observers = new Set<FfmpegObserver>();

/** Sees every ffmpeg run and its wall time (the pipeline-overhead benchmark sums them). */
export function observeFfmpeg(observer: FfmpegObserver): () => void {
  observers.add(observer);
  return () => observers.delete(observer);
}

/** Every ffmpeg and ffprobe process still running, so that stopping the local server can end them. */
const children = new Set<SpawnedProcess>();

function tracked(child: SpawnedProcess): SpawnedProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  // An abort reports an error while the process still runs; only one that never started is gone at once.
  child.once('error', () => {
    if (child.pid === undefined) children.delete(child);
  });
  return child;
}

export const runningFfmpegPids = (): number[] => [...children].flatMap((c) => (c.pid ? [c.pid] : []));

/**
 * Ends every running ffmpeg and ffprobe (SIGTERM, then SIGKILL after `graceMs`) and waits until they have
 * exited; returns how many there were. Their callers see a failed run.
 */
export async function stopFfmpegProcesses(graceMs = 2_000): Promise<number> {
  const live = [...children];
  await Promise.all(
    live.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
          child.once('exit', () => {
            clearTimeout(force);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  return live.length;
}

export function runFfmpeg(
  args: string[],
  options: { signal?: AbortSignal; onProgress?: (seconds: number) => void } = {},
): Promise<void> {
  const started = performance.now();
  return new Promise<void>((resolve, reject) => {
    const child = tracked(
      spawnThroughHelper(
        ffmpegInstaller.path,
        ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-progress', 'pipe:1', ...args],
        options.signal,
      ),
    );
    let stderr = '';
    child.stderr.on('data', (d: string) => {
      stderr = (stderr + d).slice(-4000);
    });
    child.stdout.on('data', (d: string) => {
      const match = /out_time_ms=(\d+)/.exec(d);
      if (match && options.onProgress) options.onProgress(Number(match[1]) / 1_000_000);
    });
    // An abort kills the process but is reported at once: the promise waits until the process has exited,
    // so that nothing it still writes (ffmpeg finishes its file on SIGTERM) lands after the caller cleaned up.
    let failure: Error | undefined;
    child.on('error', (error) => {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) reject(error);
      else failure = error;
    });
    child.on('close', (code) => {
      for (const observer of observers) observer(args, performance.now() - started);
      if (failure) reject(failure);
      else if (code === 0) resolve();
      else
        reject(new FfmpegError(`ffmpeg failed (${code}): ${stderr.trim().split('\n').slice(-3).join(' ')}`));
    });
  });
}

export interface Probe {
  duration: number;
  width: number;
  height: number;
  hasAudio: boolean;
  size: number;
  format: string;
  frameRate: { numerator: number; denominator: number };
  /** In MediaConvert's Probe vocabulary: AVC, HEVC, MPEG2, PRORES, VP9, … */
  videoCodec: string;
}

/** The file has sound but no picture. */
export class NoVideoStreamError extends FfmpegError {
  override name = 'NoVideoStream';
}

const CODEC_NAMES: Record<string, string> = {
  h264: 'AVC',
  hevc: 'HEVC',
  mpeg2video: 'MPEG2',
  rawvideo: 'UNCOMPRESSED',
  prores: 'PRORES',
  mpeg4: 'MP4V',
};

type ProbeJson = {
  streams?: {
    codec_type?: string;
    codec_name?: string;
    width?: number;
    height?: number;
    avg_frame_rate?: string;
    r_frame_rate?: string;
    side_data_list?: { rotation?: number }[];
  }[];
  format?: { duration?: string; format_name?: string; size?: string };
};

/** The signals of a program that crashed, as opposed to one that was stopped (SIGTERM, SIGKILL). */
const CRASH_SIGNALS = new Set(['SIGSEGV', 'SIGBUS', 'SIGILL', 'SIGFPE', 'SIGABRT']);

/** ffprobe died by a crash signal rather than refusing the file. */
class ProbeCrashError extends FfmpegError {
  override name = 'ProbeCrash';
}

/** Runs ffmpeg or ffprobe to its end and answers its output; a failure or crash rejects. */
function runTool(binary: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = tracked(spawnThroughHelper(binary, args));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: string) => {
      stdout += d;
    });
    // The head: ffmpeg names the input's container first, and what follows can be many repeated warnings.
    child.stderr.on('data', (d: string) => {
      if (stderr.length < 16_000) stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
      if (code === 0) resolve({ stdout, stderr });
      else if (signal && CRASH_SIGNALS.has(signal)) reject(new ProbeCrashError(`${signal} in ${binary}`));
      else reject(new FfmpegError(`${path.basename(binary)} failed (${code ?? signal})`));
    });
  });
}

async function ffprobeJson(file: string, formats: string): Promise<ProbeJson> {
  const { stdout } = await runTool(ffprobeInstaller.path, [
    '-v',
    'error',
    '-show_entries',
    'format=duration,format_name,size:stream=codec_type,codec_name,width,height,avg_frame_rate,r_frame_rate:stream_side_data=rotation',
    '-of',
    'json',
    ...['-format_whitelist', formats],
    file,
  ]).catch((error: unknown) => {
    if (error instanceof ProbeCrashError) throw error;
    throw new FfmpegError(`ffprobe failed on ${file}`);
  });
  return JSON.parse(stdout) as ProbeJson;
}

/** The byte size of a file, or of the object behind a signed GET link (one byte's ranged GET). */
async function sizeOf(file: string): Promise<number> {
  if (!/^https?:\/\//.test(file)) return (await stat(file)).size;
  const response = await fetch(file, { headers: { Range: 'bytes=0-0' } });
  await response.body?.cancel();
  const total = /\/(\d+)$/.exec(response.headers.get('content-range') ?? '')?.[1];
  return Number(total ?? response.headers.get('content-length') ?? 0);
}

/**
 * What ffprobe would say of a file it crashes on: the ffprobe build of @ffprobe-installer (5.2) dies with
 * SIGSEGV on every MPEG-TS file, which the ffmpeg of @ffmpeg-installer (4.1) reads. ffmpeg (under the same
 * whitelist) copies the first picture and sound track into a Matroska file, ffprobe reads that, and the
 * container's name and size are the source's own.
 */
async function probeThroughRemux(file: string, formats: string): Promise<ProbeJson> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'probe-remux-'));
  try {
    const copy = path.join(dir, 'copy.mkv');
    const { stderr } = await runTool(ffmpegInstaller.path, [
      ...['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info'],
      ...['-format_whitelist', formats, '-i', file],
      ...['-map', '0:v:0?', '-map', '0:a:0?', '-c', 'copy', '-f', 'matroska', copy],
    ]).catch(() => {
      throw new FfmpegError(`ffprobe crashed and ffmpeg could not read ${file}`);
    });
    const parsed = await ffprobeJson(copy, 'matroska');
    const inputFormat = /^Input #0, ([\w,]+), from /m.exec(stderr)?.[1];
    return {
      ...parsed,
      format: { ...parsed.format, format_name: inputFormat ?? 'unknown', size: String(await sizeOf(file)) },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * ffprobe on a file, or on a URL it can GET (a presigned link to an object), read only as one of `formats`
 * (ffprobe's demuxer names; the source containers unless a caller reads its own output of another kind).
 */
export async function probe(file: string, formats: string = SOURCE_FORMATS): Promise<Probe> {
  const parsed = await ffprobeJson(file, formats).catch((error: unknown) => {
    if (error instanceof ProbeCrashError) return probeThroughRemux(file, formats);
    throw error;
  });
  const videoStream = parsed.streams?.find((s) => s.codec_type === 'video');
  if (!videoStream?.width || !videoStream.height) {
    const audio = parsed.streams?.some((s) => s.codec_type === 'audio');
    throw new (audio ? NoVideoStreamError : FfmpegError)(`no video stream in ${file}`);
  }
  const format = parsed.format?.format_name?.includes('mp4')
    ? 'mp4'
    : (parsed.format?.format_name?.split(',')[0] ?? 'unknown');
  // ffmpeg turns a track with a display matrix upright as it decodes; the size is given upright too, as
  // MediaConvert's Probe gives it for the MP4 and MOV files its Rotate AUTO turns (mediaconvert-prober.ts).
  const rotation = videoStream.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? 0;
  const sideways = format === 'mp4' && Math.abs(rotation) % 180 === 90;
  const rate = (text: string | undefined) => {
    const [numerator, denominator] = (text ?? '').split('/').map(Number);
    return numerator && denominator ? { numerator, denominator } : undefined;
  };
  return {
    frameRate: rate(videoStream.avg_frame_rate) ??
      rate(videoStream.r_frame_rate) ?? { numerator: 25, denominator: 1 },
    videoCodec:
      CODEC_NAMES[videoStream.codec_name ?? ''] ?? (videoStream.codec_name ?? 'unknown').toUpperCase(),
    duration: Number(parsed.format?.duration ?? 0),
    width: sideways ? videoStream.height : videoStream.width,
    height: sideways ? videoStream.width : videoStream.height,
    hasAudio: parsed.streams?.some((s) => s.codec_type === 'audio') ?? false,
    size: parsed.format?.size ? Number(parsed.format.size) : (await stat(file)).size,
    format,
  };
}
