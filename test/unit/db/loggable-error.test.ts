import { DrizzleQueryError } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { loggableError } from '#shared/db/errors.ts';

it("keeps a failed query's SQL state, constraint and cause name, and drops its parameters", () => {
  const cause = Object.assign(new Error('invalid input syntax for type uuid: "ann@example.com"'), {
    name: 'DatabaseError',
    code: '22P02',
    constraint: 'users_email_key',
  });
  const failed = new DrizzleQueryError('select * from users where email = $1', ['ann@example.com'], cause);
  const wrapped = new Error('register failed', { cause: failed });
  for (const error of [failed, wrapped]) {
    const logged = loggableError(error) as Record<string, unknown>;
    expect(JSON.stringify(logged)).not.toContain('ann@example.com');
    expect(logged).toMatchObject({
      query: 'select * from users where email = $1',
      sqlState: '22P02',
      constraint: 'users_email_key',
      causeName: 'DatabaseError',
    });
    expect(logged.stack).toMatch(/^\s+at /);
  }
  const plain = new Error('plain');
  expect(loggableError(plain)).toBe(plain);
});
