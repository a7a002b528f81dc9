/**
 * The names of the environment variables the code may read: the ones the stacks set, and the ones the
 * sources read (`process.env.X`, `env.X`, `config.X`, and the keys of shared/config.ts's rules and of the
 * functions' own environment schemas). Names Lambda itself sets are left out.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Set by Lambda, or read by libraries (Powertools, X-Ray) with defaults of their own. */
const LAMBDA_SET = /^(AWS_|_|LAMBDA_|NODE_DEBUG$|DEBUG_|POWERTOOLS_)/;

function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => path.join(dir, f));
}

export function collectEnvNames(root: string, setByStacks: string[]): Set<string> {
  const names = new Set(setByStacks);
  for (const file of [...sources(path.join(root, 'shared')), ...sources(path.join(root, 'functions'))]) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\b(?:process\.env|env|config)\.([A-Z][A-Z0-9_]{2,})\b/g)) names.add(m[1]!);
    // Environment schemas: shared/config.ts's rules and the functions' own (zod).
    const keys = file.endsWith('shared/config.ts')
      ? /^\s+([A-Z][A-Z0-9_]{2,}): /gm
      : /^\s+([A-Z][A-Z0-9_]{2,}): z\./gm;
    for (const m of text.matchAll(keys)) names.add(m[1]!);
  }
  return new Set([...names].filter((n) => !LAMBDA_SET.test(n)));
}
