/**
 * Writes of one item conditioned on the item as the page shows it (If-Match), so that a change made
 * elsewhere (another tab, another client) is never overwritten.
 */
import {
  ApiProblem,
  answer,
  type Clip,
  call,
  client,
  type Project,
  type Result,
  type Template,
} from './api.ts';

/**
 * The item changed elsewhere since the page read it: nothing was written, and the page shows it anew. An
 * edit form keeps what was typed in it (its fields take the item as their default value), so saving again
 * is a choice made knowing of the other change.
 */
export class ChangedElsewhere extends ApiProblem {
  constructor(what: string, action: 'save' | 'delete') {
    super({
      type: 'about:blank',
      title: 'Precondition Failed',
      status: 412,
      detail:
        action === 'save'
          ? `This ${what} was changed elsewhere, so nothing was saved. The fields you left alone now show it as it is; what you typed is kept: save again to replace the other change with it.`
          : `This ${what} was changed elsewhere, so it was not deleted; it is shown as it is now.`,
    });
  }
}

/** Whether two items read from the API (JSON values) are the same, whatever the order of their keys. */
export function sameItem(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(x);
  return (
    keys.length === Object.keys(y).length && keys.every((k) => Object.hasOwn(y, k) && sameItem(x[k], y[k]))
  );
}

export interface Conditional<T, R> {
  /** The item's kind as the message names it: project, clip, template. */
  what: string;
  /** What the write does, for the message. */
  action: 'save' | 'delete';
  /** The item as the page shows it. */
  shown: T;
  /** The item's GET, which answers its ETag; a clip's without its signed links, as lists give it. */
  read: () => Promise<Result<T>>;
  /** The write, given the If-Match header to send. */
  write: (headers: { 'if-match'?: string }) => Promise<Result<R>>;
  /** Given the item as it is now, when it changed elsewhere. */
  reloaded: (current: T) => void;
}

/**
 * Runs `write` only if the item is still what the page shows. Lists answer no ETags and a PATCH answers
 * none, so the item's GET gives the current one: when its item differs from the page's, the write is not
 * sent; when it matches, the write carries its ETag, and a change that lands in between gets 412. Either
 * way the page gets the current item and ChangedElsewhere is thrown.
 */
export async function writeIfUnchanged<T, R>(c: Conditional<T, R>): Promise<R> {
  const { data: current, response } = await answer(c.read);
  if (!sameItem(current, c.shown)) return changed(c, current);
  const etag = response.headers.get('etag');
  try {
    return await call(() => c.write(etag ? { 'if-match': etag } : {}));
  } catch (error) {
    if (!(error instanceof ApiProblem && error.problem.status === 412)) throw error;
    return changed(c, await call(c.read));
  }
}

function changed<T>(c: Conditional<T, unknown>, current: T): never {
  c.reloaded(current);
  throw new ChangedElsewhere(c.what, c.action);
}

// What a write of a project, template or clip is conditioned on: the item as the page shows it, and its GET.
// The GETs go past the browser's cache: a public template may be kept there for a minute, and a stale copy
// would hide the change made elsewhere.
export const projectAsShown = (shown: Project, reloaded: (current: Project) => void) => ({
  what: 'project',
  shown,
  read: () =>
    client.GET('/v1/projects/{projectId}', { params: { path: { projectId: shown.id } }, cache: 'no-cache' }),
  reloaded,
});
export const templateAsShown = (shown: Template, reloaded: (current: Template) => void) => ({
  what: 'template',
  shown,
  read: () =>
    client.GET('/v1/templates/{templateId}', {
      params: { path: { templateId: shown.id } },
      cache: 'no-cache',
    }),
  reloaded,
});
/** A clip is compared without its signed links (they change on every read), as lists give it. */
export const clipAsShown = (shown: Clip, reloaded: (current: Clip) => void) => ({
  what: 'clip',
  shown,
  read: async () => {
    const { data, ...rest } = await client.GET('/v1/clips/{clipId}', {
      params: { path: { clipId: shown.id } },
      cache: 'no-cache',
    });
    if (!data) return rest;
    const { media: _, ...clip } = data;
    return { ...rest, data: clip };
  },
  reloaded,
});
