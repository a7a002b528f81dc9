import { describe, expect, it } from 'vitest';
import { FUNCTION_ENTRIES, STAND_IN_PACKAGES } from '#infra/functions.ts';
import { buildFunctionBundle } from '#test/support/function-bundle.ts';

describe('Lambda bundles', () => {
  it.each(FUNCTION_ENTRIES)(
    '$name carries no embedded stand-in and stays under 500 KB',
    async ({ entry }) => {
      const result = await buildFunctionBundle(entry);
      const inputs = Object.keys(result.metafile.inputs);
      const leaked = inputs.filter((input) =>
        STAND_IN_PACKAGES.some((pkg) => input.includes(`node_modules/${pkg}/`)),
      );
      expect(leaked).toEqual([]);
      expect(inputs.some((i) => i.includes('infra/local'))).toBe(false);
      const js = result.outputFiles.find((f) => f.path.endsWith('.js'))!;
      // The Tracer and the X-Ray SDK (about 135 KB) are a file beside the bundle
      // (infra/files-beside-bundle.ts).
      expect(js.contents.byteLength).toBeLessThanOrEqual(500 * 1024);
    },
  );

  // V8 compiles the whole bundle at load: Powertools idempotency and its JMESPath (about 45 KB) are a file
  // beside it that the first request with an Idempotency-Key loads (infra/files-beside-bundle.ts).
  it.each(FUNCTION_ENTRIES)('$name holds no Powertools idempotency code', async ({ entry }) => {
    const result = await buildFunctionBundle(entry);
    const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint);
    const inside = Object.entries(output?.inputs ?? {}).filter(
      ([input, { bytesInOutput }]) =>
        bytesInOutput > 0 && input.includes('node_modules/@aws-lambda-powertools/idempotency/'),
    );
    expect(inside.map(([input]) => input)).toEqual([]);
  });

  // A Unicode property class (\p{…}) costs V8 a parse when it compiles the bundle and another when the
  // expression is created, about 0.3 ms each: the text checks build theirs on first use (shared/schema/text.ts).
  const PROPERTY_CLASS_LITERAL = /\/(?:[^/\n\\]|\\.)*\\p\{(?:[^/\n\\]|\\.)*\/[dgimsy]*[uv][dgimsy]*/g;
  it.each(FUNCTION_ENTRIES.filter((f) => f.name.startsWith('api-')))(
    '$name holds no regular expression literal with a Unicode property class',
    async ({ entry }) => {
      const result = await buildFunctionBundle(entry);
      const js = result.outputFiles.find((f) => f.path.endsWith('.js'))!;
      expect(js.text.match(PROPERTY_CLASS_LITERAL) ?? []).toEqual([]);
    },
  );
});
