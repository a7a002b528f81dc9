/**
 * Amazon Nova Reel on Bedrock (Amazon Nova user guide, "Video generation access and usage"; Legacy, EOL
 * 2026-09-30, see models.ts): a 6 s
 * TEXT_VIDEO, optionally from a 1280x720 PNG or JPEG start image sent as base64, or a 12–120 s
 * MULTI_SHOT_AUTOMATED video (steps of 6 s, text only), always 1280x720 at 24 fps. Bedrock writes
 * `{invocation id}/output.mp4` under the job's generation folder.
 */
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { ClientSource } from '../sdk/lazy-client.ts';
import { checkInvocation, GenerationFailed, type ModelOutput, startInvocation } from './bedrock-async.ts';
import { effectiveGenerate, MODELS, NOVA_REEL_TEXT_LIMITS } from './models.ts';
import type { GenerationRequest, VideoModel } from './port.ts';

export const NOVA_REEL_MODEL_ID = MODELS['nova-reel'].modelId!;
const NAME = 'Nova Reel';

export { NOVA_REEL_TEXT_LIMITS };
/** The seed when the job gives none (Nova Reel takes 0–2,147,483,646), so a job is reproducible. */
export const NOVA_REEL_DEFAULT_SEED = 42;

export interface NovaReelOptions extends ModelOutput {
  /** A client in the model's Region. */
  client: ClientSource<BedrockRuntimeClient>;
  /** Reads the start image (the GenerationRequest's image key, a 1280x720 PNG or JPEG) from the bucket. */
  loadImage?: (key: string) => Promise<Uint8Array>;
}

type ImageSource = { format: 'png' | 'jpeg'; source: { bytes: string } };

type NovaReelInput =
  | { taskType: 'TEXT_VIDEO'; textToVideoParams: { text: string; images?: ImageSource[] } }
  | { taskType: 'MULTI_SHOT_AUTOMATED'; multiShotAutomatedParams: { text: string } };

export function createNovaReelModel(options: NovaReelOptions): VideoModel {
  const model = {
    client: options.client,
    bucket: options.bucket,
    name: NAME,
    ...(options.collect ? { collect: options.collect } : {}),
  };

  async function startImage(request: GenerationRequest): Promise<ImageSource[] | undefined> {
    if (!request.image) {
      if (request.params.imageClipId) throw new GenerationFailed('The start image could not be found.');
      return undefined;
    }
    if (!options.loadImage) throw new GenerationFailed(`${NAME} start images are not available here.`);
    const bytes = await options.loadImage(request.image.key);
    return [{ format: request.image.format, source: { bytes: Buffer.from(bytes).toString('base64') } }];
  }

  async function modelInput(request: GenerationRequest): Promise<NovaReelInput> {
    const { durationSeconds } = effectiveGenerate({ ...request.params, model: 'nova-reel' });
    const text = request.prompt;
    if (durationSeconds > 6) {
      if (request.image || request.params.imageClipId) {
        throw new GenerationFailed(`A start image works only with a 6 s ${NAME} video.`);
      }
      if (text.length > NOVA_REEL_TEXT_LIMITS.multiShot) {
        throw new GenerationFailed(
          `${NAME} takes prompts of at most ${NOVA_REEL_TEXT_LIMITS.multiShot} characters; this one has ${text.length}.`,
        );
      }
      return { taskType: 'MULTI_SHOT_AUTOMATED', multiShotAutomatedParams: { text } };
    }
    if (text.length > NOVA_REEL_TEXT_LIMITS.single) {
      throw new GenerationFailed(
        `${NAME} takes prompts of at most ${NOVA_REEL_TEXT_LIMITS.single} characters for a 6 s video; this one has ${text.length}. Shorten it, or ask for 12 s or more (up to ${NOVA_REEL_TEXT_LIMITS.multiShot} characters).`,
      );
    }
    const images = await startImage(request);
    return { taskType: 'TEXT_VIDEO', textToVideoParams: { text, ...(images ? { images } : {}) } };
  }

  return {
    id: 'nova-reel',

    async start(request) {
      const input = await modelInput(request);
      const { durationSeconds } = effectiveGenerate({ ...request.params, model: 'nova-reel' });
      return startInvocation(model, {
        modelId: NOVA_REEL_MODEL_ID,
        jobId: request.jobId,
        outputPrefix: request.outputPrefix,
        modelInput: {
          ...input,
          videoGenerationConfig: {
            durationSeconds,
            fps: 24,
            dimension: '1280x720',
            seed: request.params.seed ?? NOVA_REEL_DEFAULT_SEED,
          },
        },
      });
    },

    check: (handle) => checkInvocation(model, handle),
  };
}
