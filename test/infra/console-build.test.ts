/**
 * The console build in console/dist is what `npm start` serves and `cdk synth` deploys; the test setup
 * builds it when it is stale, under NODE_ENV=test. It must be a production build all the same: no
 * development JSX runtime, and no path of the machine that built it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { CONSOLE_DIST } from '#infra/console/build.ts';
import { PROJECT_ROOT } from '#infra/constructs/app-function.ts';

it('holds no source path of the build machine and no development JSX', () => {
  const assets = path.join(CONSOLE_DIST, 'assets');
  const scripts = readdirSync(assets).filter((name) => name.endsWith('.js'));
  expect(scripts.length).toBeGreaterThan(0);
  for (const name of scripts) {
    const code = readFileSync(path.join(assets, name), 'utf8');
    expect(code.includes(PROJECT_ROOT), `${name} names ${PROJECT_ROOT}`).toBe(false);
    expect(code.includes('jsxDEV'), `${name} uses the development JSX runtime`).toBe(false);
  }
});
