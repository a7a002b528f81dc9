/** Luma Ray 2 on Bedrock: 5 s or 9 s text to video at 540p or 720p, any supported aspect ratio, loopable. */

import { type AsyncModelOptions, checkAsync, GenerationFailed, startAsync } from './bedrock.ts';
import { effectiveGenerate } from './capabilities.ts';
import type { VideoModel } from './port.ts';

export const LUMA_RAY_MODEL_ID = 'luma.ray-v2:0';
const NAME = 'Luma Ray 2';
const PROMPT_MAX = 5000;
const RESOLUTIONS: Record<string, '540p' | '720p'> = { '960x540': '540p', '1280x720': '720p' };

export function createLumaRayModel(options: AsyncModelOptions): VideoModel {
  return {
    id: 'luma-ray2',
    async start(request) {
      const p = effectiveGenerate(request.params);
      if (request.prompt.length > PROMPT_MAX) {
        throw new GenerationFailed(`${NAME} takes prompts of at most ${PROMPT_MAX} characters.`);
      }
      return startAsync(options, NAME, {
        modelId: LUMA_RAY_MODEL_ID,
        jobId: request.jobId,
        outputPrefix: request.outputPrefix,
        modelInput: {
          prompt: request.prompt,
          aspect_ratio: request.params.aspectRatio ?? '16:9',
          loop: request.params.loop ?? false,
          duration: `${p.durationSeconds}s`,
          resolution: RESOLUTIONS[p.resolution] ?? '720p',
        },
      });
    },
    check: (handle) => checkAsync(options, NAME, handle),
  };
}
