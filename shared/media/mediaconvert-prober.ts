import type { MediaConvertClient } from '@aws-sdk/client-mediaconvert';
import { type ClientSource, clientGetter } from '../sdk/lazy-client.ts';
import { AUDIO_ONLY, type MediaProber, NOT_A_VIDEO, UnreadableMediaError } from './prober.ts';

/**
 * MediaConvert's Probe API reads the container and tracks of an S3 object without transcoding it. Only the
 * transcode-settings task probes, so the package is imported on first use.
 */
export function mediaConvertProber(source: ClientSource<MediaConvertClient>, bucket: string): MediaProber {
  const client = clientGetter(source);
  return {
    async probe(key) {
      const { ProbeCommand } = await import('@aws-sdk/client-mediaconvert');
      const response = await (await client()).send(
        new ProbeCommand({ InputFiles: [{ FileUrl: `s3://${bucket}/${key}` }] }),
      );
      const container = response.ProbeResults?.[0]?.Container;
      const tracks = container?.Tracks ?? [];
      const track = tracks.find((t) => t.TrackType === 'video');
      const video = track?.VideoProperties;
      const hasAudio = tracks.some((t) => t.TrackType === 'audio');
      if (!video?.Width || !video.Height) {
        throw new UnreadableMediaError(hasAudio && !track ? AUDIO_ONLY : NOT_A_VIDEO);
      }
      // The transcode turns an input upright with VideoSelector Rotate AUTO, which acts on .mov and .mp4
      // only; a rotated track in another container (Matroska, WebM) is transcoded as it is stored.
      const upright = container?.Format === 'mp4' || container?.Format === 'quicktime';
      const rotated = upright && (video.Rotation === 90 || video.Rotation === 270);
      const rate = video.FrameRate;
      return {
        width: rotated ? video.Height : video.Width,
        height: rotated ? video.Width : video.Height,
        duration: container?.Duration ?? tracks.find((t) => t.TrackType === 'video')?.Duration ?? 0,
        hasAudio,
        ...(rate?.Numerator && rate.Denominator
          ? { frameRate: { numerator: rate.Numerator, denominator: rate.Denominator } }
          : {}),
        ...(track?.Codec ? { videoCodec: track.Codec } : {}),
      };
    },
  };
}
