import { expect, it } from 'vitest';
import type { StoredEvent } from '#shared/events/envelope.ts';
import type { Outbox } from '#shared/events/outbox.ts';
import { HEARTBEAT_MS, streamEvents } from '#shared/events/stream.ts';
import { jobEventData } from '#test/support/event-rows.ts';

const event = (seq: number, type: StoredEvent['type']): StoredEvent => ({
  seq,
  txId: 700 + seq,
  type,
  data: jobEventData({ status: type === 'job.failed' ? 'FAILED' : 'QUEUED', progress: seq * 10 }),
  createdAt: new Date('2026-11-26T12:00:00Z'),
});

/** An outbox whose events appear in batches, one batch per read, then nothing. */
function scripted(batches: StoredEvent[][]): { outbox: Outbox; reads: { txId: number; seq: number }[] } {
  const reads: { txId: number; seq: number }[] = [];
  const outbox = {
    after: async (_user: string, position: { txId: number; seq: number }) => {
      reads.push(position);
      return batches.shift() ?? [];
    },
  } as unknown as Outbox;
  return { outbox, reads };
}

it('sends a comment heartbeat when nothing was written for the heartbeat interval (15 s by default)', async () => {
  expect(HEARTBEAT_MS).toBe(15_000);
  const { outbox } = scripted([]);
  const written: string[] = [];
  const stop = new AbortController();
  const done = streamEvents({
    outbox,
    userId: 'u',
    filter: {},
    from: { txId: 0, seq: 0 },
    endAfterTerminal: false,
    write: (t) => {
      written.push(t);
      if (written.filter((w) => w.startsWith(': heartbeat')).length === 2) stop.abort();
    },
    signal: stop.signal,
    pollMs: 5,
    heartbeatMs: 30,
  });
  expect(await done).toBe('closed');
  expect(written[0]).toBe('retry: 1000\n\n');
  expect(written.filter((w) => w === ': heartbeat\n\n')).toHaveLength(2);
});

it('frames each event with its id and type, reads on from the last one, and ends a job stream at its end', async () => {
  const { outbox, reads } = scripted([
    [event(1, 'job.created'), event(2, 'job.progress')],
    [event(3, 'job.failed'), event(4, 'job.progress')],
  ]);
  const written: string[] = [];
  const result = await streamEvents({
    outbox,
    userId: 'u',
    filter: { jobId: 'j' },
    from: { txId: 0, seq: 0 },
    endAfterTerminal: true,
    write: (t) => {
      written.push(t);
    },
    signal: new AbortController().signal,
    pollMs: 1,
  });
  expect(result).toBe('ended');
  expect(written.slice(1).map((w) => w.split('\n').slice(0, 2).join(' '))).toEqual([
    'id: evt_701_1 event: job.created',
    'id: evt_702_2 event: job.progress',
    'id: evt_703_3 event: job.failed',
  ]);
  expect(reads).toEqual([
    { txId: 0, seq: 0 },
    { txId: 702, seq: 2 },
  ]);
  const data = JSON.parse(written[1]?.split('\n')[2]?.slice('data: '.length) ?? '');
  expect(data).toEqual({
    id: 'evt_701_1',
    type: 'job.created',
    createdAt: '2026-11-26T12:00:00.000Z',
    // The job as GET /v1/jobs/{jobId} shows it: no owner id, no internal columns.
    data: {
      id: 'j',
      projectId: 'p',
      clipId: null,
      templateId: null,
      jobType: 'GENERATE',
      status: 'QUEUED',
      prompt: 'fox',
      parameters: {},
      progress: 10,
      errorMessage: null,
      startedAt: null,
      completedAt: null,
      createdAt: '2026-11-26T11:59:00.000Z',
      sourceClipIds: [],
    },
  });
});

it('renews its slot as it goes, and ends (for the client to resume) once the slot is lost', async () => {
  const { outbox } = scripted([]);
  const renewals: boolean[] = [];
  const result = await streamEvents({
    outbox,
    userId: 'u',
    filter: {},
    from: { txId: 0, seq: 0 },
    endAfterTerminal: false,
    write: () => undefined,
    signal: new AbortController().signal,
    pollMs: 5,
    lease: {
      everyMs: 10,
      renew: async () => {
        renewals.push(renewals.length < 2);
        return renewals.at(-1) as boolean;
      },
    },
  });
  expect(result).toBe('expired');
  expect(renewals).toEqual([true, true, false]);
});

it('asks whether its credential still stands before reading on, and ends at the first refusal', async () => {
  const { outbox, reads } = scripted([[event(1, 'job.created')], [event(2, 'job.progress')]]);
  const written: string[] = [];
  const answers = [true, false];
  const result = await streamEvents({
    outbox,
    userId: 'u',
    filter: {},
    from: { txId: 0, seq: 0 },
    endAfterTerminal: false,
    write: (t) => {
      written.push(t);
    },
    signal: new AbortController().signal,
    pollMs: 1,
    credential: { everyMs: 0, valid: async () => answers.shift() ?? false },
  });
  expect(result).toBe('refused');
  // The first check passed and one read followed; the second refused before the next read.
  expect(reads).toHaveLength(1);
  expect(written.slice(1).map((w) => w.split('\n')[0])).toEqual(['id: evt_701_1']);
});
