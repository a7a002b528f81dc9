/** Imports flow one way: the domain and the shared vocabulary below it never import the HTTP layer. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SHARED = path.resolve(import.meta.dirname, '../../../shared');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

describe('shared layers', () => {
  const outsideHttp = sourceFiles(SHARED).filter((f) => !f.startsWith(path.join(SHARED, 'http') + path.sep));

  it.each(outsideHttp.map((f) => path.relative(SHARED, f)))('%s does not import shared/http', (file) => {
    const source = readFileSync(path.join(SHARED, file), 'utf8');
    const specifiers = [...source.matchAll(/\bfrom\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/g)].map(
      (m) => m[1] ?? m[2] ?? '',
    );
    const intoHttp = specifiers.filter(
      (s) =>
        s.startsWith('.') &&
        path.resolve(SHARED, path.dirname(file), s).startsWith(path.join(SHARED, 'http')),
    );
    expect(intoHttp).toEqual([]);
  });
});
