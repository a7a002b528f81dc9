import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { busyTimes } from '../../../bench/_profile-summary.ts';

const dir = await mkdtemp(path.join(os.tmpdir(), 'profile-summary-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A profile whose only sample is a socket write under the given chain of callers (outermost first). */
async function profileOf(name: string, callers: string[]): Promise<string> {
  const urls = [...callers, 'node:_http_outgoing'];
  const nodes = urls.map((url, i) => ({
    id: i + 1,
    callFrame: { functionName: `f${i}`, url },
    children: [i + 2],
  }));
  nodes.push({ id: urls.length + 1, callFrame: { functionName: 'writev', url: '' }, children: [] });
  const file = path.join(dir, `${name}.cpuprofile`);
  await writeFile(file, JSON.stringify({ nodes, samples: [urls.length + 1], timeDeltas: [100] }));
  return file;
}

describe('profile summary', () => {
  it("charges a server's own response writes to sockets, not to calls to AWS", async () => {
    const file = await profileOf('server', ['file:///app/infra/local/server.ts', 'node:_http_server']);
    expect([...(await busyTimes([file])).totals.keys()]).toEqual([
      'sockets and HTTP (node:net, node:http, streams)',
    ]);
  });

  it("charges the SDK's request writes to the HTTP requests to AWS", async () => {
    const file = await profileOf('sdk', [
      'file:///app/node_modules/@smithy/node-http-handler/dist-cjs/index.js',
      'node:_http_client',
    ]);
    expect([...(await busyTimes([file])).totals.keys()]).toEqual([
      'HTTP requests to AWS services (the SDK client sockets)',
    ]);
  });
});
