/**
 * The MediaConvert CreateJob Settings builder, checked against the MediaConvert API model that ships with
 * @aws-sdk/client-mediaconvert (member names, value types and enum values) and against the documented
 * constraints of the settings it uses (ranges, required companions, output file naming).
 */
import {
  AacCodingMode,
  AudioCodec,
  AudioDefaultSelection,
  ContainerType,
  H264FramerateControl,
  H264FramerateConversionAlgorithm,
  H264GopSizeUnits,
  H264RateControlMode,
  H264SceneChangeDetect,
  InputDenoiseFilter,
  InputFilterEnable,
  InputRotate,
  InputTimecodeSource,
  JobSettings$,
  OutputGroupType,
  ScalingBehavior,
  TimecodeSource,
  VideoCodec,
} from '@aws-sdk/client-mediaconvert';
import { describe, expect, it } from 'vitest';
import { SUPPORTED_RESOLUTIONS } from '#shared/clips/resolutions.ts';
import {
  type BuildSettingsInput,
  buildTranscodeSettings,
  frameTimecode,
  hlsLadder,
  MAX_STITCHED_INPUTS,
  outputKeys,
  timecodeFrame,
} from '#shared/media/settings.ts';

const PREFIX = 'users/u1/projects/p1/clips/c1/';
const FPS_24 = { numerator: 24, denominator: 1 };
const FPS_25 = { numerator: 25, denominator: 1 };
const FPS_30 = { numerator: 30, denominator: 1 };
const FPS_2997 = { numerator: 30000, denominator: 1001 };
const base: BuildSettingsInput = {
  bucket: 'media-bucket',
  destinationPrefix: PREFIX,
  sources: [{ key: 'work/u1/j1/generation/x/output.mp4', hasAudio: false }],
  width: 1280,
  height: 720,
};

// --- A loose view of the built settings, enough to read any output -------------------------------------

interface Output {
  NameModifier?: string;
  Extension?: string;
  ContainerSettings: { Container: string };
  VideoDescription: {
    Width: number;
    Height: number;
    ScalingBehavior?: string;
    CodecSettings: {
      Codec: string;
      H264Settings?: Record<string, unknown> & {
        MaxBitrate: number;
        QvbrSettings: { QvbrQualityLevel: number };
      };
      FrameCaptureSettings?: Record<string, number>;
    };
  };
  AudioDescriptions?: {
    AudioSourceName: string;
    CodecSettings: { Codec: string; AacSettings: Record<string, unknown> };
  }[];
}
interface Group {
  Name: string;
  OutputGroupSettings: {
    Type: string;
    FileGroupSettings?: { Destination: string };
    HlsGroupSettings?: { Destination: string; SegmentLength: number; MinSegmentLength: number };
  };
  Outputs: Output[];
}
interface Input {
  FileInput: string;
  TimecodeSource: string;
  VideoSelector: { Rotate?: string };
  AudioSelectors?: Record<string, { DefaultSelection: string }>;
  InputClippings?: { StartTimecode?: string; EndTimecode?: string }[];
  FilterEnable?: string;
  FilterStrength?: number;
  DenoiseFilter?: string;
}
interface View {
  TimecodeConfig: { Source: string };
  Inputs: Input[];
  OutputGroups: Group[];
}

const build = (overrides: Partial<BuildSettingsInput> = {}) =>
  buildTranscodeSettings({ ...base, ...overrides }) as unknown as View;
const group = (s: View, name: string) => {
  const found = s.OutputGroups.find((g) => g.Name === name);
  if (!found) throw new Error(`no ${name} output group`);
  return found;
};
const mp4 = (s: View) => group(s, 'File').Outputs[0]!;
const dims = (outputs: Output[]) => outputs.map((o) => [o.VideoDescription.Width, o.VideoDescription.Height]);
const h264Outputs = (s: View) =>
  s.OutputGroups.flatMap((g) => g.Outputs).filter((o) => o.VideoDescription.CodecSettings.Codec === 'H_264');
const destinationOf = (g: Group) =>
  (g.OutputGroupSettings.FileGroupSettings ?? g.OutputGroupSettings.HlsGroupSettings)!.Destination;

// --- Validation against the service model in @aws-sdk/client-mediaconvert ------------------------------
// A static schema is [3, ns, name, traits, memberNames, memberSchemas] for a structure, [1, ns, name, traits,
// member] for a list and [2, ns, name, traits, key, value] for a map; a member schema is [typeOrRef, traits]
// where a number is a simple type (0 string, 1 number, 2 boolean, 64|x list of x, 128|x map of x).

type Schema = unknown;
const deref = (s: Schema): Schema => (typeof s === 'function' ? deref((s as () => Schema)()) : s);

function modelErrors(value: unknown, schema: Schema = JobSettings$, path = 'Settings'): string[] {
  const s = deref(schema);
  if (typeof s === 'number') {
    if (s === 0 && typeof value !== 'string') return [`${path}: expected a string`];
    if (s === 1 && typeof value !== 'number') return [`${path}: expected a number`];
    if (s === 2 && typeof value !== 'boolean') return [`${path}: expected a boolean`];
    if ((s & 64) === 64 && !Array.isArray(value)) return [`${path}: expected a list`];
    return [];
  }
  const [kind, , name, , a, b] = s as [number, string, string, unknown, unknown, unknown];
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  if (kind === 3) {
    if (!isObject) return [`${path}: expected a ${name} structure`];
    const names = a as string[];
    const members = b as [Schema, unknown][];
    return Object.entries(value).flatMap(([key, v]) => {
      const i = names.indexOf(key);
      return i < 0
        ? [`${path}.${key}: not a member of ${name}`]
        : modelErrors(v, members[i]![0], `${path}.${key}`);
    });
  }
  if (kind === 1) {
    if (!Array.isArray(value)) return [`${path}: expected a ${name} list`];
    return value.flatMap((v, i) => modelErrors(v, (a as [Schema])[0], `${path}[${i}]`));
  }
  if (kind === 2) {
    if (!isObject) return [`${path}: expected a ${name} map`];
    return Object.entries(value).flatMap(([k, v]) => modelErrors(v, (b as [Schema])[0], `${path}.${k}`));
  }
  return [`${path}: unsupported schema kind ${kind}`];
}

/** Every enum-valued setting the builder writes, with the SDK enum it must belong to. */
function enumValues(s: View): [string, string, Record<string, string>][] {
  const found: [string, string, Record<string, string>][] = [
    ['TimecodeConfig.Source', s.TimecodeConfig.Source, TimecodeSource],
  ];
  for (const input of s.Inputs) {
    found.push(['Input.TimecodeSource', input.TimecodeSource, InputTimecodeSource]);
    if (input.VideoSelector.Rotate)
      found.push(['VideoSelector.Rotate', input.VideoSelector.Rotate, InputRotate]);
    if (input.FilterEnable) found.push(['Input.FilterEnable', input.FilterEnable, InputFilterEnable]);
    if (input.DenoiseFilter) found.push(['Input.DenoiseFilter', input.DenoiseFilter, InputDenoiseFilter]);
    for (const sel of Object.values(input.AudioSelectors ?? {})) {
      found.push(['AudioSelector.DefaultSelection', sel.DefaultSelection, AudioDefaultSelection]);
    }
  }
  for (const g of s.OutputGroups) {
    found.push(['OutputGroupSettings.Type', g.OutputGroupSettings.Type, OutputGroupType]);
    for (const o of g.Outputs) {
      found.push(['ContainerSettings.Container', o.ContainerSettings.Container, ContainerType]);
      found.push(['CodecSettings.Codec', o.VideoDescription.CodecSettings.Codec, VideoCodec]);
      if (o.VideoDescription.ScalingBehavior) {
        found.push(['VideoDescription.ScalingBehavior', o.VideoDescription.ScalingBehavior, ScalingBehavior]);
      }
      const h = o.VideoDescription.CodecSettings.H264Settings;
      if (h) {
        found.push(['H264.RateControlMode', h.RateControlMode as string, H264RateControlMode]);
        found.push(['H264.FramerateControl', h.FramerateControl as string, H264FramerateControl]);
        found.push(['H264.GopSizeUnits', h.GopSizeUnits as string, H264GopSizeUnits]);
        found.push(['H264.SceneChangeDetect', h.SceneChangeDetect as string, H264SceneChangeDetect]);
        if (h.FramerateConversionAlgorithm !== undefined) {
          found.push([
            'H264.FramerateConversionAlgorithm',
            h.FramerateConversionAlgorithm as string,
            H264FramerateConversionAlgorithm,
          ]);
        }
      }
      for (const a of o.AudioDescriptions ?? []) {
        found.push(['Audio.Codec', a.CodecSettings.Codec, AudioCodec]);
        found.push(['Aac.CodingMode', a.CodecSettings.AacSettings.CodingMode as string, AacCodingMode]);
      }
    }
  }
  return found;
}

const VARIANTS: [string, Partial<BuildSettingsInput>][] = [
  ['silent GENERATE', {}],
  ['with audio', { sources: [{ key: 'a.mp4', hasAudio: true }] }],
  ['portrait', { width: 720, height: 1280 }],
  ['square', { width: 1080, height: 1080 }],
  ['4K', { width: 3840, height: 2160 }],
  ['4096x64', { width: 4096, height: 64 }],
  [
    'EDIT',
    {
      sources: [
        { key: 'a.mp4', start: 1, end: 4, frameRate: FPS_30, hasAudio: true },
        { key: 'b.mp4', hasAudio: false },
      ],
    },
  ],
  ['ENHANCE', { fps: 60, interpolation: 'FRAMEFORMER', denoise: true }],
  ['TRANSCODE without HLS', { hls: false }],
];

describe('Settings against the MediaConvert API model', () => {
  it.each(VARIANTS)('%s: every member exists in the model with the right type', (_name, overrides) => {
    expect(modelErrors(build(overrides))).toEqual([]);
  });

  it('the model check catches a misspelt member and a mistyped value', () => {
    const s = build();
    const broken = { ...s, Inputs: [{ ...s.Inputs[0], Denoise: 'ENABLED', FilterStrength: '3' }] };
    expect(modelErrors(broken)).toEqual([
      'Settings.Inputs[0].Denoise: not a member of Input',
      'Settings.Inputs[0].FilterStrength: expected a number',
    ]);
  });

  it.each(VARIANTS)('%s: every enum value is one the API defines', (_name, overrides) => {
    const values = enumValues(build(overrides));
    expect(values.length).toBeGreaterThan(10);
    for (const [where, value, allowed] of values) expect(Object.values(allowed), where).toContain(value);
  });

  it('keeps every size and rate inside the documented ranges for all supported resolutions', () => {
    for (const resolution of SUPPORTED_RESOLUTIONS) {
      const [width, height] = resolution.split('x').map(Number) as [number, number];
      const s = build({ width, height, sources: [{ key: 'a.mp4', hasAudio: true }] });
      for (const o of s.OutputGroups.flatMap((g) => g.Outputs)) {
        // VideoDescription Width/Height: __integerMin32Max8192.
        for (const d of [o.VideoDescription.Width, o.VideoDescription.Height]) {
          expect(d, resolution).toBeGreaterThanOrEqual(32);
          expect(d, resolution).toBeLessThanOrEqual(8192);
          expect(d % 2, resolution).toBe(0);
        }
        const h = o.VideoDescription.CodecSettings.H264Settings;
        if (h) {
          // H264 MaxBitrate: __integerMin1000Max1152000000; QvbrQualityLevel 1-10.
          expect(h.MaxBitrate, resolution).toBeGreaterThanOrEqual(1000);
          expect(h.MaxBitrate, resolution).toBeLessThanOrEqual(1_152_000_000);
          expect(Number.isInteger(h.MaxBitrate), resolution).toBe(true);
        }
      }
    }
  });

  // An upload keeps its own frame (fitted into the tier), which need not be a supported resolution:
  // 4096x64 in a 1920x1080 tier is 1920x30, and a strip may be thinner still.
  it.each([
    [1920, 30],
    [1920, 20],
    [8, 640],
  ])('keeps a %ix%i upload frame at 32 px or more on every output, letterboxed', (width, height) => {
    const s = build({ width, height });
    for (const o of s.OutputGroups.flatMap((g) => g.Outputs)) {
      expect(Math.min(o.VideoDescription.Width, o.VideoDescription.Height), o.NameModifier).toBe(32);
      const h = o.VideoDescription.CodecSettings.H264Settings;
      if (h) expect(h.MaxBitrate).toBeGreaterThanOrEqual(1000);
    }
    expect(dims([mp4(s)])).toEqual([width > height ? [width, 32] : [32, height]]);
    expect(mp4(s).VideoDescription.ScalingBehavior).toBe('DEFAULT');
  });
});

describe('MP4 output', () => {
  it('is H.264 with QVBR: a quality level, a MaxBitrate and no average Bitrate', () => {
    const s = build();
    const out = mp4(s);
    expect(group(s, 'File').OutputGroupSettings.Type).toBe('FILE_GROUP_SETTINGS');
    expect(out.ContainerSettings).toEqual({ Container: 'MP4', Mp4Settings: {} });
    expect(out.VideoDescription).toMatchObject({ Width: 1280, Height: 720, ScalingBehavior: 'DEFAULT' });
    expect(out.VideoDescription.CodecSettings.Codec).toBe('H_264');
    const h264 = out.VideoDescription.CodecSettings.H264Settings!;
    expect(h264).toMatchObject({
      RateControlMode: 'QVBR',
      QvbrSettings: { QvbrQualityLevel: 7 },
      MaxBitrate: 720 * 720 * 10,
      GopSize: 2,
      GopSizeUnits: 'SECONDS',
      // Recommended with QVBR by the H264Settings.SceneChangeDetect documentation.
      SceneChangeDetect: 'TRANSITION_DETECTION',
      FramerateControl: 'INITIALIZE_FROM_SOURCE',
    });
    // Bitrate is for CBR/VBR only.
    expect(h264).not.toHaveProperty('Bitrate');
    expect(h264).not.toHaveProperty('FramerateConversionAlgorithm');
  });

  it('is written to video.mp4 under the clip folder', () => {
    const s = build();
    const destination = destinationOf(group(s, 'File'));
    expect(destination).toBe(`s3://media-bucket/${PREFIX}video`);
    // The File group names the file <destination base><NameModifier>.<extension>; there is no modifier.
    expect(mp4(s)).not.toHaveProperty('NameModifier');
    expect(`${destination.replace('s3://media-bucket/', '')}.mp4`).toBe(outputKeys(PREFIX).video);
  });

  it('rounds odd sizes to even ones', () => {
    expect(dims([mp4(build({ width: 1279, height: 719 }))])).toEqual([[1280, 720]]);
  });
});

describe('HLS ladder', () => {
  it('is an HLS group writing hls/index.m3u8 with 6 s segments', () => {
    const g = group(build(), 'HLS');
    expect(g.OutputGroupSettings).toEqual({
      Type: 'HLS_GROUP_SETTINGS',
      HlsGroupSettings: {
        Destination: `s3://media-bucket/${PREFIX}hls/index`,
        SegmentLength: 6,
        MinSegmentLength: 0,
      },
    });
    expect(`${destinationOf(g).replace('s3://media-bucket/', '')}.m3u8`).toBe(outputKeys(PREFIX).hlsPlaylist);
    expect(g.Outputs.every((o) => o.ContainerSettings.Container === 'M3U8')).toBe(true);
  });

  it('starts at the output size and never goes above it (landscape)', () => {
    expect(dims(group(build(), 'HLS').Outputs)).toEqual([
      [1280, 720],
      [960, 540],
      [640, 360],
    ]);
    expect(dims(group(build({ width: 1920, height: 1080 }), 'HLS').Outputs)).toEqual([
      [1920, 1080],
      [1280, 720],
      [960, 540],
      [640, 360],
    ]);
    expect(dims(group(build({ width: 3840, height: 2160 }), 'HLS').Outputs)).toEqual([
      [3840, 2160],
      [2560, 1440],
      [1920, 1080],
      [1280, 720],
    ]);
    expect(dims(group(build({ width: 854, height: 480 }), 'HLS').Outputs)).toEqual([
      [854, 480],
      [640, 360],
    ]);
    expect(dims(group(build({ width: 640, height: 360 }), 'HLS').Outputs)).toEqual([[640, 360]]);
  });

  it('keeps portrait renditions taller than wide, named by their short side', () => {
    const g = group(build({ width: 720, height: 1280 }), 'HLS');
    expect(dims(g.Outputs)).toEqual([
      [720, 1280],
      [540, 960],
      [360, 640],
    ]);
    expect(g.Outputs.map((o) => o.NameModifier)).toEqual(['_720p', '_540p', '_360p']);
    expect(dims(group(build({ width: 1080, height: 1920 }), 'HLS').Outputs)).toEqual([
      [1080, 1920],
      [720, 1280],
      [540, 960],
      [360, 640],
    ]);
  });

  it('keeps square renditions square', () => {
    expect(dims(group(build({ width: 1080, height: 1080 }), 'HLS').Outputs)).toEqual([
      [1080, 1080],
      [720, 720],
      [540, 540],
      [360, 360],
    ]);
  });

  it('for every supported resolution: no rung above the output, same orientation and aspect, unique names', () => {
    for (const resolution of SUPPORTED_RESOLUTIONS) {
      const [width, height] = resolution.split('x').map(Number) as [number, number];
      const outputs = group(build({ width, height }), 'HLS').Outputs;
      expect(dims(outputs.slice(0, 1)), resolution).toEqual([[width, height]]);
      const names = outputs.map((o) => o.NameModifier);
      expect(new Set(names).size, resolution).toBe(outputs.length);
      let previous = Number.POSITIVE_INFINITY;
      for (const o of outputs) {
        const { Width: w, Height: h } = o.VideoDescription;
        expect(w, resolution).toBeLessThanOrEqual(width);
        expect(h, resolution).toBeLessThanOrEqual(height);
        expect(Math.sign(w - h), resolution).toBe(Math.sign(width - height));
        expect(Math.abs(w / h - width / height) / (width / height), resolution).toBeLessThan(0.01);
        const maxBitrate = o.VideoDescription.CodecSettings.H264Settings!.MaxBitrate;
        expect(maxBitrate, resolution).toBeLessThan(previous);
        previous = maxBitrate;
      }
    }
  });

  it('hlsLadder gives the rung of a size off the standard ladder first', () => {
    expect(hlsLadder(1000, 562)).toEqual([
      { width: 1000, height: 562, maxBitrate: 562 * 562 * 10 },
      { width: 960, height: 540, maxBitrate: 540 * 540 * 10 },
      { width: 640, height: 360, maxBitrate: 360 * 360 * 10 },
    ]);
  });

  it('leaves the GOP to MediaConvert in every rendition (AUTO, no GopSize), as AWS asks for HLS', () => {
    for (const rendition of group(build({ sources: [{ key: 'a.mp4', hasAudio: true }] }), 'HLS').Outputs) {
      const h264 = rendition.VideoDescription.CodecSettings.H264Settings!;
      expect(h264.GopSizeUnits).toBe('AUTO');
      expect(h264).not.toHaveProperty('GopSize');
      expect(h264).not.toHaveProperty('GopClosedCadence');
      expect(h264).not.toHaveProperty('MinIInterval');
    }
  });

  it('is left out when hls is false', () => {
    expect(build({ hls: false }).OutputGroups.map((g) => g.Name)).toEqual(['File', 'Thumbnails', 'Poster']);
    expect(build().OutputGroups.map((g) => g.Name)).toEqual(['File', 'HLS', 'Thumbnails', 'Poster']);
  });
});

describe('Frame captures (poster and thumbnails)', () => {
  it('are FRAME_CAPTURE JPEGs in RAW containers inside file groups', () => {
    const s = build();
    for (const name of ['Thumbnails', 'Poster']) {
      const g = group(s, name);
      expect(g.OutputGroupSettings.Type, name).toBe('FILE_GROUP_SETTINGS');
      expect(g.Outputs).toHaveLength(1);
      expect(g.Outputs[0]).toMatchObject({
        Extension: 'jpg',
        ContainerSettings: { Container: 'RAW' },
        VideoDescription: { CodecSettings: { Codec: 'FRAME_CAPTURE' } },
      });
      expect(g.Outputs[0]).not.toHaveProperty('AudioDescriptions');
    }
  });

  it('captures ten thumbnails, one every 5 s, at most 640 px on the long side', () => {
    const thumbs = group(build(), 'Thumbnails').Outputs[0]!;
    expect(thumbs.VideoDescription.CodecSettings.FrameCaptureSettings).toEqual({
      FramerateNumerator: 1,
      FramerateDenominator: 5,
      MaxCaptures: 10,
      Quality: 80,
    });
    expect(dims([thumbs])).toEqual([[640, 360]]);
    expect(dims(group(build({ width: 720, height: 1280 }), 'Thumbnails').Outputs)).toEqual([[360, 640]]);
    expect(dims(group(build({ width: 1080, height: 1080 }), 'Thumbnails').Outputs)).toEqual([[640, 640]]);
    // Never scaled up.
    expect(dims(group(build({ width: 480, height: 480 }), 'Thumbnails').Outputs)).toEqual([[480, 480]]);
  });

  it('keeps every capture at least 32 px on its short side, even for a 4096x64 frame', () => {
    const s = build({ width: 4096, height: 64 });
    expect(dims(group(s, 'Thumbnails').Outputs)).toEqual([[2048, 32]]);
    expect(dims(group(s, 'Poster').Outputs)).toEqual([[4096, 64]]);
    expect(dims(group(build({ width: 64, height: 4096 }), 'Thumbnails').Outputs)).toEqual([[32, 2048]]);
    // A frame smaller than the minimum is captured at the minimum, keeping its shape.
    expect(dims(group(build({ width: 20, height: 20 }), 'Poster').Outputs)).toEqual([[32, 32]]);
    expect(modelErrors(s)).toEqual([]);
  });

  it('captures one full-size poster frame', () => {
    const poster = group(build({ width: 720, height: 1280 }), 'Poster').Outputs[0]!;
    expect(poster.VideoDescription.CodecSettings.FrameCaptureSettings).toEqual({
      FramerateNumerator: 1,
      FramerateDenominator: 1,
      MaxCaptures: 1,
      Quality: 80,
    });
    expect(dims([poster])).toEqual([[720, 1280]]);
  });

  it('names the files <destination>.NNNNNNN.jpg, the keys the clip records', () => {
    const s = build();
    const keys = outputKeys(PREFIX);
    const first = (name: string) =>
      `${destinationOf(group(s, name)).replace('s3://media-bucket/', '')}.0000000.jpg`;
    expect(first('Thumbnails')).toBe(keys.thumbnail);
    expect(first('Poster')).toBe(keys.poster);
  });
});

describe('Audio', () => {
  it('describes no audio and selects none when every source is silent', () => {
    const s = build({ sources: [{ key: 'a.mp4', hasAudio: false }, { key: 'b.mp4' }] });
    expect(s.OutputGroups.flatMap((g) => g.Outputs).filter((o) => 'AudioDescriptions' in o)).toEqual([]);
    expect(s.Inputs.filter((i) => 'AudioSelectors' in i)).toEqual([]);
  });

  it('adds stereo AAC to the MP4 and every HLS rendition when the sources have sound', () => {
    const s = build({
      sources: [
        { key: 'a.mp4', hasAudio: true },
        { key: 'b.mp4', hasAudio: true },
      ],
    });
    for (const input of s.Inputs) {
      expect(input.AudioSelectors).toEqual({ 'Audio Selector 1': { DefaultSelection: 'DEFAULT' } });
    }
    const withSound = [mp4(s), ...group(s, 'HLS').Outputs];
    expect(withSound).toHaveLength(4);
    for (const o of withSound) {
      expect(o.AudioDescriptions).toEqual([
        {
          AudioSourceName: 'Audio Selector 1',
          CodecSettings: {
            Codec: 'AAC',
            AacSettings: { Bitrate: 128000, CodingMode: 'CODING_MODE_2_0', SampleRate: 48000 },
          },
        },
      ]);
    }
    expect(group(s, 'Poster').Outputs[0]).not.toHaveProperty('AudioDescriptions');
  });

  it('keeps sound when only some stitched sources have it: every input selects audio with a default', () => {
    const s = build({
      sources: [
        { key: 'a.mp4', hasAudio: true },
        { key: 'silent.mp4', hasAudio: false },
        { key: 'b.mp4', hasAudio: true },
      ],
    });
    expect(mp4(s).AudioDescriptions).toHaveLength(1);
    // The silent input has no track for its selector to find; its part of the output is silence.
    for (const input of s.Inputs) {
      expect(input.AudioSelectors).toEqual({ 'Audio Selector 1': { DefaultSelection: 'DEFAULT' } });
    }
    expect(modelErrors(s)).toEqual([]);
  });
});

describe('EDIT: stitching and clipping', () => {
  it('keeps the sources in order, each clipped with zero-based HH:MM:SS:FF timecodes', () => {
    const s = build({
      sources: [
        { key: 'clips/c.mp4', start: 1, end: 3, frameRate: FPS_25 },
        { key: 'clips/a.mp4' },
        { key: 'clips/b.mp4', start: 65, frameRate: FPS_25 },
        { key: 'clips/d.mp4', end: 3725, frameRate: FPS_25 },
      ],
    });
    expect(s.Inputs.map((i) => i.FileInput)).toEqual([
      's3://media-bucket/clips/c.mp4',
      's3://media-bucket/clips/a.mp4',
      's3://media-bucket/clips/b.mp4',
      's3://media-bucket/clips/d.mp4',
    ]);
    // The end frame is included in the clip, so a trim ending at 3 s ends on the frame before it.
    expect(s.Inputs.map((i) => i.InputClippings)).toEqual([
      [{ StartTimecode: '00:00:01:00', EndTimecode: '00:00:02:24' }],
      undefined,
      [{ StartTimecode: '00:01:05:00' }],
      [{ EndTimecode: '01:02:04:24' }],
    ]);
    // Clipping timecodes count from each input's own zero only with a ZEROBASED input timecode source.
    expect(s.Inputs.every((i) => i.TimecodeSource === 'ZEROBASED')).toBe(true);
    expect(s.TimecodeConfig).toEqual({ Source: 'ZEROBASED' });
  });

  it.each([
    [FPS_24, '00:00:00:05', '00:00:00:18', 14],
    [FPS_25, '00:00:00:05', '00:00:00:19', 15],
    [FPS_30, '00:00:00:06', '00:00:00:23', 18],
    [FPS_2997, '00:00:00;06', '00:00:00;23', 18],
  ])(
    'writes a 0.2-0.8 s trim at %o fps with frames: %s to %s, 0.6 s within a frame',
    (rate, start, end, frames) => {
      const s = build({ sources: [{ key: 'a.mp4', start: 0.2, end: 0.8, frameRate: rate }] });
      expect(s.Inputs[0]!.InputClippings).toEqual([{ StartTimecode: start, EndTimecode: end }]);
      const fps = rate.numerator / rate.denominator;
      expect(Math.abs(frames / fps - 0.6)).toBeLessThanOrEqual(1 / fps);
      expect(timecodeFrame(end, rate) - timecodeFrame(start, rate) + 1).toBe(frames);
    },
  );

  it('writes 1.5-2.9 s as frames, not floored seconds', () => {
    const s = build({ sources: [{ key: 'a.mp4', start: 1.5, end: 2.9, frameRate: FPS_24 }] });
    expect(s.Inputs[0]!.InputClippings).toEqual([
      { StartTimecode: '00:00:01:12', EndTimecode: '00:00:02:21' },
    ]);
  });

  it('counts 29.97 fps in drop-frame timecode, skipping two frame numbers each minute but every tenth', () => {
    // Frame 1800 is the first of minute 1: labels ;00 and ;01 do not exist there.
    expect(frameTimecode(1799, FPS_2997)).toBe('00:00:59;29');
    expect(frameTimecode(1800, FPS_2997)).toBe('00:01:00;02');
    // Ten minutes of 29.97 fps are 17982 frames, and minute 10 keeps its ;00.
    expect(frameTimecode(17982, FPS_2997)).toBe('00:10:00;00');
    expect(frameTimecode(107892, FPS_2997)).toBe('01:00:00;00');
    for (const frame of [0, 29, 1799, 1800, 1801, 17981, 17982, 35999, 107892, 200000]) {
      expect(timecodeFrame(frameTimecode(frame, FPS_2997), FPS_2997)).toBe(frame);
    }
    // 59.94 drops four; 25 and 24 never drop.
    expect(frameTimecode(3600, { numerator: 60000, denominator: 1001 })).toBe('00:01:00;04');
    expect(frameTimecode(1500, FPS_25)).toBe('00:01:00:00');
  });

  it('needs the frame rate of a trimmed source', () => {
    expect(() => build({ sources: [{ key: 'a.mp4', start: 1 }] })).toThrow(/frame rate of a.mp4/);
  });

  it(`accepts ${MAX_STITCHED_INPUTS} inputs and refuses more, or none`, () => {
    expect(MAX_STITCHED_INPUTS).toBe(150);
    const many = Array.from({ length: 150 }, (_, i) => ({
      key: `clips/${i}.mp4`,
      start: 0,
      end: 2,
      frameRate: FPS_30,
    }));
    const s = build({ sources: many });
    expect(s.Inputs).toHaveLength(150);
    expect(s.Inputs[149]!.FileInput).toBe('s3://media-bucket/clips/149.mp4');
    expect(modelErrors(s)).toEqual([]);
    expect(() => build({ sources: [...many, { key: 'x.mp4' }] })).toThrow(/at most 150 inputs/);
    expect(() => build({ sources: [] })).toThrow(/at least one source/);
  });

  it('keeps the largest settings well inside the 256 KiB a Step Functions state may carry', () => {
    // The settings travel in the execution's state (BuildTranscodeSettings' result, then the Transcode
    // task's parameters), and Step Functions fails an execution whose state passes 256 KiB. The largest
    // job: 150 trimmed clips with real key lengths, every option on, at the largest size.
    const clip = (i: number) =>
      `users/0b9a8f6e-2f4e-4c7e-9a1c-1d2e3f4a5b6c/projects/1c9a8f6e-2f4e-4c7e-9a1c-1d2e3f4a5b6c/clips/${String(i).padStart(12, '0')}-2f4e-4c7e-9a1c-1d2e3f4a5b6c/video.mp4`;
    const s = buildTranscodeSettings({
      bucket: 'ai-video-media-123456789012-ap-southeast-2-staging',
      destinationPrefix: PREFIX,
      sources: Array.from({ length: MAX_STITCHED_INPUTS }, (_, i) => ({
        key: clip(i),
        start: 1.5,
        end: 2.9,
        frameRate: FPS_2997,
        hasAudio: i % 2 === 0,
      })),
      width: 3840,
      height: 2160,
      fps: 60,
      interpolation: 'FRAMEFORMER',
      denoise: true,
      hls: true,
    });
    // Half the limit, so the rest of the state (the job, its sources' ids, the generation) has room.
    expect(Buffer.byteLength(JSON.stringify(s))).toBeLessThan(128 * 1024);
  });
});

describe('ENHANCE: frame rate conversion and denoising', () => {
  it.each(['INTERPOLATE', 'FRAMEFORMER'] as const)(
    'converts every H.264 output to the fps with %s',
    (interpolation) => {
      const s = build({ fps: 60, interpolation });
      const outputs = h264Outputs(s);
      expect(outputs).toHaveLength(4);
      for (const o of outputs) {
        expect(o.VideoDescription.CodecSettings.H264Settings).toMatchObject({
          FramerateControl: 'SPECIFIED',
          FramerateNumerator: 60,
          FramerateDenominator: 1,
          FramerateConversionAlgorithm: interpolation,
        });
      }
    },
  );

  it('drops or duplicates frames when no algorithm is chosen', () => {
    expect(mp4(build({ fps: 24 })).VideoDescription.CodecSettings.H264Settings).toMatchObject({
      FramerateControl: 'SPECIFIED',
      FramerateNumerator: 24,
      FramerateConversionAlgorithm: 'DUPLICATE_DROP',
    });
  });

  it('forces the input denoise filter on every input, with the strength FORCE requires', () => {
    const s = build({ denoise: true, sources: [{ key: 'a.mp4' }, { key: 'b.mp4' }] });
    for (const input of s.Inputs) {
      expect(input).toMatchObject({ FilterEnable: 'FORCE', DenoiseFilter: 'ENABLED' });
      // "Force ... When you do, you must also specify a value for Filter strength" (1 to 5).
      expect(input.FilterStrength).toBe(3);
    }
    const plain = build();
    for (const key of ['FilterEnable', 'FilterStrength', 'DenoiseFilter']) {
      expect(plain.Inputs[0]).not.toHaveProperty(key);
    }
  });
});

describe('Rotation', () => {
  it('turns every input upright by its rotation metadata, which MediaConvert ignores by default', () => {
    // "By default, the service does no rotation, even if your input video has rotation metadata" (InputRotate).
    // The probe reports a rotated phone video upright (1080x1920), and the outputs are sized that way.
    const s = build({ width: 1080, height: 1920, sources: [{ key: 'a.mov' }, { key: 'b.mp4' }] });
    expect(s.Inputs.map((input) => input.VideoSelector)).toEqual([{ Rotate: 'AUTO' }, { Rotate: 'AUTO' }]);
    expect(dims([mp4(s)])).toEqual([[1080, 1920]]);
  });
});

describe('Destinations', () => {
  it('writes every output group under the clip folder and nowhere else', () => {
    const s = build({ sources: [{ key: 'elsewhere/in.mp4', hasAudio: true }] });
    expect(s.OutputGroups.map(destinationOf)).toEqual([
      `s3://media-bucket/${PREFIX}video`,
      `s3://media-bucket/${PREFIX}hls/index`,
      `s3://media-bucket/${PREFIX}thumb`,
      `s3://media-bucket/${PREFIX}poster`,
    ]);
    const other = build({ destinationPrefix: 'users/u2/projects/p9/clips/c7/' });
    expect(
      other.OutputGroups.map(destinationOf).every((d) =>
        d.startsWith('s3://media-bucket/users/u2/projects/p9/clips/c7/'),
      ),
    ).toBe(true);
  });
});
