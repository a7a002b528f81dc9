import type { JobType } from '../jobs/status.ts';

/**
 * What the pipeline records about a clip when it registers it. It lives in its own column, apart from the
 * user's free-form `metadata`, and no request can change it: media keys are derived from the clip's ids
 * (`clipPrefix`, `outputKeys`), and these flags only say which of those renditions exist.
 */
export interface ClipSystem {
  jobType?: JobType;
  /** The model of a GENERATE job. */
  model?: string;
  /** True when the local stand-in made the video (a procedural pattern, not AI). */
  notAi?: boolean;
  hasAudio?: boolean;
  /** An HLS ladder exists under the clip's `hls/` folder. */
  hasHls?: boolean;
  /** A full-size poster frame exists (a start image for Nova Reel). */
  hasPoster?: boolean;
  /** What the pipeline did differently from what the job asked, because of the source; for the user. */
  adjustments?: string[];
}
