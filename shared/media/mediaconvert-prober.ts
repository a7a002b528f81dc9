import type { MediaConvertClient } from '@aws-sdk/client-mediaconvert';
import { type ClientSource, clientGetter } from '../sdk/lazy-client.ts';
import { type MediaProber, UnreadableMediaError } from './prober.ts';

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
      const video = tracks.find((t) => t.TrackType === 'video')?.VideoProperties;
      if (!video?.Width || !video.Height) {
        throw new UnreadableMediaError('The uploaded file has no video track that could be read.');
      }
      const rotated = video.Rotation === 90 || video.Rotation === 270;
      return {
        width: rotated ? video.Height : video.Width,
        height: rotated ? video.Width : video.Height,
        duration: container?.Duration ?? tracks.find((t) => t.TrackType === 'video')?.Duration ?? 0,
        hasAudio: tracks.some((t) => t.TrackType === 'audio'),
      };
    },
  };
}
