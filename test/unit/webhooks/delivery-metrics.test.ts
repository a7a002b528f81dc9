/** Every webhook attempt is counted by outcome (WebhookDeliveries), through the deliverer's one report. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { captureMetrics } from '#shared/observability/metrics.ts';
import type { ClaimedDelivery, DeliveryQueue } from '#shared/webhooks/deliveries.ts';
import { createDeliverer } from '#shared/webhooks/dispatcher.ts';
import type { AttemptReport } from '#shared/webhooks/outcomes.ts';

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    res.statusCode = req.url === '/ok' ? 204 : 500;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const delivery = (path: string, attempt: number): ClaimedDelivery => ({
  id: `del_${path}_${attempt}`,
  endpointId: 'ep_1',
  attempt,
  url: `${base}${path}`,
  secrets: ['whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
  event: { seq: 1, txId: 7, type: 'webhook.test', data: { hello: 'world' }, createdAt: new Date() },
});

/** Records what the database would: success, a retry while attempts remain, then failure. */
const queue = {
  async record(d: ClaimedDelivery, result: { error?: string }) {
    if (result.error === undefined) return { status: 'succeeded' as const, endpointDisabled: false };
    return { status: d.attempt < 2 ? ('pending' as const) : ('failed' as const), endpointDisabled: false };
  },
} as unknown as DeliveryQueue;

it('writes one EMF record per attempt, dimensioned by outcome, and still tells the listener', async () => {
  const heard: AttemptReport[] = [];
  const deliverer = createDeliverer(queue, {
    policy: 'local',
    retryDelaysMs: [0],
    timeoutMs: 2_000,
    onOutcome: (r) => heard.push(r),
  });
  const records = await captureMetrics(async () => {
    await deliverer.deliver(delivery('/ok', 1));
    await deliverer.deliver(delivery('/down', 1));
    await deliverer.deliver(delivery('/down', 2));
  });
  expect(heard.map((r) => r.outcome)).toEqual(['succeeded', 'retrying', 'failed']);
  expect(records.map((r) => [r.outcome, r.WebhookDeliveries])).toEqual([
    ['delivered', 1],
    ['retried', 1],
    ['failed', 1],
  ]);
  for (const r of records) {
    expect(r._aws.CloudWatchMetrics[0]?.Namespace).toBe('AiVideo');
    expect(r._aws.CloudWatchMetrics[0]?.Metrics).toEqual([{ Name: 'WebhookDeliveries', Unit: 'Count' }]);
    expect(r._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service', 'stage', 'outcome']]);
  }
});

it('counts nothing when the attempt was not recorded (claimed again by another worker)', async () => {
  const stale = { record: async () => undefined } as unknown as DeliveryQueue;
  const deliverer = createDeliverer(stale, { policy: 'local', timeoutMs: 2_000 });
  const records = await captureMetrics(() => deliverer.deliver(delivery('/ok', 1)));
  expect(records).toEqual([]);
});
