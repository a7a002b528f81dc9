import { type Adapters, type AppContext, composeContext } from '../context.ts';
import { accountFeature } from './account.ts';
import { clipsFeature } from './clips.ts';
import { eventsFeature } from './events.ts';
import { jobsFeature } from './jobs.ts';
import { projectsFeature } from './projects.ts';
import { templatesFeature } from './templates.ts';
import { uploadsFeature } from './uploads.ts';
import { webhooksFeature } from './webhooks.ts';

export const FEATURES = [
  projectsFeature,
  clipsFeature,
  jobsFeature,
  templatesFeature,
  uploadsFeature,
  webhooksFeature,
  eventsFeature,
  accountFeature,
] as const;

/** The whole context: every feature (the local server, which mounts every route, and the tests). */
export function buildContext(adapters: Adapters): AppContext {
  return composeContext(adapters, FEATURES);
}
