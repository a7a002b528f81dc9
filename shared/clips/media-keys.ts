import { outputKeys } from '../media/settings.ts';
import { clipPrefix } from '../storage/keys.ts';

/** The keys of a clip's media, from its owner, project and clip ids alone (never from a stored field). */
export const clipMediaKeys = (clip: { userId: string; projectId: string; id: string }) =>
  outputKeys(clipPrefix(clip.userId, clip.projectId, clip.id));
