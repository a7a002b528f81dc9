/** The API client (openapi-fetch over the generated types), the session and problem+json handling. */
import createClient from 'openapi-fetch';
import type { components, paths } from './api-types.ts';
import { fieldErrors, type Problem, problemOf } from './problems.ts';

export type Schemas = components['schemas'];
export type Project = Schemas['Project'];
export type Clip = Schemas['Clip'];
export type Job = Schemas['Job'];
export type Template = Schemas['Template'];
export type User = Schemas['User'];
export type Model = Schemas['Model'];
export type Usage = paths['/v1/me/usage']['get']['responses'][200]['content']['application/json'];
export type { Problem };

/**
 * What the site fetches from config.json: the API's URL and the event stream's (empty: this origin), and
 * the user pool.
 */
export interface SiteConfig {
  apiUrl: string;
  eventsUrl?: string;
  region?: string;
  userPoolId?: string;
  userPoolClientId?: string;
}

/** A problem+json answer, with its field errors keyed by field (`body.title` → `title`). */
export class ApiProblem extends Error {
  readonly fields: Record<string, string>;
  constructor(readonly problem: Problem) {
    super(problem.detail || problem.title);
    this.fields = fieldErrors(problem);
  }
}

/** A refusal of one field found before anything is sent, shown beside the field as the API's would be. */
export const fieldProblem = (field: string, message: string) =>
  new ApiProblem({
    type: 'about:blank',
    title: 'Bad Request',
    status: 400,
    detail: message,
    errors: [{ path: field, message }],
  });

const SESSION_KEY = 'ai-video.session';
interface Session {
  accessToken: string;
  refreshToken?: string;
}

let session: Session | null = readSession();
const listeners = new Set<() => void>();

function readSession(): Session | null {
  try {
    return JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null') as Session | null;
  } catch {
    return null;
  }
}

function setSession(next: Session | null) {
  session = next;
  if (next) sessionStorage.setItem(SESSION_KEY, JSON.stringify(next));
  else sessionStorage.removeItem(SESSION_KEY);
  for (const listener of listeners) listener();
}

export const signedIn = () => session !== null;
export const accessToken = () => session?.accessToken ?? '';
export function onSessionChange(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
/** Why the last session ended, when the user did not end it (shown on the sign-in page). */
let notice = '';
export const sessionNotice = () => notice;
export function signOut(why = '') {
  notice = why;
  setSession(null);
}

export let config: SiteConfig = { apiUrl: '' };
export let client = createClient<paths>({ baseUrl: '' });

export async function loadConfig(): Promise<void> {
  const res = await fetch('config.json', { cache: 'no-store' });
  if (res.ok) config = (await res.json()) as SiteConfig;
  client = createClient<paths>({ baseUrl: config.apiUrl.replace(/\/$/, '') });
  client.use({
    onRequest({ request }) {
      if (session && !request.headers.has('authorization'))
        request.headers.set('authorization', `Bearer ${session.accessToken}`);
      return request;
    },
  });
}

/** What an openapi-fetch call answers. */
export interface Result<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * Runs one call and returns its data; a 401 refreshes the tokens once and retries, a problem throws
 * ApiProblem.
 */
export async function call<T>(run: () => Promise<Result<T>>): Promise<T> {
  return (await answer(run)).data;
}

/** As call, with the answer's response beside its data (for its headers). */
export async function answer<T>(run: () => Promise<Result<T>>): Promise<{ data: T; response: Response }> {
  let result = await run();
  if (result.response.status === 401 && session?.refreshToken && (await refresh())) result = await run();
  if (result.response.status === 401 && session)
    signOut('Your session has ended; sign in again to carry on where you were.');
  if (!result.response.ok) {
    const { status, statusText, headers } = result.response;
    throw new ApiProblem(
      problemOf(result.error, { status, statusText, retryAfter: headers.get('retry-after') }),
    );
  }
  return { data: result.data as T, response: result.response };
}

async function refresh(): Promise<boolean> {
  const refreshToken = session?.refreshToken;
  if (!refreshToken) return false;
  const { data } = await client.POST('/v1/auth/refresh', { body: { refreshToken } });
  if (!data) return false;
  setSession({ accessToken: data.accessToken, refreshToken: data.refreshToken ?? refreshToken });
  return true;
}

export async function logIn(email: string, password: string): Promise<void> {
  const tokens = await call(() => client.POST('/v1/auth/login', { body: { email, password } }));
  notice = '';
  setSession({
    accessToken: tokens.accessToken,
    ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
  });
}

/** A failure outside the API (the storage refusing a file, a file that is not a video) told as it is. */
export class Failure extends Error {}

/** A message for anything thrown by a call. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiProblem || error instanceof Failure) return error.message;
  return 'The service could not be reached; check the connection and try again.';
}
