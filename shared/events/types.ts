/** What an event reports; the same names go to webhooks and the stream. */
export const EVENT_TYPES = [
  'job.created',
  'job.progress',
  'job.completed',
  'job.failed',
  'clip.deleted',
  'webhook.test',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Events a job stream ends after. */
export const TERMINAL_JOB_EVENTS: ReadonlySet<EventType> = new Set(['job.completed', 'job.failed']);

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
