/**
 * The local transcode's command: when it does not depend on what ffprobe says of the inputs (one whole
 * input, no sound asked), the executor starts ffmpeg without waiting for the probe.
 */
import { expect, it } from 'vitest';
import { buildTranscodeSettings, type SourceMedia } from '#shared/media/settings.ts';
import { MANY_SOURCES, planTranscode, probesShapeCommand, unprobed } from '#shared/media/transcode-plan.ts';

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

it('decodes each source of a many-source stitch on one thread, and leaves a few sources to ffmpeg', () => {
  /** Whether each source is opened as `-threads 1 -format_whitelist … -i <file>`. */
  const oneThreadEach = (count: number) => {
    const sources = Array.from({ length: count }, (_, i) => ({ key: `c${i}.mp4`, hasAudio: false }));
    const files = sources.map((_, i) => `in${i}.mp4`);
    const { args } = planTranscode(
      settings(sources),
      files.map((file) => ({ ...unprobed(file), duration: 2 })),
      '/w',
    );
    return files.map((file) => {
      const at = args.indexOf(file);
      return args[at - 1] === '-i' && args[at - 5] === '-threads' && args[at - 4] === '1';
    });
  };
  expect(oneThreadEach(MANY_SOURCES)).toEqual(Array(MANY_SOURCES).fill(false));
  expect(oneThreadEach(150)).toEqual(Array(150).fill(true));
});

it('reads every source only in the listed containers', () => {
  const { args } = planTranscode(settings([{ key: 'a.mp4', hasAudio: false }]), [unprobed('in.mp4')], '/w');
  expect(args.slice(0, 4)).toEqual([
    '-format_whitelist',
    expect.stringMatching(/^mov,matroska,/),
    '-i',
    'in.mp4',
  ]);
  expect(args[1]).not.toMatch(/hls|concat|dash/);
});
