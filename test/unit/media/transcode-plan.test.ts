/**
 * The local transcode's command: when it does not depend on what ffprobe says of the inputs (one whole
 * input, no sound asked), the executor starts ffmpeg without waiting for the probe.
 */
import { expect, it } from 'vitest';
import { buildTranscodeSettings, type SourceMedia } from '#shared/media/settings.ts';
import { planTranscode, probesShapeCommand, unprobed } from '#shared/media/transcode-plan.ts';

const settings = (sources: SourceMedia[]) =>
  buildTranscodeSettings({ bucket: 'b', destinationPrefix: 'out/', sources, width: 1280, height: 720 });

it('needs the probes for trims, stitches and sound, and not for one whole silent input', () => {
  const silent = { key: 'a.mp4', hasAudio: false };
  expect(probesShapeCommand(settings([silent]))).toBe(false);
  expect(
    probesShapeCommand(
      settings([{ ...silent, start: 0.2, end: 0.8, frameRate: { numerator: 24, denominator: 1 } }]),
    ),
  ).toBe(true);
  expect(probesShapeCommand(settings([silent, { key: 'b.mp4', hasAudio: false }]))).toBe(true);
  expect(probesShapeCommand(settings([{ key: 'a.mp4', hasAudio: true }]))).toBe(true);
});

it('plans the same command for one whole silent input with or without its probe', () => {
  const s = settings([{ key: 'a.mp4', hasAudio: false }]);
  const probed = {
    file: 'in.mp4',
    duration: 6,
    hasAudio: false,
    frameRate: { numerator: 24, denominator: 1 },
  };
  expect(planTranscode(s, [unprobed('in.mp4')], '/w').args).toEqual(planTranscode(s, [probed], '/w').args);
});
