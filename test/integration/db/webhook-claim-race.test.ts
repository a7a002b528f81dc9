/**
 * The per-endpoint bound on attempts in flight holds when claims overlap (two relay runs: a scheduled run
 * lasting past its minute). Claims that read the same rows cannot exceed it, since each may only take the
 * endpoint's first due deliveries; but a claim counts leases and ranks due deliveries in its own snapshot,
 * so two claims whose snapshots differ (a delivery that came due, stamped earlier than the rest, committed
 * between them) each took what their own snapshot allowed.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { rawRows } from '#shared/db/sql.ts';
import { DRIVER_CASES, describeEachDriver, type TestDatabase } from '#test/support/db-drivers.ts';
import type { Repositories } from '#test/support/repositories.ts';
import { newOwner, suiteDatabase } from '#test/support/repositories.ts';

const PER_ENDPOINT = 3;
const claimOptions = { limit: 100, perEndpoint: PER_ENDPOINT, perOwner: 1_000, leaseMs: 60_000 };

/** A webhook endpoint of a new user, and a way to give it due deliveries (one per job the user creates). */
async function newEndpoint(repos: Repositories) {
  const { user, project } = await newOwner(repos, 'claim', 'claims');
  const endpoint = await repos.webhooks.create({
    userId: user.id,
    url: 'https://example.com/hook',
    secret: 'whsec_AAAA',
  });
  return {
    id: endpoint.id,
    async addDue(n: number) {
      for (let i = 0; i < n; i += 1) {
        await repos.jobs.create({
          userId: user.id,
          projectId: project.id,
          jobType: 'GENERATE',
          prompt: 'x',
          parameters: {},
          concurrentLimit: 100,
        });
      }
    },
  };
}

async function leased(t: TestDatabase, endpointId: string): Promise<number> {
  const [row] = await rawRows<{ n: number }>(
    t.db,
    sql`SELECT count(*)::int AS n FROM webhook_deliveries
        WHERE endpoint_id = ${endpointId}::uuid AND lease_until > now()`,
  );
  return row!.n;
}

describeEachDriver('webhook claims racing on', (driver) => {
  const { t, repos } = suiteDatabase(driver);

  it('never leases more than the endpoint’s share when 8 claims run at once, 5 times over', async () => {
    for (let round = 0; round < 5; round += 1) {
      const endpoint = await newEndpoint(repos);
      await endpoint.addDue(PER_ENDPOINT * 8);
      const endpointId = endpoint.id;
      const claims = await Promise.all(Array.from({ length: 8 }, () => repos.deliveries.claim(claimOptions)));
      const mine = claims.flat().filter((d) => d.endpointId === endpointId);
      expect(new Set(mine.map((d) => d.id)).size).toBe(PER_ENDPOINT);
      expect(await leased(t, endpointId)).toBe(PER_ENDPOINT);
      const again = await repos.deliveries.claim(claimOptions);
      expect(again.filter((d) => d.endpointId === endpointId)).toEqual([]);
    }
  });
});

const nodePostgres = DRIVER_CASES.find((d) => d.name === 'node-postgres')!;

describe.skipIf(nodePostgres.skipReason !== undefined)(
  `webhook claims with different snapshots on node-postgres${nodePostgres.skipReason ? ` (skipped: ${nodePostgres.skipReason})` : ''}`,
  () => {
    const { t, repos } = suiteDatabase(nodePostgres);

    it('a claim that starts while another is still leasing takes nothing of that endpoint', async () => {
      const endpoint = await newEndpoint(repos);
      await endpoint.addDue(1);
      const endpointId = endpoint.id;
      const pool = (t.db as unknown as { $client: pg.Pool }).$client;
      const [failed] = await rawRows<{ id: string }>(
        t.db,
        sql`UPDATE webhook_deliveries SET status = 'failed' WHERE endpoint_id = ${endpointId}::uuid
            RETURNING id::text AS id`,
      );
      // A retry of that failed delivery, begun before the endpoint's other deliveries were written: its
      // time (the transaction's) ranks it first once it commits.
      const retry = await pool.connect();
      const tag = randomUUID().replaceAll('-', '');
      // Holds the first claim inside its statement, after it has read and locked its rows.
      await pool.query(`
        CREATE FUNCTION slow_${tag}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_sleep(0.3); RETURN NEW; END $$;
        CREATE TRIGGER slow_${tag} BEFORE UPDATE ON webhook_deliveries FOR EACH ROW
        WHEN (NEW.lease_until IS NOT NULL AND NEW.endpoint_id = '${endpointId}')
        EXECUTE FUNCTION slow_${tag}();`);
      try {
        await retry.query('BEGIN');
        await retry.query('SELECT now()');
        await endpoint.addDue(6);
        await retry.query(
          `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = now(), lease_until = NULL WHERE id = $1`,
          [failed!.id],
        );
        const first = repos.deliveries.claim(claimOptions);
        for (;;) {
          const { rows } = await pool.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity
             WHERE datname = current_database() AND wait_event = 'PgSleep'`,
          );
          if (rows[0]!.n > 0) break;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        await retry.query('COMMIT');
        const second = await repos.deliveries.claim(claimOptions);
        const claimed = [...(await first), ...second].filter((d) => d.endpointId === endpointId);
        expect(claimed).toHaveLength(PER_ENDPOINT);
        expect(await leased(t, endpointId)).toBe(PER_ENDPOINT);
      } finally {
        await retry.query('ROLLBACK').catch(() => {});
        retry.release();
        await pool.query(
          `DROP TRIGGER IF EXISTS slow_${tag} ON webhook_deliveries; DROP FUNCTION IF EXISTS slow_${tag}()`,
        );
      }
    });
  },
);
