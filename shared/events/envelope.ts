import type { Clip } from '../clips/repository.ts';
import { toClipResponse } from '../clips/response.ts';
import type { JobWithSources } from '../jobs/repository.ts';
import { toJobResponse } from '../jobs/response.ts';
import type { EventType } from './types.ts';

/** An outbox row as read back: its position (writing transaction, sequence) and what the trigger stored. */
export interface StoredEvent {
  seq: number;
  txId: number;
  type: EventType;
  data: Record<string, unknown>;
  createdAt: Date;
}

/** What webhooks and the stream carry. */
export interface EventEnvelope {
  id: string;
  type: EventType;
  createdAt: string;
  data: Record<string, unknown>;
}

/** The event id carries its position, so `Last-Event-ID` is enough to resume. */
export const eventId = (e: { txId: number; seq: number }) => `evt_${e.txId}_${e.seq}`;

export interface EventPosition {
  txId: number;
  seq: number;
}

export function parseEventId(id: string): EventPosition | undefined {
  const match = /^evt_(\d{1,18})_(\d{1,18})$/.exec(id.trim());
  if (!match) return undefined;
  return { txId: Number(match[1]), seq: Number(match[2]) };
}

const camel = (key: string) => key.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

/** A row as `to_jsonb` wrote it (snake_case, timestamps as text) in the shape drizzle reads it. */
function fromJsonRow<T>(row: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    out[camel(key)] = key.endsWith('_at') && typeof value === 'string' ? new Date(value) : value;
  }
  return out as T;
}

/** The envelope of an event, its data in the API's own response shapes. */
export function toEnvelope(event: StoredEvent): EventEnvelope {
  return {
    id: eventId(event),
    type: event.type,
    createdAt: event.createdAt.toISOString(),
    data: eventData(event),
  };
}

function eventData(event: StoredEvent): Record<string, unknown> {
  if (event.type === 'webhook.test') return event.data;
  if (event.type === 'clip.deleted') return toClipResponse(fromJsonRow<Clip>(event.data));
  const { clip, ...job } = event.data as { clip?: Record<string, unknown> };
  const view: Record<string, unknown> = toJobResponse(fromJsonRow<JobWithSources>(job));
  if (event.type === 'job.completed' && clip) view.clip = toClipResponse(fromJsonRow<Clip>(clip));
  return view;
}
