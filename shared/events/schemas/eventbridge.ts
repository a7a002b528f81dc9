/**
 * The events AWS sends the event handlers, as zod schemas of the documented events, narrowed to what the
 * handlers read. A handler parses its event before touching anything (shared/observability/parse-event.ts):
 * an event whose shape changed is logged and thrown, so Lambda's retries and on-failure queue keep it,
 * instead of being half-processed. Unknown extra fields are allowed: AWS adds fields without notice.
 *
 * One module per event, so each handler builds only the schema of the event it receives.
 */
import * as z from '../../schema/zod.ts';

/**
 * The envelope of every EventBridge event. (Powertools Parser ships the same schemas, but they import zod
 * as one `z` object, which puts all of zod, some 440 KB, into each handler's bundle; a namespace import
 * keeps what is used.)
 */
export const eventBridge = z.looseObject({
  version: z.string(),
  id: z.string(),
  source: z.string(),
  account: z.string(),
  time: z.iso.datetime(),
  region: z.string(),
  resources: z.array(z.string()),
  'detail-type': z.string(),
  detail: z.unknown(),
  'replay-name': z.optional(z.string()),
});
