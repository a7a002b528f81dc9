/**
 * Pure builder of MediaConvert CreateJob Settings for every job type: an MP4 (H.264, QVBR), an HLS ladder
 * capped at the output size, and JPEG frame captures for the poster and thumbnails. The local executor
 * carries out the same Settings with ffmpeg.
 */
export interface FrameRate {
  numerator: number;
  denominator: number;
}

/** The most frames a second a job may ask for; an upload past it is written at it. */
export const MAX_OUTPUT_FPS = 60;

/**
 * The smallest input FrameFormer converts (H264Settings.FramerateConversionAlgorithm, MediaConvert API
 * reference: "your input video resolution must be at least 128x96"); CreateJob fails below it.
 */
export const FRAMEFORMER_MIN_INPUT = { width: 128, height: 96 } as const;

export interface SourceMedia {
  key: string;
  /** Trim, in seconds (EDIT); written as frame-exact timecodes, so a trimmed source needs its frame rate. */
  start?: number;
  end?: number;
  frameRate?: FrameRate;
  hasAudio?: boolean;
}

export interface BuildSettingsInput {
  bucket: string;
  /** Folder of the clip being made, ending in '/'. */
  destinationPrefix: string;
  sources: SourceMedia[];
  width: number;
  height: number;
  fps?: number;
  interpolation?: 'INTERPOLATE' | 'FRAMEFORMER';
  denoise?: boolean;
  hls?: boolean;
}

export const MAX_STITCHED_INPUTS = 150;
const LADDER = [2160, 1440, 1080, 720, 540, 360];

export const outputKeys = (prefix: string) => ({
  video: `${prefix}video.mp4`,
  hlsPlaylist: `${prefix}hls/index.m3u8`,
  thumbnail: `${prefix}thumb.0000000.jpg`,
  poster: `${prefix}poster.0000000.jpg`,
});

const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);

/** 29.97 and 59.94 fps count in drop-frame timecode (two or four frame numbers skipped each minute). */
function droppedPerMinute(rate: FrameRate): number {
  if (rate.denominator !== 1001) return 0;
  const nominal = Math.round(rate.numerator / rate.denominator);
  return nominal === 30 ? 2 : nominal === 60 ? 4 : 0;
}

/**
 * Frame `frame` (0 = the file's first) as HH:MM:SS:FF, or HH:MM:SS;FF in drop-frame counting.
 * MediaConvert reads a semicolon before the frame number as drop-frame
 * (https://docs.aws.amazon.com/mediaconvert/latest/ug/setting-up-timecode.html; InputClipping accepts both
 * forms). Its pages do not say whether a ZEROBASED timeline of a 29.97 input counts drop-frame, so the
 * separator states the counting explicitly. Both countings name the same frames during the first minute;
 * after it they drift apart by two labels a minute (four at 59.94), except each tenth minute.
 */
export function frameTimecode(frame: number, rate: FrameRate): string {
  const nominal = Math.round(rate.numerator / rate.denominator);
  const drop = droppedPerMinute(rate);
  let label = frame;
  if (drop) {
    const perTenMinutes = nominal * 600 - drop * 9;
    const perMinute = nominal * 60 - drop;
    const tens = Math.floor(frame / perTenMinutes);
    const rest = frame % perTenMinutes;
    label += drop * 9 * tens + (rest > drop ? drop * Math.floor((rest - drop) / perMinute) : 0);
  }
  const pad = (n: number) => String(n).padStart(2, '0');
  const seconds = Math.floor(label / nominal);
  return `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor((seconds % 3600) / 60))}:${pad(seconds % 60)}${drop ? ';' : ':'}${pad(label % nominal)}`;
}

/** The inverse of frameTimecode: the frame index a timecode names. */
export function timecodeFrame(timecode: string, rate: FrameRate): number {
  const match = /^(\d{2}):(\d{2}):(\d{2})([:;])(\d{2})$/.exec(timecode);
  if (!match) throw new Error(`not an HH:MM:SS:FF timecode: ${timecode}`);
  const [h, m, s, , f] = match.slice(1).map(Number) as [number, number, number, number, number];
  const nominal = Math.round(rate.numerator / rate.denominator);
  const drop = match[4] === ';' ? droppedPerMinute(rate) : 0;
  const minutes = h * 60 + m;
  return (minutes * 60 + s) * nominal + f - drop * (minutes - Math.floor(minutes / 10));
}

/**
 * A trim in seconds as an InputClipping. Timecodes count frames from the file's first (TimecodeSource
 * ZEROBASED), and the end frame is included in the clip, so the last frame kept is the one before `end`.
 */
function clipping(source: SourceMedia) {
  if (source.start === undefined && source.end === undefined) return undefined;
  const rate = source.frameRate;
  if (!rate) throw new Error(`the frame rate of ${source.key} is needed to trim it`);
  const fps = rate.numerator / rate.denominator;
  const first = Math.round((source.start ?? 0) * fps);
  return {
    ...(source.start !== undefined ? { StartTimecode: frameTimecode(first, rate) } : {}),
    ...(source.end !== undefined
      ? { EndTimecode: frameTimecode(Math.max(first, Math.round(source.end * fps) - 1), rate) }
      : {}),
  };
}

/**
 * The smallest output frame MediaConvert takes, in either dimension, for every codec (VideoDescription
 * Width and Height are 32 to 8192 in the API reference's jobs model); CreateJob refuses a job below it.
 */
export const MIN_FRAME_SIDE = 32;

/** A capture's size: at most `longest` px on the long side, unless that would leave the short side under 32 px. */
export function thumbnailSize(width: number, height: number, longest = 640) {
  const scale = Math.max(
    Math.min(1, longest / Math.max(width, height)),
    MIN_FRAME_SIDE / Math.min(width, height),
  );
  return { width: even(width * scale), height: even(height * scale) };
}

/** Rungs no larger than the output, keeping its aspect (portrait and square included). */
export function hlsLadder(
  width: number,
  height: number,
): { width: number; height: number; maxBitrate: number }[] {
  const short = Math.min(width, height);
  const rungs = LADDER.filter((r) => r <= short);
  if (rungs.length === 0 || rungs[0] !== short) rungs.unshift(short);
  return rungs.slice(0, 4).map((r) => {
    const scale = r / short;
    return { width: even(width * scale), height: even(height * scale), maxBitrate: Math.round(r * r * 10) };
  });
}

/**
 * H.264 video. A file output gets closed 2 s GOPs; an HLS output leaves the GOP to MediaConvert (GopSizeUnits
 * AUTO, no GopSize), as the H264Settings reference asks for HLS, DASH and CMAF groups.
 */
function video(
  width: number,
  height: number,
  maxBitrate: number,
  input: BuildSettingsInput,
  group: 'FILE' | 'HLS',
) {
  const framerate = input.fps
    ? {
        FramerateControl: 'SPECIFIED',
        FramerateNumerator: input.fps,
        FramerateDenominator: 1,
        FramerateConversionAlgorithm: input.interpolation ?? 'DUPLICATE_DROP',
      }
    : { FramerateControl: 'INITIALIZE_FROM_SOURCE' };
  return {
    Width: width,
    Height: height,
    ScalingBehavior: 'DEFAULT',
    CodecSettings: {
      Codec: 'H_264',
      H264Settings: {
        RateControlMode: 'QVBR',
        QvbrSettings: { QvbrQualityLevel: 7 },
        MaxBitrate: maxBitrate,
        ...(group === 'HLS' ? { GopSizeUnits: 'AUTO' } : { GopSize: 2, GopSizeUnits: 'SECONDS' }),
        SceneChangeDetect: 'TRANSITION_DETECTION',
        ...framerate,
      },
    },
  };
}

interface GroupSettings {
  Type: string;
  FileGroupSettings?: { Destination: string };
  HlsGroupSettings?: { Destination: string; SegmentLength: number; MinSegmentLength: number };
}

function frameCapture(
  name: string,
  destination: string,
  frames: { width: number; height: number; every: number; max: number },
) {
  return {
    Name: name,
    OutputGroupSettings: {
      Type: 'FILE_GROUP_SETTINGS',
      FileGroupSettings: { Destination: destination },
    } as GroupSettings,
    Outputs: [
      {
        Extension: 'jpg',
        ContainerSettings: { Container: 'RAW' },
        VideoDescription: {
          Width: frames.width,
          Height: frames.height,
          CodecSettings: {
            Codec: 'FRAME_CAPTURE',
            FrameCaptureSettings: {
              FramerateNumerator: 1,
              FramerateDenominator: frames.every,
              MaxCaptures: frames.max,
              Quality: 80,
            },
          },
        },
      },
    ],
  };
}

export function buildTranscodeSettings(input: BuildSettingsInput) {
  if (input.sources.length === 0) throw new Error('a transcode needs at least one source');
  if (input.sources.length > MAX_STITCHED_INPUTS) {
    throw new Error(`MediaConvert stitches at most ${MAX_STITCHED_INPUTS} inputs`);
  }
  // One source with sound gives the output sound. Every input selects its audio with a default selector
  // that names no track; an input without an audio track has none to select, and its span of the output
  // is meant to be silent. MediaConvert's pages confirm only that outputs fall back to the DEFAULT selector
  // when their selector finds no input audio (AudioSelector.DefaultSelection, API reference
  // https://docs.aws.amazon.com/mediaconvert/latest/apireference/jobs.html#jobs-model-audioselector), not
  // what a silent input gives under it; a selector that names a track fails such a job ("Audio track [1]
  // not found in input container", github.com/aws-solutions-library-samples/video-on-demand-on-aws
  // issues 45 and 75), which is why none is named. Unverified on AWS until a deployed stitch of a silent
  // clip runs (README, known limits).
  const withAudio = input.sources.some((s) => s.hasAudio);
  // A thin upload (1920x20, or 4096x64 fitted into a 1920x1080 tier as 1920x30) would fall under
  // MediaConvert's 32 px; its frame grows to 32 and ScalingBehavior DEFAULT letterboxes the picture in it.
  const width = Math.max(MIN_FRAME_SIDE, even(input.width));
  const height = Math.max(MIN_FRAME_SIDE, even(input.height));
  const topBitrate = Math.round(Math.min(width, height) ** 2 * 10);
  const audio = withAudio
    ? {
        AudioDescriptions: [
          {
            AudioSourceName: 'Audio Selector 1',
            CodecSettings: {
              Codec: 'AAC',
              AacSettings: { Bitrate: 128000, CodingMode: 'CODING_MODE_2_0', SampleRate: 48000 },
            },
          },
        ],
      }
    : {};
  return {
    TimecodeConfig: { Source: 'ZEROBASED' },
    Inputs: input.sources.map((s) => ({
      FileInput: `s3://${input.bucket}/${s.key}`,
      TimecodeSource: 'ZEROBASED',
      // MediaConvert does no rotation by default, even when the input carries rotation metadata, and
      // writes none to its outputs (VideoSelector.Rotate, API reference); the width and height given here
      // are the probe's upright ones, so a phone's portrait video would be squeezed into a frame of the
      // other orientation. AUTO turns .mov and .mp4 inputs upright, as ffmpeg does locally.
      VideoSelector: { Rotate: 'AUTO' },
      ...(withAudio ? { AudioSelectors: { 'Audio Selector 1': { DefaultSelection: 'DEFAULT' } } } : {}),
      ...(s.start !== undefined || s.end !== undefined ? { InputClippings: [clipping(s)!] } : {}),
      // FilterEnable FORCE requires a FilterStrength (1 least to 5 most filtering).
      ...(input.denoise ? { FilterEnable: 'FORCE', FilterStrength: 3, DenoiseFilter: 'ENABLED' } : {}),
    })),
    OutputGroups: [
      {
        Name: 'File',
        OutputGroupSettings: {
          Type: 'FILE_GROUP_SETTINGS',
          FileGroupSettings: { Destination: `s3://${input.bucket}/${input.destinationPrefix}video` },
        },
        Outputs: [
          {
            Extension: 'mp4',
            ContainerSettings: { Container: 'MP4', Mp4Settings: {} },
            VideoDescription: video(width, height, topBitrate, input, 'FILE'),
            ...audio,
          },
        ],
      },
      ...(input.hls === false
        ? []
        : [
            {
              Name: 'HLS',
              OutputGroupSettings: {
                Type: 'HLS_GROUP_SETTINGS',
                HlsGroupSettings: {
                  Destination: `s3://${input.bucket}/${input.destinationPrefix}hls/index`,
                  SegmentLength: 6,
                  MinSegmentLength: 0,
                },
              },
              Outputs: hlsLadder(width, height).map((r) => ({
                NameModifier: `_${Math.min(r.width, r.height)}p`,
                ContainerSettings: { Container: 'M3U8', M3u8Settings: {} },
                VideoDescription: video(r.width, r.height, r.maxBitrate, input, 'HLS'),
                ...audio,
              })),
            },
          ]),
      frameCapture('Thumbnails', `s3://${input.bucket}/${input.destinationPrefix}thumb`, {
        ...thumbnailSize(width, height),
        every: 5,
        max: 10,
      }),
      // One full-size frame: the poster, and the start image a clip can give Nova Reel.
      frameCapture('Poster', `s3://${input.bucket}/${input.destinationPrefix}poster`, {
        ...thumbnailSize(width, height, Math.max(width, height)),
        every: 1,
        max: 1,
      }),
    ],
  };
}

export type TranscodeSettings = ReturnType<typeof buildTranscodeSettings>;
