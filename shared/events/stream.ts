import { type EventPosition, eventId, toEnvelope } from './envelope.ts';
import type { EventFilter, Outbox } from './outbox.ts';
import { TERMINAL_JOB_EVENTS } from './types.ts';

export const HEARTBEAT_MS = 15_000;

export interface StreamOptions {
  outbox: Outbox;
  userId: string;
  filter: EventFilter;
  /** Where to start: after this position (a Last-Event-ID), or from events still to come. */
  from: EventPosition;
  /** A job's stream ends after the job's terminal event. */
  endAfterTerminal: boolean;
  write(text: string): Promise<void> | void;
  signal: AbortSignal;
  pollMs?: number;
  heartbeatMs?: number;
  /** End the stream after this long (a Lambda invocation is bounded); the client resumes from its last id. */
  maxDurationMs?: number;
  /** The stream's slot among its user's (stream-slots.ts), renewed every `everyMs`; lost, the stream ends. */
  lease?: { everyMs: number; renew(): Promise<boolean> };
  /**
   * Whether the credential the stream was opened with still stands (a key not revoked, an account not
   * erased) and what it is filtered by is still there, asked every `everyMs` before events are read;
   * refused, the stream ends.
   */
  credential?: { everyMs: number; valid(): Promise<boolean> };
}

/** One event in Server-Sent Events framing. */
export function sseFrame(id: string, type: string, data: unknown): string {
  return `id: ${id}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * Writes the caller's events as Server-Sent Events, polling the outbox, with a comment line as heartbeat
 * whenever nothing was written for `heartbeatMs`. Returns when the client leaves, the job ended, or the
 * duration is spent.
 */
export async function streamEvents(o: StreamOptions): Promise<'ended' | 'closed' | 'expired' | 'refused'> {
  const pollMs = o.pollMs ?? 500;
  const heartbeatMs = o.heartbeatMs ?? HEARTBEAT_MS;
  const deadline = o.maxDurationMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + o.maxDurationMs;
  let position = o.from;
  let lastWrite = Date.now();
  let lastRenewal = Date.now();
  let lastCheck = Date.now();
  // Tells clients how soon to reconnect if the stream drops.
  await o.write('retry: 1000\n\n');
  while (!o.signal.aborted) {
    if (o.credential && Date.now() - lastCheck >= o.credential.everyMs) {
      if (!(await o.credential.valid())) return 'refused';
      lastCheck = Date.now();
    }
    const events = await o.outbox.after(o.userId, position, o.filter, 100);
    for (const event of events) {
      await o.write(sseFrame(eventId(event), event.type, toEnvelope(event)));
      lastWrite = Date.now();
      position = { txId: event.txId, seq: event.seq };
      if (o.endAfterTerminal && TERMINAL_JOB_EVENTS.has(event.type)) return 'ended';
    }
    if (events.length === 100) continue;
    if (Date.now() >= deadline) return 'expired';
    if (o.lease && Date.now() - lastRenewal >= o.lease.everyMs) {
      if (!(await o.lease.renew())) return 'expired';
      lastRenewal = Date.now();
    }
    if (Date.now() - lastWrite >= heartbeatMs) {
      await o.write(': heartbeat\n\n');
      lastWrite = Date.now();
    }
    await sleep(pollMs, o.signal);
  }
  return 'closed';
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
