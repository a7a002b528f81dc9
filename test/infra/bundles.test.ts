import { describe, expect, it } from 'vitest';
import { FUNCTION_ENTRIES, STAND_IN_PACKAGES } from '#infra/functions.ts';
import { buildFunctionBundle } from '#test/support/function-bundle.ts';

describe('Lambda bundles', () => {
  it.each(FUNCTION_ENTRIES)(
    '$name carries no embedded stand-in and stays under 600 KB',
    async ({ entry }) => {
      const result = await buildFunctionBundle(entry);
      const inputs = Object.keys(result.metafile.inputs);
      const leaked = inputs.filter((input) =>
        STAND_IN_PACKAGES.some((pkg) => input.includes(`node_modules/${pkg}/`)),
      );
      expect(leaked).toEqual([]);
      expect(inputs.some((i) => i.includes('infra/local'))).toBe(false);
      const js = result.outputFiles.find((f) => f.path.endsWith('.js'))!;
      // 500 KB until X-Ray tracing (aws-xray-sdk-core and semver, about 100 KB minified) joined every bundle.
      expect(js.contents.byteLength).toBeLessThanOrEqual(600 * 1024);
    },
  );
});
