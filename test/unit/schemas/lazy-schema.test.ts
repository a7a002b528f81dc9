/**
 * The API's schemas are built on first use (shared/schema/lazy.ts): loading a schema module, as every API
 * function does at cold start, builds none of them, and a stand-in behaves as the schema it builds.
 */
import { describe, expect, it, vi } from 'vitest';

const { calls, counted } = vi.hoisted(() => {
  const calls = { count: 0, names: new Set<string>() };
  /** The module with every factory counted; `config` (run once by schema/zod.ts when it loads) is not one. */
  const counted = (z: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(z).map(([key, value]) => [
        key,
        typeof value === 'function' && /^[a-z]/.test(key) && key !== 'config'
          ? (...args: unknown[]) => {
              calls.count += 1;
              calls.names.add(key);
              return (value as (...a: unknown[]) => unknown)(...args);
            }
          : value,
      ]),
    );
  return { calls, counted };
});

// Every zod/mini factory (z.object, z.string, z.uuid, …) counted; the classes stay as they are, so that
// `instanceof` still works.
vi.mock('zod/mini', async (importOriginal) => counted(await importOriginal<Record<string, unknown>>()));

const SCHEMA_MODULES = [
  '#shared/schema/common.ts',
  '#shared/account/schema.ts',
  '#shared/api-keys/schema.ts',
  '#shared/clips/schema.ts',
  '#shared/events/stream-schema.ts',
  '#shared/generation/schema.ts',
  '#shared/jobs/prompt.ts',
  '#shared/jobs/schema.ts',
  '#shared/projects/schema.ts',
  '#shared/templates/schema.ts',
  '#shared/usage/schema.ts',
  '#shared/users/schema.ts',
  '#shared/webhooks/schema.ts',
  '#shared/http/openapi.ts',
];

describe('lazy schemas', () => {
  it('loading every API schema module (and the OpenAPI module) builds no schema', async () => {
    for (const module of SCHEMA_MODULES) await import(module);
    expect([...calls.names]).toEqual([]);
    expect(calls.count).toBe(0);
  });

  it('a schema is built by its first use, once, and then parses as the schema itself', async () => {
    const { createTemplateBody } = await import('#shared/templates/schema.ts');
    const { builtSchema } = await import('#shared/schema/lazy.ts');
    const z = await import('zod/mini');
    const before = calls.count;
    const parsed = createTemplateBody.safeParse({ name: 'x', category: 'general', prompt: 'a fox' });
    expect(calls.count).toBeGreaterThan(before);
    const afterFirst = calls.count;
    const invalid = createTemplateBody.safeParse({ name: '', category: 'general', prompt: 'a fox' });
    expect(calls.count).toBe(afterFirst);
    expect(parsed.success).toBe(true);
    expect(invalid.success).toBe(false);
    expect(invalid.error?.issues[0]?.path).toEqual(['name']);
    expect(createTemplateBody instanceof z.ZodMiniType).toBe(true);
    expect(builtSchema(createTemplateBody)).toBe(builtSchema(createTemplateBody));
    expect(builtSchema(createTemplateBody)).not.toBe(createTemplateBody);
  });

  it('a stand-in can be extended and used inside another schema', async () => {
    const { pageQuery, uuid } = await import('#shared/schema/common.ts');
    const z = await import('#shared/schema/zod.ts');
    const query = z.strictObject(z.extend(pageQuery, { id: z.optional(uuid) }).shape);
    expect(query.parse({ limit: '5' })).toEqual({ limit: 5 });
    expect(query.safeParse({ id: 'not-a-uuid' }).success).toBe(false);
    expect(z.object({ id: uuid }).safeParse({ id: '0b8e7a52-6f1c-4d3e-9a7b-2c5d8e1f4a60' }).success).toBe(
      true,
    );
  });
});
