/**
 * Luma Ray 2 on Bedrock (Bedrock user guide, "Luma AI models"): text to video, 5 s or 9 s, 540p or 720p,
 * aspect ratios 1:1, 16:9, 9:16, 4:3, 3:4, 21:9 and 9:21, optionally looping; prompts of 1–5000
 * characters. The MP4 goes to the invocation's folder under the job's generation folder.
 */
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { checkInvocation, GenerationFailed, startInvocation } from './bedrock-async.ts';
import { effectiveGenerate } from './capabilities.ts';
import type { GenerationRequest, VideoModel } from './port.ts';

export const LUMA_RAY_MODEL_ID = 'luma.ray-v2:0';
const NAME = 'Luma Ray 2';
export const LUMA_RAY_PROMPT_MAX = 5000;
const RESOLUTIONS: Readonly<Record<string, '540p' | '720p'>> = { '960x540': '540p', '1280x720': '720p' };
const DURATIONS: Readonly<Record<number, '5s' | '9s'>> = { 5: '5s', 9: '9s' };

export interface LumaRayOptions {
  client: BedrockRuntimeClient;
  /** The media bucket; the model writes into the job's generation folder there. */
  bucket: string;
}

type LumaRayInput = {
  prompt: string;
  aspect_ratio: string;
  loop: boolean;
  duration: '5s' | '9s';
  resolution: '540p' | '720p';
};

/** The job's parameters in Luma's vocabulary; what it cannot make fails here rather than at Bedrock. */
export function lumaRayInput(request: GenerationRequest): LumaRayInput {
  const p = effectiveGenerate(request.params);
  if (request.image || request.params.imageClipId) {
    throw new GenerationFailed(`${NAME} on Bedrock takes text prompts only here.`);
  }
  if (request.prompt.length > LUMA_RAY_PROMPT_MAX) {
    throw new GenerationFailed(
      `${NAME} takes prompts of at most ${LUMA_RAY_PROMPT_MAX} characters; this one has ${request.prompt.length}.`,
    );
  }
  const duration = DURATIONS[p.durationSeconds];
  if (!duration) throw new GenerationFailed(`${NAME} makes 5 s or 9 s videos.`);
  const resolution = RESOLUTIONS[p.resolution];
  if (!resolution) throw new GenerationFailed(`${NAME} makes 960x540 (540p) or 1280x720 (720p) videos.`);
  return {
    prompt: request.prompt,
    aspect_ratio: request.params.aspectRatio ?? '16:9',
    loop: request.params.loop ?? false,
    duration,
    resolution,
  };
}

export function createLumaRayModel(options: LumaRayOptions): VideoModel {
  const model = { client: options.client, bucket: options.bucket, name: NAME };
  return {
    id: 'luma-ray2',

    async start(request) {
      const modelInput = lumaRayInput(request);
      return startInvocation(model, {
        modelId: LUMA_RAY_MODEL_ID,
        jobId: request.jobId,
        outputPrefix: request.outputPrefix,
        modelInput,
      });
    },

    check: (handle) => checkInvocation(model, handle),
  };
}
