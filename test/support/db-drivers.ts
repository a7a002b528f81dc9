/**
 * The database drivers every repository suite runs on: PGlite, the Data API driver over a double backed by
 * PGlite and, when DATABASE_URL is set, node-postgres and the Data API driver over that server. Each call
 * gives a freshly migrated, empty database of its own.
 */
import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { type DatabaseHandle, StatementCounter } from '#shared/db/database.ts';
import { openDataApi } from '#shared/db/drivers/data-api.ts';
import { openNodePostgres } from '#shared/db/drivers/node-postgres.ts';
import { openPglite } from '#shared/db/drivers/pglite.ts';
import { migrate } from '#shared/db/migrate.ts';
import { createDataApiDouble, DOUBLE_ARNS, pgliteTarget, poolTarget } from './data-api-double.ts';

export interface TestDatabase extends DatabaseHandle {
  counter: StatementCounter;
}

export interface DriverCase {
  name: string;
  /** True when the server is a real PostgreSQL (concurrency properties hold only there). */
  realServer: boolean;
  open(): Promise<TestDatabase>;
}

export const DATABASE_URL = process.env.DATABASE_URL;

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

async function migrated(handle: DatabaseHandle, counter: StatementCounter): Promise<TestDatabase> {
  await migrate(handle.db);
  counter.reset();
  return { ...handle, counter };
}

const pgliteCase: DriverCase = {
  name: 'pglite',
  realServer: false,
  async open() {
    const counter = new StatementCounter();
    return migrated(await openPglite({ counter }), counter);
  },
};

const dataApiOnPglite: DriverCase = {
  name: 'data-api (PGlite behind the double)',
  realServer: false,
  async open() {
    const counter = new StatementCounter();
    const pglite = await PGlite.create();
    await pglite.exec(`SET TIME ZONE 'UTC'`);
    const double = createDataApiDouble(pgliteTarget(pglite));
    const handle = openDataApi({ ...DOUBLE_ARNS, client: double.client, counter });
    return migrated(
      {
        ...handle,
        close: async () => {
          double.restore();
          await pglite.close();
        },
      },
      counter,
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
  name: 'data-api (PostgreSQL behind the double)',
  realServer: true,
  async open() {
    const counter = new StatementCounter();
    const fresh = await freshServerDatabase();
    const pool = new pg.Pool({ connectionString: fresh.url, max: 20, options: '-c TimeZone=UTC' });
    pool.on('error', () => {}); // as in openNodePostgres: a dropped idle connection is not a test failure
    const double = createDataApiDouble(poolTarget(pool));
    const handle = openDataApi({ ...DOUBLE_ARNS, client: double.client, counter });
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
    );
  },
};

export const DRIVER_CASES: DriverCase[] = DATABASE_URL
  ? [pgliteCase, dataApiOnPglite, nodePostgresCase, dataApiOnServer]
  : [pgliteCase, dataApiOnPglite];
