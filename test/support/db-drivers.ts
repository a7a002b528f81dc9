/**
 * The database drivers every repository suite runs on: PGlite, the Data API driver over a double backed by
 * PGlite and, when DATABASE_URL is set, node-postgres and the Data API driver over that server (without it,
 * those two suites are reported as skipped, with the reason in their name). Each call gives a freshly
 * migrated, empty database of its own (PGlite ones start from the migrated template; migrating them again
 * applies nothing). The Data API cases start paused: their first calls meet
 * DatabaseResumingException, as the first request to an auto-paused Aurora does.
 */
import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { describe } from 'vitest';
import { type DatabaseHandle, StatementCounter } from '#shared/db/database.ts';
import { openDataApi } from '#shared/db/drivers/data-api.ts';
import { openNodePostgres } from '#shared/db/drivers/node-postgres.ts';
import { openPglite } from '#shared/db/drivers/pglite.ts';
import { migrate } from '#shared/db/migrate.ts';
import {
  createDataApiDouble,
  type DataApiDouble,
  DOUBLE_ARNS,
  pgliteTarget,
  poolTarget,
} from './data-api-double.ts';
import { pgliteTemplate } from './pglite-template.ts';

export interface TestDatabase extends DatabaseHandle {
  counter: StatementCounter;
  /** The Data API double behind a data-api case. */
  double?: DataApiDouble;
}

export interface DriverCase {
  name: string;
  /** True when the server is a real PostgreSQL (concurrency properties hold only there). */
  realServer: boolean;
  /** Why this case cannot run here; undefined when it can. */
  skipReason?: string;
  /** `fromScratch`: PGlite cases run initdb and every migration instead of loading the template. */
  open(options?: { fromScratch?: boolean }): Promise<TestDatabase>;
}

export const DATABASE_URL = process.env.DATABASE_URL;

/** How many calls the Data API cases answer with DatabaseResumingException before the cluster is up. */
export const PAUSED_CALLS = 3;

/** The driver's retry policy in tests: the production shape with short waits. */
export const TEST_RETRY = { budgetMs: 20_000, baseDelayMs: 5, maxDelayMs: 50 };

/** A new empty database on the DATABASE_URL server, dropped on close. */
export async function freshServerDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!DATABASE_URL) throw new Error('DATABASE_URL is not set');
  const name = `t_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

async function migrated(
  handle: DatabaseHandle,
  counter: StatementCounter,
  double?: DataApiDouble,
): Promise<TestDatabase> {
  await migrate(handle.db);
  counter.reset();
  double?.pause(PAUSED_CALLS);
  return { ...handle, counter, double };
}

const pgliteCase: DriverCase = {
  name: 'pglite',
  realServer: false,
  async open({ fromScratch = false } = {}) {
    const counter = new StatementCounter();
    const template = fromScratch ? undefined : await pgliteTemplate();
    return migrated(await openPglite({ counter, ...(template ? { template } : {}) }), counter);
  },
};

const dataApiOnPglite: DriverCase = {
  name: 'data-api (PGlite behind the double, starting paused)',
  realServer: false,
  async open({ fromScratch = false } = {}) {
    const counter = new StatementCounter();
    const template = fromScratch ? undefined : await pgliteTemplate();
    const pglite = await PGlite.create(template ? { loadDataDir: template } : {});
    await pglite.exec(`SET TIME ZONE 'UTC'`);
    const double = createDataApiDouble(pgliteTarget(pglite));
    const handle = openDataApi({ ...DOUBLE_ARNS, client: double.client, counter, retry: TEST_RETRY });
    return migrated(
      {
        ...handle,
        close: async () => {
          double.restore();
          await pglite.close();
        },
      },
      counter,
      double,
    );
  },
};

const nodePostgresCase: DriverCase = {
  name: 'node-postgres',
  realServer: true,
  async open() {
    const counter = new StatementCounter();
    const fresh = await freshServerDatabase();
    const handle = openNodePostgres({ url: fresh.url, counter, max: 20 });
    return migrated(
      {
        ...handle,
        close: async () => {
          await handle.close();
          await fresh.drop();
        },
      },
      counter,
    );
  },
};

const dataApiOnServer: DriverCase = {
  name: 'data-api (PostgreSQL behind the double, starting paused)',
  realServer: true,
  async open() {
    const counter = new StatementCounter();
    const fresh = await freshServerDatabase();
    const pool = new pg.Pool({ connectionString: fresh.url, max: 20, options: '-c TimeZone=UTC' });
    pool.on('error', () => {}); // as in openNodePostgres: a dropped idle connection is not a test failure
    const double = createDataApiDouble(poolTarget(pool));
    const handle = openDataApi({ ...DOUBLE_ARNS, client: double.client, counter, retry: TEST_RETRY });
    return migrated(
      {
        ...handle,
        close: async () => {
          double.restore();
          await pool.end();
          await fresh.drop();
        },
      },
      counter,
      double,
    );
  },
};

const NO_SERVER = DATABASE_URL ? undefined : 'DATABASE_URL is not set, so there is no PostgreSQL server';

export const DRIVER_CASES: DriverCase[] = [
  pgliteCase,
  dataApiOnPglite,
  { ...nodePostgresCase, skipReason: NO_SERVER },
  { ...dataApiOnServer, skipReason: NO_SERVER },
];

/**
 * One describe block per driver; a driver that cannot run here is reported as skipped, with the reason in
 * its name, rather than left out.
 */
export function describeEachDriver(title: string, body: (driver: DriverCase) => void): void {
  for (const driver of DRIVER_CASES) {
    const name = driver.skipReason
      ? `${title} ${driver.name} (skipped: ${driver.skipReason})`
      : `${title} ${driver.name}`;
    describe.skipIf(driver.skipReason !== undefined)(name, () => body(driver));
  }
}
