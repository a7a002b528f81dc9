/**
 * Carries out MediaConvert CreateJob Settings with ffmpeg on this machine: reads the inputs (over signed
 * links when it is given a way to make them, as MediaConvert reads S3 itself; else from downloaded copies),
 * probes them (beside ffmpeg when the command does not depend on it), runs the single command planTranscode
 * makes of the Settings (clippings, stitching, scaling, frame-rate conversion, denoising, the MP4, the HLS
 * ladder and the frame captures), stores each file under the key MediaConvert would write, and answers
 * with the same OutputGroupDetails shape.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ObjectStore } from '../storage/port.ts';
import { probe, runFfmpeg } from './ffmpeg.ts';
import type { TranscodeSettings } from './settings.ts';
import { planTranscode, probesShapeCommand, unprobed } from './transcode-plan.ts';

/** Share of the progress that is ffmpeg's; storing the files takes the rest. */
const ENCODE_SHARE = 0.95;

const keyOf = (uri: string) => uri.replace(/^s3:\/\/[^/]+\//, '');

export interface TranscodeOptions {
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  /**
   * A link ffprobe and ffmpeg can GET the object at (a presigned URL). With it an input is read as it is
   * decoded, with no copy on disk first; without it each input is downloaded before anything starts.
   */
  readUrl?: (key: string) => Promise<string>;
}

export async function executeTranscode(
  settings: TranscodeSettings,
  store: ObjectStore,
  options: TranscodeOptions = {},
) {
  const work = await mkdtemp(path.join(os.tmpdir(), 'transcode-'));
  const written: string[] = [];
  try {
    const sources = await Promise.all(
      settings.Inputs.map(async (input, i) => {
        const key = keyOf(input.FileInput);
        if (options.readUrl) return options.readUrl(key);
        const file = path.join(work, `in${i}`);
        await store.downloadToFile(key, file);
        return file;
      }),
    );
    const probes = Promise.all(sources.map((file) => probe(file)));
    probes.catch(() => undefined);
    // When the command does not depend on the probes, ffmpeg starts at once and they only size the progress.
    const early = !probesShapeCommand(settings);
    const plan = planTranscode(
      settings,
      early ? sources.map(unprobed) : (await probes).map((probed, i) => ({ ...probed, file: sources[i]! })),
      path.join(work, 'out'),
    );
    let seconds = early ? undefined : plan.seconds;
    if (early)
      probes.then(
        (probed) => {
          seconds = probed.reduce((sum, p) => sum + p.duration, 0);
        },
        () => undefined,
      );
    await Promise.all(plan.folders.map((f) => mkdir(f.dir, { recursive: true })));
    await runFfmpeg(plan.args, {
      signal: options.signal,
      onProgress: (s) => {
        if (seconds !== undefined)
          options.onProgress?.(ENCODE_SHARE * Math.min(1, s / Math.max(seconds, 0.1)));
      },
    }).catch(async (error: unknown) => {
      // A source ffprobe cannot read says so rather than ffmpeg's own failure.
      await probes;
      throw error;
    });
    await probes;
    if (plan.master) await writeFile(plan.master.file, plan.master.body);
    options.signal?.throwIfAborted();

    const files = (
      await Promise.all(
        plan.folders.map(async (folder) =>
          (
            await readdir(folder.dir)
          ).map((name) => ({
            file: path.join(folder.dir, name),
            key: `${folder.keyDir}/${name}`,
            type: folder.contentType(name),
          })),
        ),
      )
    ).flat();
    // The MP4 is probed while the files are stored: both only read it.
    const probing = probe(plan.main.file);
    probing.catch(() => undefined);
    const stored = await Promise.allSettled(
      files.map(async (f) => {
        await store.putFile(f.key, f.file, f.type);
        written.push(f.key);
      }),
    );
    const failed = stored.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    options.signal?.throwIfAborted();
    const probed = await probing;
    options.onProgress?.(1);
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
