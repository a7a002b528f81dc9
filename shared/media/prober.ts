/** What the pipeline needs to know about a source file before transcoding it (uploads have no clip row). */
export interface MediaInfo {
  width: number;
  height: number;
  duration: number;
  hasAudio: boolean;
}

export interface MediaProber {
  probe(key: string): Promise<MediaInfo>;
}

export class UnreadableMediaError extends Error {
  override name = 'UnreadableMedia';
}
