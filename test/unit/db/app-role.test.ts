import { describe, expect, it } from 'vitest';
import {
  appRoleLogin,
  ensureAppRole,
  parseRoleSecret,
  quoteIdentifier,
  quoteLiteral,
} from '#shared/db/app-role.ts';
import type { Database } from '#shared/db/database.ts';

describe('quoting', () => {
  it('quotes identifiers and literals so no value can end them', () => {
    expect(quoteIdentifier('app_rw')).toBe('"app_rw"');
    expect(quoteIdentifier('a"b')).toBe('"a""b"');
    expect(quoteLiteral("it's")).toBe("'it''s'");
    expect(quoteLiteral('back\\slash')).toBe("E'back\\\\slash'");
    expect(quoteLiteral("x'; DROP TABLE users; --")).toBe("'x''; DROP TABLE users; --'");
    expect(() => quoteLiteral('nul\0')).toThrow(/NUL/);
    expect(() => quoteIdentifier('')).toThrow();
  });

  it('creates a login role with no other attribute, or sets its password', () => {
    expect(appRoleLogin({ username: 'app_rw', password: "p'w" }, false)).toBe(
      `CREATE ROLE "app_rw" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD 'p''w'`,
    );
    expect(appRoleLogin({ username: 'app_rw', password: 'pw' }, true)).toMatch(
      /^ALTER ROLE "app_rw" WITH LOGIN/,
    );
  });
});

describe('parseRoleSecret', () => {
  it('reads username and password from a Secrets Manager database secret', () => {
    expect(parseRoleSecret('{"username":"app_rw","password":"s3cret","engine":"postgres"}')).toEqual({
      username: 'app_rw',
      password: 's3cret',
    });
    expect(() => parseRoleSecret('{"username":"app_rw"}')).toThrow(/username and a password/);
    expect(() => parseRoleSecret('not json')).toThrow(/not JSON/);
  });
});

describe('ensureAppRole', () => {
  it('never lets the password reach an error message', async () => {
    const password = 'TopSecret-123';
    let calls = 0;
    const db = {
      execute: async (query: unknown) => {
        calls += 1;
        if (calls === 1) return { rows: [] };
        const cause = Object.assign(new Error(`syntax error near PASSWORD '${password}'`), { code: '42601' });
        throw new Error(`Failed query: ${JSON.stringify(query)} PASSWORD '${password}'`, { cause });
      },
    } as unknown as Database;
    const error = await ensureAppRole(db, { username: 'app_rw', password }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('Could not create the database role app_rw (Error 42601)');
    expect(JSON.stringify(error)).not.toContain(password);
    expect((error as Error).cause).toBeUndefined();
  });
});
