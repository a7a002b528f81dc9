/**
 * Follows a project's jobs through GET /v1/events. EventSource cannot send the bearer token, so this reads
 * the Server-Sent Events with fetch, and on a drop reconnects with the last id it saw.
 */
import { accessToken, config, type Job } from './api.ts';

/** Reconnections in a row that bring nothing before giving up (the caller then polls). */
const MAX_FAILURES = 3;

interface Frame {
  id?: string;
  event?: string;
  data: string;
}

/** Splits a chunked SSE body into frames (blank-line separated; comments and `retry:` carry no data). */
export function frameParser(onFrame: (frame: Frame) => void) {
  let buffer = '';
  let carriageReturn = false;
  return (chunk: string) => {
    // A CRLF may be split across chunks: the CR already counted as a line end.
    const text = carriageReturn && chunk.startsWith('\n') ? chunk.slice(1) : chunk;
    carriageReturn = text.endsWith('\r');
    buffer += text.replace(/\r\n?/g, '\n');
    let end = buffer.indexOf('\n\n');
    while (end !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const frame: Frame = { data: '' };
      const data: string[] = [];
      for (const line of block.split('\n')) {
        const colon = line.indexOf(':');
        if (colon === 0) continue;
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'id') frame.id = value;
        else if (field === 'event') frame.event = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length) onFrame({ ...frame, data: data.join('\n') });
      end = buffer.indexOf('\n\n');
    }
  };
}

const ACTIVE = new Set(['QUEUED', 'PROCESSING']);

/**
 * The job as last seen, given a newer reading (an event, or a GET). Events do not carry `queuePosition`
 * (only GET reads it): a job still QUEUED keeps the place last read. A reading that answers late (the job
 * list read when the stream opens, a poll) never takes a job back: not an ended job back to running, not a
 * started one back to QUEUED, not a running one to less progress.
 */
export function mergeJob(previous: Job | undefined, fresh: Job): Job {
  if (previous && !ACTIVE.has(previous.status) && ACTIVE.has(fresh.status)) return previous;
  if (previous && previous.status !== 'QUEUED' && fresh.status === 'QUEUED') return previous;
  if (
    previous?.status === 'PROCESSING' &&
    fresh.status === 'PROCESSING' &&
    fresh.progress < previous.progress
  )
    return previous;
  if (typeof fresh.queuePosition === 'number' || fresh.queuePosition === null) return fresh;
  const place = fresh.status === 'QUEUED' ? (previous?.queuePosition ?? null) : null;
  return { ...fresh, queuePosition: place };
}

export interface ProjectEventHandlers {
  /** A job of the project as one of its events carries it. */
  onJob(job: Job): void;
  /**
   * The stream is open with no event id to resume from: it carries what happens from now on, so whatever
   * happened before (since the jobs were last read) is to be read once with GET.
   */
  onOpen(): void;
}

const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * Follows every job of a project through one stream, GET /v1/events?projectId= (a user may hold only a
 * few streams open, so not one per job). It runs until `signal` aborts, resuming with the last event id
 * whenever the stream drops or its invocation ends; it rejects after MAX_FAILURES attempts in a row that
 * bring nothing (refused, or closed at once), so the caller can fall back to polling.
 */
export async function followProject(
  projectId: string,
  handlers: ProjectEventHandlers,
  signal: AbortSignal,
): Promise<void> {
  const base = (config.eventsUrl || config.apiUrl).replace(/\/$/, '');
  const url = `${base}/v1/events?projectId=${encodeURIComponent(projectId)}`;
  let lastId = '';
  let failures = 0;
  while (!signal.aborted) {
    // Anything at all (the stream starts with a retry hint) shows the stream is open.
    let opened = false;
    try {
      const headers: Record<string, string> = {
        authorization: `Bearer ${accessToken()}`,
        accept: 'text/event-stream',
      };
      if (lastId) headers['last-event-id'] = lastId;
      const res = await fetch(url, { headers, signal, cache: 'no-store' });
      if (!res.ok || !res.body) throw new Error(`The event stream answered ${res.status}.`);
      const parse = frameParser((frame) => {
        if (frame.id) lastId = frame.id;
        const envelope = JSON.parse(frame.data) as { data: Job };
        if (frame.event?.startsWith('job.')) handlers.onJob(envelope.data);
      });
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        if (!opened) {
          opened = true;
          failures = 0;
          if (!lastId) handlers.onOpen();
        }
        parse(value);
      }
    } catch (error) {
      if (signal.aborted) return;
      if (!opened) failures += 1;
      if (failures >= MAX_FAILURES) throw error;
      await pause(1000 * Math.max(1, failures), signal);
      continue;
    }
    // The server ended the stream (an invocation's time was spent): resume from the last id, a second
    // later as the stream's retry hint asks.
    if (!opened) failures += 1;
    if (failures >= MAX_FAILURES) throw new Error('The event stream keeps closing without events.');
    await pause(1000 * Math.max(1, failures), signal);
  }
}
