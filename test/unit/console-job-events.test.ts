import { describe, expect, it } from 'vitest';
import { frameParser } from '../../console/src/job-events.ts';

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
