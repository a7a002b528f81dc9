/**
 * Luma Ray 2 on Bedrock (what it makes is in the registry, models.ts): text to video, 5 s or 9 s, 540p or
 * 720p in one of seven aspect ratios, optionally looping. The MP4 goes to the invocation's folder under the
 * job's generation folder.
 */
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { ClientSource } from '../sdk/lazy-client.ts';
import { checkInvocation, GenerationFailed, type ModelOutput, startInvocation } from './bedrock-async.ts';
import { effectiveGenerate, LUMA_RAY_PROMPT_MAX, MODELS } from './models.ts';
import type { GenerationRequest, VideoModel } from './port.ts';

const SPEC = MODELS['luma-ray2'];
export const LUMA_RAY_MODEL_ID = SPEC.modelId!;
export { LUMA_RAY_PROMPT_MAX };

const NAME = SPEC.name;
const SIZE_CLASSES: Readonly<Record<string, '540p' | '720p'>> = { '960x540': '540p', '1280x720': '720p' };
const DURATIONS: Readonly<Record<number, '5s' | '9s'>> = { 5: '5s', 9: '9s' };

export interface LumaRayOptions extends ModelOutput {
  /** A client in the model's Region. */
  client: ClientSource<BedrockRuntimeClient>;
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
  const p = effectiveGenerate({ ...request.params, model: 'luma-ray2' });
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
  const resolution = SIZE_CLASSES[p.requestedResolution];
  if (!resolution) throw new GenerationFailed(`${NAME} makes 960x540 (540p) or 1280x720 (720p) videos.`);
  return {
    prompt: request.prompt,
    aspect_ratio: p.aspectRatio,
    loop: request.params.loop ?? false,
    duration,
    resolution,
  };
}

export function createLumaRayModel(options: LumaRayOptions): VideoModel {
  const model = { ...options, name: NAME };
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
