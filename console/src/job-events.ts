/**
 * Follows one job through GET /v1/jobs/{jobId}/events. EventSource cannot send the bearer token, so this
 * reads the Server-Sent Events with fetch, and on a drop reconnects with the last id it saw.
 */
import { accessToken, config, type Job } from './api.ts';

const TERMINAL = new Set(['job.completed', 'job.failed']);
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

/**
 * The job as last seen, given a newer reading (an event, or a GET). Events do not carry `queuePosition`
 * (only GET reads it): a job still QUEUED keeps the place last read. A GET answered late never takes a
 * job that has started back to QUEUED.
 */
export function mergeJob(previous: Job | undefined, fresh: Job): Job {
  if (previous && previous.status !== 'QUEUED' && fresh.status === 'QUEUED') return previous;
  if (typeof fresh.queuePosition === 'number' || fresh.queuePosition === null) return fresh;
  const place = fresh.status === 'QUEUED' ? (previous?.queuePosition ?? null) : null;
  return { ...fresh, queuePosition: place };
}

/**
 * Calls `onJob` with the job as each of its events carries it. Resolves when the job has ended (or
 * `signal` aborts); rejects when the stream cannot be had, so the caller can fall back to polling.
 */
export async function followJob(
  jobId: string,
  onJob: (job: Job) => void,
  signal: AbortSignal,
): Promise<void> {
  const base = (config.eventsUrl || config.apiUrl).replace(/\/$/, '');
  const url = `${base}/v1/jobs/${encodeURIComponent(jobId)}/events`;
  let lastId = '';
  let failures = 0;
  while (!signal.aborted) {
    let ended = false;
    let received = false;
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
        received = true;
        const envelope = JSON.parse(frame.data) as { data: Job };
        if (frame.event?.startsWith('job.')) onJob(envelope.data);
        if (frame.event && TERMINAL.has(frame.event)) ended = true;
      });
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parse(value);
      }
    } catch (error) {
      if (signal.aborted) return;
      failures = received ? 1 : failures + 1;
      if (failures >= MAX_FAILURES) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000 * failures));
      continue;
    }
    if (ended) return;
    // The server ended the stream early (an invocation's time was spent): resume from the last id.
    failures = received ? 0 : failures + 1;
    if (failures >= MAX_FAILURES) throw new Error('The event stream keeps closing without events.');
  }
}
