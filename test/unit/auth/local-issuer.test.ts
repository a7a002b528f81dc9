import { describe, expect, it } from 'vitest';
import { LoginLimiter } from '#shared/auth/login-limiter.ts';
import { hashPassword, verifyPassword } from '#shared/auth/password.ts';
import { TooManyRequestsError } from '#shared/errors.ts';

describe('password hashing', () => {
  it('verifies the right password only, with a fresh salt each time', async () => {
    const a = await hashPassword('Secret123');
    const b = await hashPassword('Secret123');
    expect(a).not.toBe(b);
    expect(a).not.toContain('Secret123');
    expect(await verifyPassword('Secret123', a)).toBe(true);
    expect(await verifyPassword('Secret124', a)).toBe(false);
    expect(await verifyPassword('Secret123', 'garbage')).toBe(false);
  });
});

describe('login limiter', () => {
  it('lets a few failures through, then makes the caller wait longer each time', () => {
    let now = 0;
    const limiter = new LoginLimiter(3, 60_000, () => now);
    const keys = ['email:a@example.com'];
    for (let i = 0; i < 3; i += 1) {
      limiter.check(keys);
      limiter.fail(keys);
    }
    expect(() => limiter.check(keys)).toThrow(TooManyRequestsError);
    now += 1001;
    limiter.check(keys);
    limiter.fail(keys);
    now += 1001;
    expect(() => limiter.check(keys)).toThrow(TooManyRequestsError);
    now += 61_000;
    limiter.check(keys);
    limiter.fail(keys);
    limiter.succeed(keys);
    limiter.check(keys);
  });
});
