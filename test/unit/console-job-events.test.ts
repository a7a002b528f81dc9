import { describe, expect, it } from 'vitest';
import type { Job } from '../../console/src/api.ts';
import { frameParser, mergeJob } from '../../console/src/job-events.ts';

describe("the console's Server-Sent Events parser", () => {
  it('joins frames split across chunks and skips comments, retry hints and heartbeats', () => {
    const frames: unknown[] = [];
    const parse = frameParser((frame) => frames.push(frame));
    parse('retry: 1000\n\n: heartbeat\n\nid: evt_1_1\nevent: job.pro');
    expect(frames).toEqual([]);
    parse('gress\ndata: {"data":{"progress":40}}\n\nid: evt_1_2\r\nevent: job.completed\r');
    parse('\ndata: {"a":\ndata: 1}\r\n\r\n');
    expect(frames).toEqual([
      { id: 'evt_1_1', event: 'job.progress', data: '{"data":{"progress":40}}' },
      { id: 'evt_1_2', event: 'job.completed', data: '{"a":\n1}' },
    ]);
  });
});

describe("the console's view of a followed job", () => {
  const job = (over: Partial<Job>): Job =>
    ({ id: 'j1', status: 'QUEUED', jobType: 'GENERATE', progress: 0, queuePosition: 3, ...over }) as Job;
  const fromEvent = (over: Partial<Job>): Job => {
    const { queuePosition: _omitted, ...rest } = job(over);
    return rest as Job;
  };

  it('keeps the place read by GET while events (which do not carry it) report the job still queued', () => {
    expect(mergeJob(job({ queuePosition: 2 }), fromEvent({})).queuePosition).toBe(2);
    expect(mergeJob(undefined, fromEvent({})).queuePosition).toBeNull();
  });

  it('drops the place once the job has started, and takes a newer place from GET', () => {
    expect(mergeJob(job({}), fromEvent({ status: 'PROCESSING', progress: 5 })).queuePosition).toBeNull();
    expect(mergeJob(job({ queuePosition: 3 }), job({ queuePosition: 1 })).queuePosition).toBe(1);
  });

  it('never takes a started job back to QUEUED when a GET answers late', () => {
    const started = job({ status: 'PROCESSING', progress: 5, queuePosition: null });
    expect(mergeJob(started, job({ queuePosition: 1 }))).toBe(started);
  });

  it('never takes an ended job back to running, nor a running one to less progress, when a read answers late', () => {
    const ended = job({ status: 'COMPLETED', progress: 100, queuePosition: null });
    expect(mergeJob(ended, job({ status: 'PROCESSING', progress: 90, queuePosition: null }))).toBe(ended);
    const at60 = job({ status: 'PROCESSING', progress: 60, queuePosition: null });
    expect(mergeJob(at60, job({ status: 'PROCESSING', progress: 50, queuePosition: null }))).toBe(at60);
    expect(mergeJob(at60, fromEvent({ status: 'PROCESSING', progress: 70 })).progress).toBe(70);
    expect(mergeJob(at60, fromEvent({ status: 'FAILED', progress: 60 })).status).toBe('FAILED');
  });
});
