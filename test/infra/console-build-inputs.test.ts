/**
 * The console is rebuilt when one of its inputs is newer than the build: every file outside console/ that
 * its sources import must be among them, or a change there (a new event type, a tier's limits) leaves
 * `npm start` serving a stale build.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { CONSOLE_INPUTS } from '#infra/console/build.ts';

const SOURCES = fileURLToPath(new URL('../../console/src/', import.meta.url));

it('counts every file the console imports from outside console/ among the build inputs', () => {
  const imported = readdirSync(SOURCES, { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.tsx?$/.test(name))
    .flatMap((name) => {
      const file = path.join(SOURCES, name);
      return [...readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)].map((m) =>
        path.resolve(path.dirname(file), m[1]!),
      );
    });
  const outside = imported.filter((file) => !file.startsWith(path.resolve(SOURCES, '..')));
  expect(outside.length).toBeGreaterThan(0);
  const uncovered = outside.filter(
    (file) => !CONSOLE_INPUTS.some((input) => file === input || file.startsWith(input)),
  );
  expect(uncovered).toEqual([]);
});
