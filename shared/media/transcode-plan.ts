/**
 * Turns MediaConvert CreateJob Settings into one ffmpeg command that decodes every input once and writes
 * every output: the MP4, each HLS rendition, and each frame-capture group. An HLS rendition encoded exactly
 * like the MP4 (same size, bitrate cap and GOP) is not encoded twice: the tee muxer writes the MP4's packets
 * into its segments too. Pure: the executor runs the command and stores what it wrote.
 */
import path from 'node:path';
import { sourceInput, X264_ARGS } from './ffmpeg.ts';
import { type FrameRate, type TranscodeSettings, timecodeFrame } from './settings.ts';

/** A downloaded input and what ffprobe said about it. */
export interface PlannedInput {
  file: string;
  duration: number;
  hasAudio: boolean;
  frameRate: FrameRate;
}

/** A folder the command writes into, and the bucket folder its files belong in. */
export interface PlannedFolder {
  dir: string;
  keyDir: string;
  contentType: (file: string) => string;
}

export interface TranscodePlan {
  args: string[];
  /** Seconds of output video, for progress. */
  seconds: number;
  folders: PlannedFolder[];
  main: { file: string; key: string };
  /** The HLS master playlist to write once the renditions exist. */
  master?: { file: string; body: string };
}

type Output = TranscodeSettings['OutputGroups'][number]['Outputs'][number];
interface H264 {
  MaxBitrate?: number;
  GopSize?: number;
  GopSizeUnits?: string;
  FramerateControl?: string;
  FramerateNumerator?: number;
  FramerateConversionAlgorithm?: string;
}
interface VideoOf {
  Width: number;
  Height: number;
  CodecSettings: {
    Codec: string;
    H264Settings?: H264;
    FrameCaptureSettings?: { FramerateNumerator: number; FramerateDenominator: number; MaxCaptures: number };
  };
}
interface InputOf {
  InputClippings?: { StartTimecode?: string; EndTimecode?: string }[];
  DenoiseFilter?: string;
}

const keyOf = (uri: string) => uri.replace(/^s3:\/\/[^/]+\//, '');
const videoOf = (output: Output) => output.VideoDescription as unknown as VideoOf;
const audioOf = (output: Output) =>
  (output as { AudioDescriptions?: { CodecSettings: { AacSettings: { Bitrate: number } } }[] })
    .AudioDescriptions?.[0];

/** The H.264 encoder for one output, as its settings ask (QVBR's cap as x264's VBV; GOP length). */
function h264(video: VideoOf): string[] {
  const codec = video.CodecSettings.H264Settings ?? {};
  // AUTO (HLS) leaves the GOP to the encoder; 2 s keeps it aligned with the MP4's, so renditions switch cleanly.
  const gop = codec.GopSizeUnits === 'SECONDS' ? (codec.GopSize ?? 2) : 2;
  return [
    ...X264_ARGS,
    ...(codec.MaxBitrate
      ? ['-maxrate', String(codec.MaxBitrate), '-bufsize', String(codec.MaxBitrate * 2)]
      : []),
    '-force_key_frames',
    `expr:gte(t,n_forced*${gop})`,
  ];
}

const aac = (output: Output) => {
  const audio = audioOf(output);
  return audio
    ? ['-c:a', 'aac', '-b:a', String(audio.CodecSettings.AacSettings.Bitrate), '-ar', '48000']
    : ['-an'];
};

const hlsOptions = (segments: string) => ({
  hls_time: '6',
  hls_playlist_type: 'vod',
  hls_segment_filename: segments,
});

/** Same encode: the rendition can take the MP4's packets. */
function sameEncoding(a: Output, b: Output) {
  const [va, vb] = [videoOf(a), videoOf(b)];
  return (
    va.Width === vb.Width &&
    va.Height === vb.Height &&
    JSON.stringify(h264(va)) === JSON.stringify(h264(vb)) &&
    JSON.stringify(audioOf(a)) === JSON.stringify(audioOf(b))
  );
}

/** The frames an input keeps: its clipping in frame numbers (end exclusive), or all of it. */
function keptFrames(input: InputOf, probed: PlannedInput) {
  const clip = input.InputClippings?.[0];
  const total = Math.round(probed.duration * (probed.frameRate.numerator / probed.frameRate.denominator));
  const start = clip?.StartTimecode ? timecodeFrame(clip.StartTimecode, probed.frameRate) : 0;
  const end = clip?.EndTimecode ? timecodeFrame(clip.EndTimecode, probed.frameRate) + 1 : total;
  return {
    start: Math.min(start, total),
    end: Math.min(Math.max(end, start), total),
    clipped: Boolean(clip),
  };
}

/**
 * Whether the command depends on what ffprobe says of the inputs: frame-exact trims, a stitch (rates,
 * lengths) and sound do. One whole input with no sound asked does not; its probe only gives the progress
 * its length, so ffmpeg need not wait for it.
 */
export function probesShapeCommand(settings: TranscodeSettings): boolean {
  return (
    settings.Inputs.length > 1 ||
    settings.Inputs.some((input) => (input as InputOf).InputClippings?.length) ||
    settings.OutputGroups.some((group) => group.Outputs.some((output) => audioOf(output) !== undefined))
  );
}

/** An input planned before its probe, for Settings whose command does not depend on it (seconds is 0). */
export const unprobed = (file: string): PlannedInput => ({
  file,
  duration: 0,
  hasAudio: false,
  frameRate: { numerator: 1, denominator: 1 },
});

/** Past this many sources (an EDIT's stitch), each source is decoded on one thread. */
export const MANY_SOURCES = 4;

/**
 * ffmpeg opens every source of the command at once, each with its own decoder, and a decoder's frame
 * threads (one per core by default) each hold frames: an EDIT of 150 short trims took 2.7 GB on 2 cores and
 * 4.9 GB with 8 threads per source (1.8 GB with one). The stitch reads its sources one after another, so
 * their decoders gain nothing from threads; a job's memory then grows with its sources, not also with the
 * machine's cores.
 */
const decoderThreads = (sources: number) => (sources > MANY_SOURCES ? ['-threads', '1'] : []);

export function planTranscode(
  settings: TranscodeSettings,
  inputs: PlannedInput[],
  workDir: string,
): TranscodePlan {
  const fileGroup = settings.OutputGroups.find((g) => g.OutputGroupSettings.Type === 'FILE_GROUP_SETTINGS')!;
  const main = fileGroup.Outputs[0]!;
  const mainVideo = videoOf(main);
  const { Width: width, Height: height } = mainVideo;
  const codec = mainVideo.CodecSettings.H264Settings ?? {};
  const withAudio = audioOf(main) !== undefined;
  const first = inputs[0]!.frameRate;

  // Per input: frame-exact trim, fit inside the frame with bars (ScalingBehavior DEFAULT), denoise, rate.
  const graph: string[] = [];
  let seconds = 0;
  for (const [i, probed] of inputs.entries()) {
    const input = settings.Inputs[i] as InputOf;
    const fps = probed.frameRate.numerator / probed.frameRate.denominator;
    const kept = keptFrames(input, probed);
    const length = (kept.end - kept.start) / fps;
    seconds += length;
    const video: string[] = [
      ...(kept.clipped
        ? [`trim=start_frame=${kept.start}:end_frame=${kept.end}`, 'setpts=PTS-STARTPTS']
        : []),
      ...(input.DenoiseFilter === 'ENABLED' ? ['hqdn3d'] : []),
      `scale=${width}:${height}:force_original_aspect_ratio=decrease`,
      `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2`,
      'setsar=1',
    ];
    graph.push(`[${i}:v]${video.join(',')}[v${i}]`);
    if (!withAudio) continue;
    // Sound where the input has it, silence where it has none, each exactly as long as the input's video.
    const sound = probed.hasAudio
      ? `[${i}:a]${kept.clipped ? `atrim=start=${kept.start / fps}:end=${kept.end / fps},asetpts=PTS-STARTPTS,` : ''}aresample=48000,apad`
      : 'anullsrc=r=48000:cl=stereo';
    graph.push(
      `${sound},aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo,atrim=end=${length.toFixed(6)}[a${i}]`,
    );
  }
  // The rate is converted after the stitch: fps after a trim would pad up to the untrimmed end.
  let rate = '';
  if (codec.FramerateControl === 'SPECIFIED') {
    // DUPLICATE_DROP repeats or drops frames, INTERPOLATE blends neighbours, FRAMEFORMER compensates motion.
    const algorithm = codec.FramerateConversionAlgorithm;
    rate =
      algorithm === 'DUPLICATE_DROP'
        ? `fps=${codec.FramerateNumerator}`
        : `minterpolate=fps=${codec.FramerateNumerator}:mi_mode=${algorithm === 'FRAMEFORMER' ? 'mci' : 'blend'}`;
  } else if (
    inputs.some(
      (i) => i.frameRate.numerator * first.denominator !== first.numerator * i.frameRate.denominator,
    )
  ) {
    // Stitched inputs follow the first one's rate, as INITIALIZE_FROM_SOURCE does.
    rate = `fps=${first.numerator}/${first.denominator}`;
  }
  graph.push(
    `${inputs.map((_, i) => `[v${i}]${withAudio ? `[a${i}]` : ''}`).join('')}concat=n=${inputs.length}:v=1:a=${withAudio ? 1 : 0}${rate ? '[vcat]' : '[vall]'}${withAudio ? '[aall]' : ''}`,
  );
  if (rate) graph.push(`[vcat]${rate}[vall]`);

  const outputs: string[][] = [];
  const folders: PlannedFolder[] = [];
  const videoTaps: string[] = [];
  const audioTaps: string[] = [];
  const tap = (filters: string) => {
    const name = `o${videoTaps.length}`;
    videoTaps.push(filters ? `[${name}pre]` : `[${name}]`);
    if (filters) graph.push(`[${name}pre]${filters}[${name}]`);
    return `[${name}]`;
  };
  const audioTap = () => {
    const name = `[ao${audioTaps.length}]`;
    audioTaps.push(name);
    return name;
  };

  const mainKey = `${keyOf(fileGroup.OutputGroupSettings.FileGroupSettings!.Destination)}.mp4`;
  const mainDir = path.join(workDir, 'file');
  const mainFile = path.join(mainDir, path.posix.basename(mainKey));
  folders.push({ dir: mainDir, keyDir: path.posix.dirname(mainKey), contentType: () => 'video/mp4' });
  const mainMaps = ['-map', tap(''), ...(withAudio ? ['-map', audioTap()] : [])];

  const hls = settings.OutputGroups.find((g) => g.OutputGroupSettings.Type === 'HLS_GROUP_SETTINGS');
  let master: TranscodePlan['master'];
  let teeRendition: string | undefined;
  if (hls) {
    const base = keyOf(hls.OutputGroupSettings.HlsGroupSettings!.Destination);
    const dir = path.join(workDir, 'hls');
    folders.push({
      dir,
      keyDir: path.posix.dirname(base),
      contentType: (file) => (file.endsWith('.m3u8') ? 'application/vnd.apple.mpegurl' : 'video/mp2t'),
    });
    const variants: string[] = [];
    for (const rendition of hls.Outputs) {
      const video = videoOf(rendition);
      const name = `${path.posix.basename(base)}${(rendition as { NameModifier?: string }).NameModifier ?? ''}`;
      const playlist = path.join(dir, `${name}.m3u8`);
      const options = hlsOptions(path.join(dir, `${name}_%05d.ts`));
      variants.push(
        `#EXT-X-STREAM-INF:BANDWIDTH=${video.CodecSettings.H264Settings?.MaxBitrate},RESOLUTION=${video.Width}x${video.Height}\n${name}.m3u8`,
      );
      if (!teeRendition && sameEncoding(main, rendition)) {
        teeRendition = `[f=hls:${Object.entries(options)
          .map(([k, v]) => `${k}=${v}`)
          .join(':')}]${playlist}`;
        continue;
      }
      outputs.push([
        '-map',
        tap(`scale=${video.Width}:${video.Height}`),
        ...(audioOf(rendition) ? ['-map', audioTap()] : []),
        ...h264(video),
        ...aac(rendition),
        '-f',
        'hls',
        ...Object.entries(options).flatMap(([k, v]) => [`-${k}`, v]),
        playlist,
      ]);
    }
    master = {
      file: path.join(dir, `${path.posix.basename(base)}.m3u8`),
      body: `#EXTM3U\n#EXT-X-VERSION:3\n${variants.join('\n')}\n`,
    };
  }
  outputs.unshift([
    ...mainMaps,
    ...h264(mainVideo),
    ...aac(main),
    ...(teeRendition
      ? ['-f', 'tee', `[f=mp4:movflags=+faststart]${mainFile}|${teeRendition}`]
      : ['-movflags', '+faststart', mainFile]),
  ]);

  for (const [index, group] of settings.OutputGroups.entries()) {
    const video = videoOf(group.Outputs[0]!);
    const capture = video.CodecSettings.FrameCaptureSettings;
    if (video.CodecSettings.Codec !== 'FRAME_CAPTURE' || !capture) continue;
    const base = keyOf(group.OutputGroupSettings.FileGroupSettings!.Destination);
    const dir = path.join(workDir, `frames${index}`);
    folders.push({ dir, keyDir: path.posix.dirname(base), contentType: () => 'image/jpeg' });
    const every = capture.FramerateDenominator / capture.FramerateNumerator;
    outputs.push([
      '-map',
      // The first frame, then one per interval, as FRAME_CAPTURE does; one output frame per capture.
      tap(
        `select='isnan(prev_selected_t)+gte(t-prev_selected_t\\,${every})',scale=${video.Width}:${video.Height},setpts=N/TB`,
      ),
      '-r',
      '1',
      '-frames:v',
      String(capture.MaxCaptures),
      '-q:v',
      '3',
      '-start_number',
      '0',
      path.join(dir, `${path.posix.basename(base)}.%07d.jpg`),
    ]);
  }

  graph.push(`[vall]split=${videoTaps.length}${videoTaps.join('')}`);
  if (withAudio) graph.push(`[aall]asplit=${audioTaps.length}${audioTaps.join('')}`);
  return {
    args: [
      ...inputs.flatMap((i) => [...decoderThreads(inputs.length), ...sourceInput(i.file)]),
      '-filter_complex',
      graph.join(';'),
      ...outputs.flat(),
    ],
    seconds,
    folders,
    main: { file: mainFile, key: mainKey },
    ...(master ? { master } : {}),
  };
}
