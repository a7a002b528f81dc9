import { eq, sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlErrorInfo } from '#shared/db/errors.ts';
import { migrationsFolder } from '#shared/db/migrate.ts';
import { rawRows } from '#shared/db/sql.ts';
import { users } from '#shared/db/tables.ts';
import { DRIVER_CASES, describeEachDriver, type TestDatabase } from '#test/support/db-drivers.ts';

describeEachDriver('database driver:', (driver) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await driver.open();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('round-trips uuids, timestamps, bigints and json through the driver', async () => {
    const big = 1024 ** 4;
    const [created] = await t.db
      .insert(users)
      .values({ email: 'rt@example.com', username: 'round_trip', storageLimit: big })
      .returning();
    expect(created?.storageLimit).toBe(big);
    expect(created?.createdAt).toBeInstanceOf(Date);
    expect(Math.abs((created?.createdAt.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
    const [found] = await t.db.select().from(users).where(eq(users.id, created!.id));
    expect(found?.createdAt.toISOString()).toBe(created?.createdAt.toISOString());
  });

  it('rejects a row that breaks a CHECK constraint', async () => {
    const error = await t.db
      .insert(users)
      .values({ email: 'bad@example.com', username: 'x', storageLimit: 1 })
      .catch((e: unknown) => e);
    expect(sqlErrorInfo(error)).toMatchObject({ sqlState: '23514', constraint: 'users_username_format' });
  });

  it('runs transactions and rolls back on error', async () => {
    await expect(
      t.db.transaction(async (tx) => {
        await tx.insert(users).values({ email: 'tx@example.com', username: 'in_tx', storageLimit: 1 });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const rows = await t.db.select().from(users).where(eq(users.email, 'tx@example.com'));
    expect(rows).toHaveLength(0);
  });
});

describeEachDriver('migrations through', (driver) => {
  /** Every table and column of the public schema, and how many migrations the journal records. */
  async function shape(t: TestDatabase) {
    const columns = await rawRows<{ c: string }>(
      t.db,
      sql`SELECT table_name || '.' || column_name || ':' || data_type AS c FROM information_schema.columns
          WHERE table_schema = 'public' ORDER BY 1`,
    );
    const [journal] = await rawRows<{ n: number }>(
      t.db,
      sql`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`,
    );
    return { columns: columns.map((r) => r.c), migrations: journal?.n };
  }

  it('apply every migration to an empty database, leaving what the suites start from', async () => {
    const scratch = await driver.open({ fromScratch: true });
    const usual = await driver.open();
    try {
      const built = await shape(scratch);
      expect(built.migrations).toBe(readMigrationFiles({ migrationsFolder: migrationsFolder() }).length);
      expect(built.columns).toContain('users.email:text');
      expect(await shape(usual)).toEqual(built);
    } finally {
      await scratch.close();
      await usual.close();
    }
  });
});

describe('Data API typing rules in the double', () => {
  const dataApi = DRIVER_CASES.find((d) => d.name.startsWith('data-api'))!;
  let t: TestDatabase;
  beforeAll(async () => {
    t = await dataApi.open();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('fails an uncast string compared with a uuid column, as Aurora does', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    const error = await t.db.execute(sql`SELECT 1 FROM users WHERE id = ${id}`).catch((e: unknown) => e);
    expect(sqlErrorInfo(error).message).toMatch(/operator does not exist: uuid = character varying/);
    expect(sqlErrorInfo(error).sqlState).toBe('42883');
    await expect(t.db.execute(sql`SELECT 1 FROM users WHERE id = ${id}::uuid`)).resolves.toBeDefined();
  });
});
