import type { GenerateParameters } from '../jobs/schema.ts';

export type GenerationStatus =
  | { state: 'running' }
  | { state: 'done'; videoKey: string }
  | {
      state: 'failed';
      message: string /** The model's own words: for the log, never for the user. */;
      detail?: string;
    };

export interface GenerationRequest {
  jobId: string;
  prompt: string;
  params: GenerateParameters;
  /** Folder under which the model writes its output, ending in '/'. */
  outputPrefix: string;
  /** A start image in the bucket (a clip's full-size poster frame). */
  image?: { key: string; format: 'png' | 'jpeg' };
}

/** A text-to-video model: started once, then polled. */
export interface VideoModel {
  readonly id: 'local' | 'nova-reel' | 'luma-ray2';
  start(request: GenerationRequest): Promise<{ handle: string }>;
  check(handle: string): Promise<GenerationStatus>;
  /**
   * Stops whatever this model still does for the job and resolves once it writes nothing more (the local
   * stand-in renders in this process; a hosted model cannot be stopped and leaves this out).
   */
  stop?(jobId: string): Promise<void>;
}
