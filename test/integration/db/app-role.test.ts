/**
 * The application role on a real PostgreSQL: created by the migration step with the secret's password,
 * able to read and write the app's rows, unable to change the schema or read drizzle's journal.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAppRole, quoteIdentifier } from '#shared/db/app-role.ts';
import { rawRows } from '#shared/db/sql.ts';
import { DATABASE_URL, DRIVER_CASES, type TestDatabase } from '#test/support/db-drivers.ts';

/** True when `verifier` (pg_authid.rolpassword) is the SCRAM-SHA-256 verifier of `password`. */
function scramMatches(verifier: string, password: string): boolean {
  const m = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(verifier);
  if (!m) return false;
  const salted = pbkdf2Sync(password, Buffer.from(m[2]!, 'base64'), Number(m[1]), 32, 'sha256');
  const storedKey = createHash('sha256')
    .update(createHmac('sha256', salted).update('Client Key').digest())
    .digest('base64');
  return storedKey === m[3];
}

const serverCases = DRIVER_CASES.filter((d) => d.realServer);

describe.skipIf(!DATABASE_URL)('application role (needs DATABASE_URL)', () => {
  describe.each(serverCases)('through $name', (driver) => {
    let t: TestDatabase;
    let admin: pg.Client;
    const role = `app_rw_${randomBytes(6).toString('hex')}`;
    // Quotes, a backslash and a dollar sign: whatever the generator picks must arrive intact.
    const password = `p'a"s\\s$1${randomBytes(8).toString('hex')}`;

    beforeAll(async () => {
      t = await driver.open();
      const url = new URL(DATABASE_URL!);
      url.pathname = `/${await currentDatabase(t)}`;
      admin = new pg.Client({ connectionString: url.toString() });
      await admin.connect();
    });
    afterAll(async () => {
      await admin?.query(`DROP OWNED BY ${quoteIdentifier(role)}`).catch(() => {});
      await admin?.end();
      await t?.close();
      const c = new pg.Client({ connectionString: DATABASE_URL });
      await c.connect();
      await c.query(`DROP ROLE IF EXISTS ${quoteIdentifier(role)}`);
      await c.end();
    });

    async function asRole<T>(run: (c: pg.Client) => Promise<T>): Promise<T> {
      await admin.query(`SET ROLE ${quoteIdentifier(role)}`);
      try {
        return await run(admin);
      } finally {
        await admin.query('RESET ROLE');
      }
    }

    it('creates the role with the password, and sets a new password on the next deploy', async () => {
      await ensureAppRole(t.db, { username: role, password });
      const first = await admin.query<{ rolpassword: string; rolcanlogin: boolean; rolsuper: boolean }>(
        'SELECT rolpassword, rolcanlogin, rolsuper, rolcreaterole, rolcreatedb FROM pg_authid WHERE rolname = $1',
        [role],
      );
      expect(first.rows[0]).toMatchObject({
        rolcanlogin: true,
        rolsuper: false,
        rolcreaterole: false,
        rolcreatedb: false,
      });
      expect(scramMatches(first.rows[0]!.rolpassword, password)).toBe(true);

      await ensureAppRole(t.db, { username: role, password: `${password}-rotated` });
      const second = await admin.query<{ rolpassword: string }>(
        'SELECT rolpassword FROM pg_authid WHERE rolname = $1',
        [role],
      );
      expect(scramMatches(second.rows[0]!.rolpassword, `${password}-rotated`)).toBe(true);
      expect(scramMatches(second.rows[0]!.rolpassword, password)).toBe(false);
    });

    it('reads and writes rows of the app tables', async () => {
      await asRole(async (c) => {
        const inserted = await c.query<{ id: string }>(
          `INSERT INTO users (email, username, storage_limit) VALUES ('role@example.com', 'role_user', 1024) RETURNING id`,
        );
        const id = inserted.rows[0]!.id;
        await c.query(`UPDATE users SET username = 'role_user2' WHERE id = $1`, [id]);
        expect((await c.query('SELECT username FROM users WHERE id = $1', [id])).rows).toEqual([
          { username: 'role_user2' },
        ]);
        await c.query('DELETE FROM users WHERE id = $1', [id]);
      });
    });

    it('gets the same rights on tables a later migration creates', async () => {
      await admin.query('CREATE TABLE later_table (id int primary key)');
      await asRole(async (c) => {
        await c.query('INSERT INTO later_table VALUES (1)');
        expect((await c.query('SELECT id FROM later_table')).rows).toEqual([{ id: 1 }]);
      });
    });

    it('cannot change the schema, read other schemas or gain privileges', async () => {
      for (const ddl of [
        'CREATE TABLE sneaky (id int)',
        'DROP TABLE users',
        'ALTER TABLE users ADD COLUMN x int',
        'TRUNCATE users',
        'CREATE SCHEMA sneaky',
        'SELECT * FROM drizzle.__drizzle_migrations',
        `CREATE ROLE ${quoteIdentifier(`${role}_x`)}`,
      ]) {
        await expect(
          asRole((c) => c.query(ddl)),
          ddl,
        ).rejects.toThrow(/permission denied|must be owner/);
      }
    });
  });
});

async function currentDatabase(t: TestDatabase): Promise<string> {
  const [row] = await rawRows<{ name: string }>(t.db, sql`SELECT current_database()::text AS name`);
  return row!.name;
}
