import { describe, expect, it } from 'vitest';
import { buildTranscodeSettings, hlsLadder, MAX_STITCHED_INPUTS } from '#shared/media/settings.ts';

const base = {
  bucket: 'media',
  destinationPrefix: 'users/u/projects/p/clips/c/',
  sources: [{ key: 'work/u/j/generation/x/output.mp4', hasAudio: false }],
  width: 1280,
  height: 720,
};

type Output = {
  ContainerSettings: { Container: string };
  VideoDescription: {
    Width: number;
    Height: number;
    CodecSettings: {
      Codec: string;
      H264Settings?: Record<string, unknown>;
      FrameCaptureSettings?: Record<string, unknown>;
    };
  };
  AudioDescriptions?: unknown[];
};
const groups = (s: ReturnType<typeof buildTranscodeSettings>) =>
  Object.fromEntries(
    s.OutputGroups.map((g) => [
      g.Name,
      g as unknown as { OutputGroupSettings: Record<string, { Destination: string }>; Outputs: Output[] },
    ]),
  );

describe('MediaConvert settings', () => {
  it('makes an MP4 in H.264 with QVBR, an HLS ladder and frame captures under the clip folder', () => {
    const s = buildTranscodeSettings(base);
    const g = groups(s);
    const mp4 = g.File!.Outputs[0]!;
    expect(mp4.ContainerSettings.Container).toBe('MP4');
    expect(mp4.VideoDescription).toMatchObject({ Width: 1280, Height: 720 });
    expect(mp4.VideoDescription.CodecSettings.Codec).toBe('H_264');
    expect(mp4.VideoDescription.CodecSettings.H264Settings).toMatchObject({
      RateControlMode: 'QVBR',
      QvbrSettings: { QvbrQualityLevel: expect.any(Number) },
      MaxBitrate: expect.any(Number),
    });
    expect(g.File!.OutputGroupSettings.FileGroupSettings!.Destination).toBe(
      's3://media/users/u/projects/p/clips/c/video',
    );
    expect(g.HLS!.OutputGroupSettings.HlsGroupSettings!.Destination).toBe(
      's3://media/users/u/projects/p/clips/c/hls/index',
    );
    expect(g.HLS!.Outputs.every((o) => o.ContainerSettings.Container === 'M3U8')).toBe(true);
    const thumbs = g.Thumbnails!.Outputs[0]!;
    expect(thumbs.ContainerSettings.Container).toBe('RAW');
    expect(g.Poster!.Outputs[0]!.VideoDescription).toMatchObject({
      Width: 1280,
      Height: 720,
      CodecSettings: { Codec: 'FRAME_CAPTURE', FrameCaptureSettings: { MaxCaptures: 1 } },
    });
    expect(thumbs.VideoDescription.CodecSettings).toMatchObject({
      Codec: 'FRAME_CAPTURE',
      FrameCaptureSettings: { MaxCaptures: expect.any(Number) },
    });
    expect(s.Inputs[0]!.FileInput).toBe('s3://media/work/u/j/generation/x/output.mp4');
  });

  it('describes no audio for silent sources and AAC audio when every source has sound', () => {
    const silent = groups(buildTranscodeSettings(base));
    expect(silent.File!.Outputs[0]!.AudioDescriptions).toBeUndefined();
    expect(silent.HLS!.Outputs.every((o) => o.AudioDescriptions === undefined)).toBe(true);
    expect(buildTranscodeSettings(base).Inputs[0]).not.toHaveProperty('AudioSelectors');
    const loud = buildTranscodeSettings({ ...base, sources: [{ key: 'a.mp4', hasAudio: true }] });
    expect(groups(loud).File!.Outputs[0]!.AudioDescriptions).toHaveLength(1);
    expect(loud.Inputs[0]).toHaveProperty('AudioSelectors');
  });

  it('never makes an HLS rendition larger than the output, and keeps portrait and square aspects', () => {
    expect(hlsLadder(1280, 720)).toEqual([
      { width: 1280, height: 720, maxBitrate: expect.any(Number) },
      { width: 960, height: 540, maxBitrate: expect.any(Number) },
      { width: 640, height: 360, maxBitrate: expect.any(Number) },
    ]);
    for (const r of hlsLadder(720, 1280)) {
      expect(r.height).toBeGreaterThan(r.width);
      expect(r.height).toBeLessThanOrEqual(1280);
      expect(r.width / r.height).toBeCloseTo(720 / 1280, 2);
    }
    for (const r of hlsLadder(1080, 1080)) expect(r.width).toBe(r.height);
    expect(hlsLadder(640, 360).map((r) => r.height)).toEqual([360]);
  });

  it('stitches sources in order with their clippings, up to 150 inputs', () => {
    const s = buildTranscodeSettings({
      ...base,
      sources: [{ key: 'a.mp4', start: 1, end: 3 }, { key: 'b.mp4' }, { key: 'c.mp4', start: 65 }],
    });
    expect(s.Inputs.map((i) => i.FileInput)).toEqual([
      's3://media/a.mp4',
      's3://media/b.mp4',
      's3://media/c.mp4',
    ]);
    expect(s.Inputs[0]).toMatchObject({
      InputClippings: [{ StartTimecode: '00:00:01:00', EndTimecode: '00:00:03:00' }],
    });
    expect(s.Inputs[1]).not.toHaveProperty('InputClippings');
    expect(s.Inputs[2]).toMatchObject({ InputClippings: [{ StartTimecode: '00:01:05:00' }] });
    const many = Array.from({ length: MAX_STITCHED_INPUTS }, (_, i) => ({ key: `${i}.mp4` }));
    expect(buildTranscodeSettings({ ...base, sources: many }).Inputs).toHaveLength(150);
    expect(() => buildTranscodeSettings({ ...base, sources: [...many, { key: 'x.mp4' }] })).toThrow(/150/);
    expect(() => buildTranscodeSettings({ ...base, sources: [] })).toThrow();
  });

  it('converts the frame rate with the chosen algorithm and turns on denoising', () => {
    for (const interpolation of ['INTERPOLATE', 'FRAMEFORMER'] as const) {
      const s = buildTranscodeSettings({ ...base, fps: 30, interpolation, denoise: true });
      expect(groups(s).File!.Outputs[0]!.VideoDescription.CodecSettings.H264Settings).toMatchObject({
        FramerateControl: 'SPECIFIED',
        FramerateNumerator: 30,
        FramerateDenominator: 1,
        FramerateConversionAlgorithm: interpolation,
      });
      expect(s.Inputs[0]).toMatchObject({ FilterEnable: 'FORCE', DenoiseFilter: 'ENABLED' });
    }
    const plain = buildTranscodeSettings(base);
    expect(groups(plain).File!.Outputs[0]!.VideoDescription.CodecSettings.H264Settings).toMatchObject({
      FramerateControl: 'INITIALIZE_FROM_SOURCE',
    });
    expect(plain.Inputs[0]).not.toHaveProperty('DenoiseFilter');
  });

  it('leaves out the HLS group when asked to', () => {
    expect(buildTranscodeSettings({ ...base, hls: false }).OutputGroups.map((g) => g.Name)).toEqual([
      'File',
      'Thumbnails',
      'Poster',
    ]);
  });
});
