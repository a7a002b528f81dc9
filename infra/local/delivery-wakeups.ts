import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

/** The channel the webhook_deliveries trigger notifies on commit (migration 0009). */
const CHANNEL = 'webhook_deliveries';

/**
 * Calls `wake` whenever new webhook deliveries are committed, through LISTEN on the embedded PGlite or on a
 * connection of its own to a PostgreSQL server. Returns the function that stops listening.
 */
export async function listenForDeliveries(
  database: { client: PGlite } | { url: string },
  wake: () => void,
): Promise<() => Promise<void>> {
  if ('client' in database) return database.client.listen(CHANNEL, wake);
  const listener = new pg.Client({ connectionString: database.url });
  await listener.connect();
  // A lost connection only costs the wake-ups: the sender still looks for due deliveries on its own.
  listener.on('error', () => undefined);
  listener.on('notification', wake);
  await listener.query(`LISTEN ${CHANNEL}`);
  return () => listener.end();
}
