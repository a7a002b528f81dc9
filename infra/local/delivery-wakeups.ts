import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { loggableError } from '#shared/db/errors.ts';

/** The channel the webhook_deliveries trigger notifies on commit (migration 0009). */
const CHANNEL = 'webhook_deliveries';

export interface WakeupOptions {
  /** Told once each time the server's connection is lost (never the URL, which carries credentials). */
  logger?: { warn(message: string, attributes: Record<string, unknown>): void };
  /** Waits between attempts to reopen a lost connection: `firstMs`, doubling up to `maxMs`. */
  backoff?: { firstMs: number; maxMs: number };
}

const DEFAULT_BACKOFF = { firstMs: 100, maxMs: 5_000 };

/**
 * Calls `wake` whenever new webhook deliveries are committed, through LISTEN on the embedded PGlite or on a
 * connection of its own to a PostgreSQL server. Returns the function that stops listening.
 *
 * A server's connection that drops (a restart, a terminated backend) is reopened with a growing wait, and
 * `wake` is called once it listens again, for the deliveries committed while nobody was listening.
 */
export async function listenForDeliveries(
  database: { client: PGlite } | { url: string },
  wake: () => void,
  options: WakeupOptions = {},
): Promise<() => Promise<void>> {
  if ('client' in database) return database.client.listen(CHANNEL, wake);
  const { firstMs, maxMs } = options.backoff ?? DEFAULT_BACKOFF;
  let stopped = false;
  // The connection listening, or being opened; the timer before the next attempt to open one.
  let current: pg.Client | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let delayMs = firstMs;

  const subscribe = async (): Promise<void> => {
    const client = new pg.Client({ connectionString: database.url });
    current = client;
    let listening = false;
    let lost = false;
    const onLost = (error?: unknown) => {
      if (!listening || lost || stopped) return;
      lost = true;
      if (current === client) current = undefined;
      client.end().catch(() => undefined);
      options.logger?.warn('webhook wake-ups lost their database connection; reopening it', {
        error: loggableError(error ?? new Error('Connection ended')),
      });
      schedule();
    };
    // Before listening, a failure rejects the attempt below; a listener must be there all along regardless,
    // as an 'error' event nobody listens to would bring the process down.
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', () => wake());
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      // Stopped during the attempt: stop() has ended this connection already.
      if (!stopped) {
        if (current === client) current = undefined;
        await client.end().catch(() => undefined);
      }
      throw error;
    }
    listening = true;
  };

  const schedule = () => {
    if (stopped) return;
    retry = setTimeout(() => {
      retry = undefined;
      subscribe().then(
        () => {
          delayMs = firstMs;
          wake();
        },
        () => {
          delayMs = Math.min(delayMs * 2, maxMs);
          schedule();
        },
      );
    }, delayMs);
  };

  await subscribe();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    retry = undefined;
    const client = current;
    current = undefined;
    await client?.end().catch(() => undefined);
  };
}
