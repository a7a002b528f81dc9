import { MediaConvertClient, ProbeCommand } from '@aws-sdk/client-mediaconvert';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, expect, it } from 'vitest';
import { mediaConvertProber } from '#shared/media/mediaconvert-prober.ts';
import { AUDIO_ONLY } from '#shared/media/prober.ts';

const mc = mockClient(MediaConvertClient);
const prober = mediaConvertProber(new MediaConvertClient({ region: 'us-east-1' }), 'media');
beforeEach(() => mc.reset());

it('probes the S3 object and reads size, duration and audio from its tracks', async () => {
  mc.on(ProbeCommand).resolves({
    ProbeResults: [
      {
        Container: {
          Duration: 12.5,
          Tracks: [
            {
              TrackType: 'video',
              Codec: 'PRORES',
              VideoProperties: {
                Width: 1920,
                Height: 1080,
                FrameRate: { Numerator: 30000, Denominator: 1001 },
              },
            },
            { TrackType: 'audio', AudioProperties: {} },
          ],
        },
      },
    ],
  } as never);
  await expect(prober.probe('uploads/u/p/x/a.mov')).resolves.toEqual({
    width: 1920,
    height: 1080,
    duration: 12.5,
    hasAudio: true,
    frameRate: { numerator: 30000, denominator: 1001 },
    videoCodec: 'PRORES',
  });
  expect(mc.commandCalls(ProbeCommand)[0]!.args[0].input).toEqual({
    InputFiles: [{ FileUrl: 's3://media/uploads/u/p/x/a.mov' }],
  });
});

it('swaps width and height of a rotated phone video, and refuses a file without video', async () => {
  mc.on(ProbeCommand)
    .resolvesOnce({
      ProbeResults: [
        {
          Container: {
            Duration: 3,
            Format: 'quicktime',
            Tracks: [{ TrackType: 'video', VideoProperties: { Width: 1920, Height: 1080, Rotation: 90 } }],
          },
        },
      ],
    } as never)
    .resolvesOnce({ ProbeResults: [{ Container: { Tracks: [{ TrackType: 'audio' }] } }] } as never);
  await expect(prober.probe('k')).resolves.toMatchObject({ width: 1080, height: 1920, hasAudio: false });
  await expect(prober.probe('k')).rejects.toMatchObject({ name: 'UnreadableMedia', message: AUDIO_ONLY });
});

it('keeps the stored size of a rotated track in a container the transcode does not turn upright', async () => {
  // Rotate AUTO "If your input video container is .mov or .mp4 and your input has rotation metadata"
  // (VideoSelector.Rotate); a Matroska or WebM track is transcoded as stored, so its frame is not swapped.
  const probeOf = (Format: string, Rotation: number) => ({
    ProbeResults: [
      {
        Container: {
          Format,
          Duration: 3,
          Tracks: [{ TrackType: 'video', VideoProperties: { Width: 1920, Height: 1080, Rotation } }],
        },
      },
    ],
  });
  mc.on(ProbeCommand)
    .resolvesOnce(probeOf('matroska', 90) as never)
    .resolvesOnce(probeOf('webm', 270) as never)
    .resolvesOnce(probeOf('mp4', 270) as never)
    .resolvesOnce(probeOf('mp4', 180) as never);
  await expect(prober.probe('k.mkv')).resolves.toMatchObject({ width: 1920, height: 1080 });
  await expect(prober.probe('k.webm')).resolves.toMatchObject({ width: 1920, height: 1080 });
  await expect(prober.probe('k.mp4')).resolves.toMatchObject({ width: 1080, height: 1920 });
  await expect(prober.probe('k.mp4')).resolves.toMatchObject({ width: 1920, height: 1080 });
});
