import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { API_TYPES_FILE, generateApiTypes } from '#infra/console/api-types.ts';

describe('the console’s generated client types', () => {
  it('match what the OpenAPI document generates now (else run `npx tsx infra/console/api-types.ts`)', async () => {
    const [committed, generated] = await Promise.all([readFile(API_TYPES_FILE, 'utf8'), generateApiTypes()]);
    for (const name of ['createJob: {', 'getClip: {', 'listProjects: {', 'Problem: {', 'ProjectPage: {'])
      expect(generated).toContain(name);
    expect(committed === generated, 'console/src/api-types.ts is stale').toBe(true);
  });
});
