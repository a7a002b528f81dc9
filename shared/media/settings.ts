/**
 * Pure builder of MediaConvert CreateJob Settings for every job type: an MP4 (H.264, QVBR), an HLS ladder
 * capped at the output size, and JPEG frame captures for the poster and thumbnails. The local executor
 * carries out the same Settings with ffmpeg.
 */
export interface SourceMedia {
  key: string;
  /** Trim, in seconds (EDIT). */
  start?: number;
  end?: number;
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

function timecode(seconds: number): string {
  const frames = 0;
  const total = Math.floor(seconds);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(total / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}:${pad(frames)}`;
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

function video(width: number, height: number, maxBitrate: number, input: BuildSettingsInput) {
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
        GopSize: 2,
        GopSizeUnits: 'SECONDS',
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
  const withAudio = input.sources.every((s) => s.hasAudio);
  const width = even(input.width);
  const height = even(input.height);
  const thumbScale = Math.min(1, 640 / Math.max(width, height));
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
      VideoSelector: {},
      ...(withAudio ? { AudioSelectors: { 'Audio Selector 1': { DefaultSelection: 'DEFAULT' } } } : {}),
      ...(s.start !== undefined || s.end !== undefined
        ? {
            InputClippings: [
              {
                ...(s.start !== undefined ? { StartTimecode: timecode(s.start) } : {}),
                ...(s.end !== undefined ? { EndTimecode: timecode(s.end) } : {}),
              },
            ],
          }
        : {}),
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
            VideoDescription: video(width, height, topBitrate, input),
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
                VideoDescription: video(r.width, r.height, r.maxBitrate, input),
                ...audio,
              })),
            },
          ]),
      frameCapture('Thumbnails', `s3://${input.bucket}/${input.destinationPrefix}thumb`, {
        width: even(width * thumbScale),
        height: even(height * thumbScale),
        every: 5,
        max: 10,
      }),
      // One full-size frame: the poster, and the start image a clip can give Nova Reel.
      frameCapture('Poster', `s3://${input.bucket}/${input.destinationPrefix}poster`, {
        width,
        height,
        every: 1,
        max: 1,
      }),
    ],
  };
}

export type TranscodeSettings = ReturnType<typeof buildTranscodeSettings>;
