import { type MediaConvertClient, ProbeCommand } from '@aws-sdk/client-mediaconvert';
import { type MediaProber, UnreadableMediaError } from './prober.ts';

/** MediaConvert's Probe API reads the container and tracks of an S3 object without transcoding it. */
export function mediaConvertProber(client: MediaConvertClient, bucket: string): MediaProber {
  return {
    async probe(key) {
      const response = await client.send(
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
