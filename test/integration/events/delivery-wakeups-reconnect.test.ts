/**
 * The local webhook sender's LISTEN connection to a PostgreSQL server comes back after it drops: a
 * terminated backend is replaced, wake-ups flow again, and stopping ends whatever is open or pending.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenForDeliveries, type WakeupOptions } from '#infra/local/delivery-wakeups.ts';
import { DATABASE_URL } from '#test/support/db-drivers.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, done: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** The server's URL for a connection named `app` (pg_stat_activity.application_name), through `port`. */
function urlFor(app: string, port?: number): string {
  const url = new URL(DATABASE_URL!);
  if (port) {
    url.hostname = '127.0.0.1';
    url.port = String(port);
  }
  url.searchParams.set('application_name', app);
  return url.toString();
}

/**
 * A TCP relay to the server that counts connection attempts and can refuse them (closing each at once)
 * or hold them (accepted, nothing relayed until released).
 */
async function startRelay() {
  const target = new URL(DATABASE_URL!);
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  };
  const relay = {
    attempts: [] as number[],
    refuse: false,
    hold: false,
    held: [] as net.Socket[],
    get open() {
      return sockets.size;
    },
    release() {
      relay.hold = false;
      for (const s of relay.held.splice(0)) forward(s);
    },
  };
  const forward = (socket: net.Socket) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    track(upstream);
    socket.pipe(upstream);
    upstream.pipe(socket);
    socket.on('close', () => upstream.destroy());
    upstream.on('close', () => socket.destroy());
    socket.resume();
  };
  const server = net.createServer((socket) => {
    relay.attempts.push(Date.now());
    track(socket);
    if (relay.refuse) socket.destroy();
    else if (relay.hold) {
      socket.pause();
      relay.held.push(socket);
    } else forward(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(relay, {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  });
}

describe.skipIf(!DATABASE_URL)('webhook wake-ups on a PostgreSQL server (needs DATABASE_URL)', () => {
  let admin: pg.Client;
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
  });

  const backends = async (app: string) =>
    (
      await admin.query<{ pid: number; query: string }>(
        'SELECT pid, query FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()',
        [app],
      )
    ).rows;
  const terminateListener = async (app: string) => {
    const { rows } = await admin.query(
      `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity
       WHERE query LIKE 'LISTEN%' AND datname = current_database() AND application_name = $1`,
      [app],
    );
    expect(rows).toEqual([{ ended: true }]);
  };
  const notify = () => admin.query('NOTIFY webhook_deliveries');

  /** A listener whose wake-ups and warnings the test reads. */
  async function listen(url: string, options: WakeupOptions = {}) {
    const seen = { wakes: 0, warnings: [] as string[] };
    const stop = await listenForDeliveries(
      { url },
      () => {
        seen.wakes += 1;
      },
      {
        ...options,
        logger: {
          warn: (message, attributes) => seen.warnings.push(JSON.stringify({ message, attributes })),
        },
      },
    );
    return { seen, stop };
  }

  it('listens again after its backend is terminated, waking once on re-subscribing and on later commits', async () => {
    const app = `wakeups-${randomUUID()}`;
    const { seen, stop } = await listen(urlFor(app));
    try {
      await notify();
      await until('the first wake-up', () => seen.wakes === 1);
      const [before] = await backends(app);
      expect(before?.query).toMatch(/^LISTEN/);

      await terminateListener(app);
      // Deliveries committed while nobody listened were missed: reconnecting wakes the sender once.
      await until('the wake-up after re-subscribing', () => seen.wakes === 2);
      const after = await backends(app);
      expect(after).toHaveLength(1);
      expect(after[0]!.pid).not.toBe(before!.pid);
      expect(after[0]!.query).toMatch(/^LISTEN/);
      expect(seen.warnings).toHaveLength(1);
      const password = new URL(DATABASE_URL!).password;
      for (const w of seen.warnings) {
        expect(w).not.toContain(DATABASE_URL);
        if (password) expect(w).not.toContain(password);
      }

      await notify();
      await until('the wake-up of a commit after reconnecting', () => seen.wakes === 3);
    } finally {
      await stop();
    }
    await until('no connection left', async () => (await backends(app)).length === 0);
  });

  it('stopped during the wait before reconnecting, leaves no connection and no timer behind', async () => {
    const relay = await startRelay();
    const app = `wakeups-${randomUUID()}`;
    try {
      const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
      const timersBefore = timers();
      // A wait long enough that a busy machine still stops before it ends.
      const waitMs = 1_500;
      const { seen, stop } = await listen(urlFor(app, relay.port), {
        backoff: { firstMs: waitMs, maxMs: waitMs },
      });
      await terminateListener(app);
      await until('the drop to be noticed', () => seen.warnings.length === 1);
      await stop();
      expect(relay.attempts).toHaveLength(1);
      expect(timers()).toBe(timersBefore);
      await sleep(waitMs + 500);
      expect(relay.attempts).toHaveLength(1);
      expect(relay.open).toBe(0);
      expect(await backends(app)).toEqual([]);
      expect(seen.wakes).toBe(0);
    } finally {
      await relay.close();
    }
  });

  it('stopped while reconnecting, closes the connection being opened and tries no more', async () => {
    const relay = await startRelay();
    const app = `wakeups-${randomUUID()}`;
    try {
      const { seen, stop } = await listen(urlFor(app, relay.port), { backoff: { firstMs: 20, maxMs: 20 } });
      relay.hold = true;
      await terminateListener(app);
      await until('the reconnect to be in flight', () => relay.held.length === 1);
      const stopping = stop();
      // The server answers only now, after stop() was called.
      relay.release();
      await stopping;
      await until('the connection being opened to close', () => relay.open === 0);
      await sleep(300);
      expect(relay.attempts).toHaveLength(2);
      expect(await backends(app)).toEqual([]);
      expect(seen.wakes).toBe(0);
    } finally {
      await relay.close();
    }
  });

  it('while the server refuses connections, retries with a doubling wait bounded by its maximum, warning once', async () => {
    const relay = await startRelay();
    const app = `wakeups-${randomUUID()}`;
    try {
      const { seen, stop } = await listen(urlFor(app, relay.port), { backoff: { firstMs: 20, maxMs: 80 } });
      try {
        relay.refuse = true;
        await terminateListener(app);
        await until('six refused retries', () => relay.attempts.length >= 7);
        const retries = relay.attempts.slice(1);
        const gaps = retries.slice(1).map((t, i) => t - retries[i]!);
        // 20, 40, then 80 ms apart (at least: a timer never fires early): the wait doubles to its maximum
        // and stays there, rather than retrying every 20 ms.
        expect(gaps.slice(2).every((g) => g >= 70)).toBe(true);
        expect(seen.warnings).toHaveLength(1);
        expect(seen.wakes).toBe(0);

        relay.refuse = false;
        await until('the wake-up after re-subscribing', () => seen.wakes === 1);
        expect(seen.warnings).toHaveLength(1);
        await notify();
        await until('the wake-up of a commit', () => seen.wakes === 2);
      } finally {
        await stop();
      }
      await until('no connection left', async () => (await backends(app)).length === 0);
    } finally {
      await relay.close();
    }
  });
});
