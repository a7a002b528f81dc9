/** Amazon Nova Reel on Bedrock: 6 s text (and optional start image) to video, or 12–120 s multi-shot. */

import { type AsyncModelOptions, checkAsync, GenerationFailed, startAsync } from './bedrock.ts';
import { effectiveGenerate } from './capabilities.ts';
import type { VideoModel } from './port.ts';

export const NOVA_REEL_MODEL_ID = 'amazon.nova-reel-v1:1';
const NAME = 'Nova Reel';
const SINGLE_SHOT_TEXT_MAX = 512;
const MULTI_SHOT_TEXT_MAX = 4000;
const DEFAULT_SEED = 42;

export interface NovaReelOptions extends AsyncModelOptions {
  /** Reads a start image (1280x720 PNG or JPEG) from the bucket. */
  loadImage?: (key: string) => Promise<Uint8Array>;
}

export function createNovaReelModel(options: NovaReelOptions): VideoModel {
  return {
    id: 'nova-reel',
    async start(request) {
      const p = effectiveGenerate(request.params);
      const multiShot = p.durationSeconds > 6;
      const limit = multiShot ? MULTI_SHOT_TEXT_MAX : SINGLE_SHOT_TEXT_MAX;
      if (request.prompt.length > limit) {
        throw new GenerationFailed(`${NAME} takes prompts of at most ${limit} characters for this duration.`);
      }
      let images: { format: string; source: { bytes: string } }[] | undefined;
      if (request.image) {
        if (!options.loadImage) throw new GenerationFailed(`${NAME} start images are not available here.`);
        const bytes = await options.loadImage(request.image.key);
        images = [{ format: request.image.format, source: { bytes: Buffer.from(bytes).toString('base64') } }];
      }
      const modelInput = multiShot
        ? { taskType: 'MULTI_SHOT_AUTOMATED', multiShotAutomatedParams: { text: request.prompt } }
        : {
            taskType: 'TEXT_VIDEO',
            textToVideoParams: { text: request.prompt, ...(images ? { images } : {}) },
          };
      return startAsync(options, NAME, {
        modelId: NOVA_REEL_MODEL_ID,
        jobId: request.jobId,
        outputPrefix: request.outputPrefix,
        modelInput: {
          ...modelInput,
          videoGenerationConfig: {
            durationSeconds: p.durationSeconds,
            fps: 24,
            dimension: '1280x720',
            seed: request.params.seed ?? DEFAULT_SEED,
          },
        },
      });
    },
    check: (handle) => checkAsync(options, NAME, handle),
  };
}
