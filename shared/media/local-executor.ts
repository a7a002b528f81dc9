/**
 * Carries out MediaConvert CreateJob Settings with ffmpeg on this machine: downloads the inputs, applies
 * clippings, stitching, scaling, frame-rate conversion and denoising, writes the MP4, the HLS ladder and the
 * frame captures to the same keys MediaConvert would, and answers with the same OutputGroupDetails shape.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ObjectStore } from '../storage/port.ts';
import { H264_ARGS, probe, runFfmpeg } from './ffmpeg.ts';
import type { TranscodeSettings } from './settings.ts';

type Output = TranscodeSettings['OutputGroups'][number]['Outputs'][number];

/** Shares of the transcode's progress: the main MP4, then the HLS ladder; frame captures take the rest. */
const MAIN_SHARE = 0.5;
const HLS_SHARE = 0.4;

const keyOf = (uri: string) => uri.replace(/^s3:\/\/[^/]+\//, '');
const seconds = (tc: string | undefined) => {
  if (!tc) return undefined;
  const [h, m, s] = tc.split(':').map(Number);
  return (h ?? 0) * 3600 + (m ?? 0) * 60 + (s ?? 0);
};

function h264(output: Output) {
  const v = output.VideoDescription as { CodecSettings: { H264Settings?: Record<string, unknown> } };
  return v.CodecSettings.H264Settings ?? {};
}

export async function executeTranscode(
  settings: TranscodeSettings,
  store: ObjectStore,
  options: { signal?: AbortSignal; onProgress?: (fraction: number) => void } = {},
) {
  const work = await mkdtemp(path.join(os.tmpdir(), 'transcode-'));
  const written: string[] = [];
  try {
    const inputs: { file: string; start?: number; end?: number }[] = [];
    for (const [i, input] of settings.Inputs.entries()) {
      const file = path.join(work, `in${i}`);
      await store.downloadToFile(keyOf(input.FileInput), file);
      const clip = (input as { InputClippings?: { StartTimecode?: string; EndTimecode?: string }[] })
        .InputClippings?.[0];
      inputs.push({ file, start: seconds(clip?.StartTimecode), end: seconds(clip?.EndTimecode) });
    }
    const fileGroup = settings.OutputGroups.find((g) => g.Name === 'File')!;
    const main = fileGroup.Outputs[0]!;
    const { Width: width, Height: height } = main.VideoDescription as { Width: number; Height: number };
    const codec = h264(main);
    const fps = codec.FramerateControl === 'SPECIFIED' ? Number(codec.FramerateNumerator) : undefined;
    const denoise = settings.Inputs.some(
      (i) => (i as { DenoiseFilter?: string }).DenoiseFilter === 'ENABLED',
    );
    const audio = 'AudioDescriptions' in main;

    const expected = (await Promise.all(inputs.map((i) => probe(i.file)))).reduce(
      (sum, p, idx) => sum + Math.min(inputs[idx]!.end ?? p.duration, p.duration) - (inputs[idx]!.start ?? 0),
      0,
    );
    const args: string[] = [];
    for (const i of inputs) {
      if (i.start !== undefined) args.push('-ss', String(i.start));
      if (i.end !== undefined) args.push('-to', String(i.end));
      args.push('-i', i.file);
    }
    const perInput = inputs.map((_, idx) => {
      const filters = [
        `scale=${width}:${height}:force_original_aspect_ratio=decrease`,
        `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2`,
        'setsar=1',
      ];
      if (denoise) filters.push('hqdn3d');
      if (fps) {
        filters.push(
          codec.FramerateConversionAlgorithm === 'DUPLICATE_DROP'
            ? `fps=${fps}`
            : `minterpolate=fps=${fps}:mi_mode=mci`,
        );
      }
      return `[${idx}:v]${filters.join(',')}[v${idx}]`;
    });
    const concat = `${inputs.map((_, idx) => `[v${idx}]${audio ? `[${idx}:a]` : ''}`).join('')}concat=n=${inputs.length}:v=1:a=${audio ? 1 : 0}[outv]${audio ? '[outa]' : ''}`;
    const mp4 = path.join(work, 'video.mp4');
    await runFfmpeg(
      [
        ...args,
        '-filter_complex',
        [...perInput, concat].join(';'),
        '-map',
        '[outv]',
        ...(audio ? ['-map', '[outa]', '-c:a', 'aac', '-b:a', '128k'] : ['-an']),
        ...H264_ARGS,
        '-movflags',
        '+faststart',
        mp4,
      ],
      {
        signal: options.signal,
        onProgress: (s) => options.onProgress?.(MAIN_SHARE * Math.min(1, s / Math.max(expected, 0.1))),
      },
    );
    const mainKey = `${keyOf(fileGroup.OutputGroupSettings.FileGroupSettings!.Destination)}.mp4`;
    options.signal?.throwIfAborted();
    await store.putFile(mainKey, mp4, 'video/mp4');
    written.push(mainKey);
    const probed = await probe(mp4);

    const hls = settings.OutputGroups.find((g) => g.Name === 'HLS');
    if (hls) {
      const base = keyOf(hls.OutputGroupSettings.HlsGroupSettings!.Destination);
      const dir = path.join(work, 'hls');
      await mkdir(dir);
      const variants: string[] = [];
      for (const [index, rung] of hls.Outputs.entries()) {
        const v = rung.VideoDescription as { Width: number; Height: number };
        const name = `${path.posix.basename(base)}${(rung as { NameModifier?: string }).NameModifier ?? ''}`;
        await runFfmpeg(
          [
            '-i',
            mp4,
            '-vf',
            `scale=${v.Width}:${v.Height}`,
            ...H264_ARGS,
            ...(audio ? ['-c:a', 'aac'] : ['-an']),
            '-f',
            'hls',
            '-hls_time',
            '6',
            '-hls_playlist_type',
            'vod',
            '-hls_segment_filename',
            path.join(dir, `${name}_%05d.ts`),
            path.join(dir, `${name}.m3u8`),
          ],
          {
            signal: options.signal,
            onProgress: (s) =>
              options.onProgress?.(
                MAIN_SHARE +
                  (HLS_SHARE * (index + Math.min(1, s / Math.max(probed.duration, 0.1)))) /
                    hls.Outputs.length,
              ),
          },
        );
        variants.push(
          `#EXT-X-STREAM-INF:BANDWIDTH=${h264(rung).MaxBitrate},RESOLUTION=${v.Width}x${v.Height}\n${name}.m3u8`,
        );
      }
      await writeFile(
        path.join(dir, `${path.posix.basename(base)}.m3u8`),
        `#EXTM3U\n#EXT-X-VERSION:3\n${variants.join('\n')}\n`,
      );
      for (const file of await readdir(dir)) {
        const key = `${path.posix.dirname(base)}/${file}`;
        options.signal?.throwIfAborted();
        await store.putFile(
          key,
          path.join(dir, file),
          file.endsWith('.m3u8') ? 'application/vnd.apple.mpegurl' : 'video/mp2t',
        );
        written.push(key);
      }
    }
    options.onProgress?.(MAIN_SHARE + HLS_SHARE);

    for (const group of settings.OutputGroups) {
      const output = group.Outputs[0] as Output & {
        VideoDescription: {
          Width: number;
          Height: number;
          CodecSettings: {
            Codec: string;
            FrameCaptureSettings?: {
              FramerateDenominator: number;
              FramerateNumerator: number;
              MaxCaptures: number;
            };
          };
        };
      };
      const capture = output.VideoDescription.CodecSettings.FrameCaptureSettings;
      if (output.VideoDescription.CodecSettings.Codec !== 'FRAME_CAPTURE' || !capture) continue;
      const base = keyOf(group.OutputGroupSettings.FileGroupSettings!.Destination);
      const every = capture.FramerateDenominator / capture.FramerateNumerator;
      const v = output.VideoDescription;
      const dir = path.join(work, `frames-${group.Name}`);
      await mkdir(dir);
      await runFfmpeg(
        [
          '-i',
          mp4,
          '-vf',
          // The first frame, then one per interval, as FRAME_CAPTURE does.
          `select='isnan(prev_selected_t)+gte(t-prev_selected_t\\,${every})',scale=${v.Width}:${v.Height}`,
          '-vsync',
          'vfr',
          '-frames:v',
          String(capture.MaxCaptures),
          '-start_number',
          '0',
          '-q:v',
          '3',
          path.join(dir, `${path.posix.basename(base)}.%07d.jpg`),
        ],
        { signal: options.signal },
      );
      for (const file of await readdir(dir)) {
        const key = `${path.posix.dirname(base)}/${file}`;
        options.signal?.throwIfAborted();
        await store.putFile(key, path.join(dir, file), 'image/jpeg');
        written.push(key);
      }
    }
    return {
      outputGroupDetails: [
        {
          OutputDetails: [
            {
              DurationInMs: Math.round(probed.duration * 1000),
              VideoDetails: { WidthInPx: probed.width, HeightInPx: probed.height },
            },
          ],
        },
      ],
    };
  } catch (error) {
    await store.deleteKeys(written);
    throw error;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
