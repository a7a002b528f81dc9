/** How webhook URLs are compared for the per-host cap and for duplicates (no database needed). */
import { describe, expect, it } from 'vitest';
import { MAX_WEBHOOKS_PER_HOST, targetHost, targetRefusal } from '#shared/webhooks/target-host.ts';

const existing = (...urls: string[]) => urls.map((url, i) => ({ id: `w${i}`, url }));

describe('webhook target comparison', () => {
  it('reads a name with and without its trailing dot as one host', () => {
    expect(targetHost('https://Hooks.Example.com./x')).toBe('hooks.example.com');
    expect(targetHost('https://hooks.example.com/x')).toBe('hooks.example.com');
  });

  it('refuses as a duplicate the same URL written with a trailing dot after the host, either way round', () => {
    expect(targetRefusal('https://hooks.example.com./in', existing('https://hooks.example.com/in'))).toMatch(
      /^Your webhook w0 already points at https:\/\/hooks\.example\.com\/in;/,
    );
    expect(
      targetRefusal('https://HOOKS.example.com/in#x', existing('https://hooks.example.com./in')),
    ).toMatch(/^Your webhook w0 already points at/);
  });

  it('still takes another path on the same host, up to the cap', () => {
    expect(
      targetRefusal('https://hooks.example.com./b', existing('https://hooks.example.com/a')),
    ).toBeUndefined();
    const full = existing(
      ...Array.from({ length: MAX_WEBHOOKS_PER_HOST }, (_, i) => `https://hooks.example.com/${i}`),
    );
    expect(targetRefusal('https://hooks.example.com./other', full)).toMatch(
      /webhooks to hooks\.example\.com;/,
    );
  });
});
