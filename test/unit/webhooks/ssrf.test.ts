import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_DELAYS_MS, retryDelay } from '#shared/webhooks/retry-schedule.ts';
import { sendWebhook } from '#shared/webhooks/sender.ts';
import { newWebhookSecret, signedHeaders } from '#shared/webhooks/signing.ts';
import { addressRefusal, checkTargetUrl, type Resolver } from '#shared/webhooks/ssrf.ts';

describe('webhook targets (deployed policy)', () => {
  it.each([
    'https://127.0.0.1/hook',
    'https://169.254.169.254/latest/meta-data',
    'https://10.0.0.5/hook',
    'https://172.16.3.4/hook',
    'https://192.168.1.1/hook',
    'https://[::ffff:127.0.0.1]/hook',
    'https://[::1]/hook',
    'https://[fd00::1]/hook',
    'https://0.0.0.0/hook',
    'https://100.64.0.1/hook',
    'http://example.com/hook',
    'https://localhost/hook',
    // A trailing dot names the same host (an absolute name): the name checks read it without the dot.
    'https://localhost./hook',
    'https://app.localhost./hook',
    'https://intranet./hook',
    'https://user:pw@example.com/hook',
    'ftp://example.com/x',
    'not a url',
  ])('refuses %s', (url) => {
    expect(() => checkTargetUrl(url, 'deployed')).toThrow();
  });

  it('accepts https on a public name or address', () => {
    expect(checkTargetUrl('https://hooks.example.com/x', 'deployed').host).toBe('hooks.example.com');
    expect(checkTargetUrl('https://8.8.8.8/x', 'deployed').host).toBe('8.8.8.8');
    expect(addressRefusal('2606:4700::1111', 'deployed')).toBeUndefined();
  });

  it.each(['::7f00:1', '::a9fe:a9fe', '::a00:5'])(
    'refuses the IPv4-compatible IPv6 address %s, as the IPv4 address it names would be',
    (address) => {
      expect(addressRefusal(address, 'deployed')).toMatch(/IPv4-compatible/);
      expect(() => checkTargetUrl(`https://[${address}]/hook`, 'deployed')).toThrow();
      expect(addressRefusal(address, 'local')).toMatch(/IPv4-compatible/);
    },
  );

  it('keeps :: and ::1 in their own ranges (npm start still reaches ::1)', () => {
    expect(addressRefusal('::1', 'local')).toBeUndefined();
    expect(addressRefusal('::1', 'deployed')).toMatch(/loopback/);
    expect(addressRefusal('::', 'local')).toMatch(/unspecified/);
  });

  it('lets npm start reach loopback over http, and nothing private', () => {
    expect(checkTargetUrl('http://127.0.0.1:4000/', 'local').port).toBe('4000');
    expect(checkTargetUrl('http://localhost:4000/', 'local').port).toBe('4000');
    expect(checkTargetUrl('http://localhost.:4000/', 'local').port).toBe('4000');
    expect(() => checkTargetUrl('http://10.0.0.5/', 'local')).toThrow();
    expect(() => checkTargetUrl('http://169.254.169.254/', 'local')).toThrow();
  });
});

describe('sending', () => {
  const loopbackName: Resolver = (_host, callback) => callback(null, [{ address: '127.0.0.1', family: 4 }]);

  it('refuses at connect time a public-looking name that resolves to loopback (deployed)', async () => {
    let hits = 0;
    const server = createServer((_req, res) => {
      hits += 1;
      res.writeHead(204).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      const result = await sendWebhook(`https://rebind.example.com:${port}/`, {}, '{}', {
        policy: 'deployed',
        timeoutMs: 2_000,
        resolve: loopbackName,
      });
      expect(result.error).toMatch(/loopback/);
      expect(result.statusCode).toBeUndefined();
      expect(hits).toBe(0);
    } finally {
      server.close();
    }
  });

  it('does not follow a redirect (to the metadata address or anywhere)', async () => {
    let followed = false;
    const server = createServer((req, res) => {
      if (req.url === '/elsewhere') followed = true;
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' }).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      const result = await sendWebhook(`http://127.0.0.1:${port}/`, {}, '{}', {
        policy: 'local',
        timeoutMs: 2_000,
      });
      expect(result).toMatchObject({ statusCode: 302, error: 'HTTP 302' });
      expect(followed).toBe(false);
    } finally {
      server.close();
    }
  });

  it('signs so that the reference library verifies with either secret during a rotation', () => {
    const [oldSecret, newSecret] = [newWebhookSecret(), newWebhookSecret()];
    const body = JSON.stringify({ id: 'evt_1_1', type: 'webhook.test', data: {} });
    const headers = signedHeaders('evt_1_1', body, [newSecret, oldSecret]);
    expect(new Webhook(oldSecret).verify(body, headers)).toMatchObject({ id: 'evt_1_1' });
    expect(new Webhook(newSecret).verify(body, headers)).toMatchObject({ id: 'evt_1_1' });
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
    expect(() => new Webhook(newSecret).verify(`${body} `, headers)).toThrow();
  });
});

describe('retry schedule', () => {
  it('keeps trying for more than 24 hours with growing, jittered waits, then stops', () => {
    const low = DEFAULT_RETRY_DELAYS_MS.map(
      (_, i) => retryDelay(i + 1, DEFAULT_RETRY_DELAYS_MS, () => 0) as number,
    );
    const high = DEFAULT_RETRY_DELAYS_MS.map(
      (_, i) => retryDelay(i + 1, DEFAULT_RETRY_DELAYS_MS, () => 1) as number,
    );
    expect(low.reduce((a, b) => a + b, 0)).toBeGreaterThan(24 * 3_600_000);
    for (let i = 1; i < low.length; i += 1) expect(low[i]).toBeGreaterThanOrEqual(low[i - 1] as number);
    expect(high.every((h, i) => h > (low[i] as number))).toBe(true);
    expect(retryDelay(DEFAULT_RETRY_DELAYS_MS.length + 1)).toBeUndefined();
  });
});
