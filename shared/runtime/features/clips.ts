import { createClipRepository } from '../../clips/repository.ts';
import { createClipService } from '../../clips/service.ts';
import { wakingBefore } from '../../events/idle-marker.ts';
import type { AwsFeature } from '../aws.ts';
import { signer, store } from '../aws-adapters.ts';
import type { Adapters, Once } from '../context.ts';
import { secretKey } from '../secret-key.ts';

export const clipsFeature = (adapters: Adapters, once: Once) => {
  const clips = once('clips', () => createClipRepository(adapters.db));
  return {
    clips,
    clipService: createClipService({
      // A deleted clip writes clip.deleted deliveries (shared/events/idle-marker.ts).
      clips: wakingBefore(adapters.idleMarker, clips, ['remove']),
      store: adapters.store,
      signer: adapters.signer,
      hlsLinkKey: adapters.hlsLinkKey,
    }),
  };
};

export const awsClips: AwsFeature = {
  feature: clipsFeature,
  adapters: (env) => ({
    ...store(env),
    ...signer(env),
    hlsLinkKey: secretKey(env.config.HLS_LINK_SECRET_ARN, 'HLS_LINK_SECRET_ARN'),
  }),
};
