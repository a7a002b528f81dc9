import { expect, it } from 'vitest';
import { measureStatements } from '../../../bench/db-statements.ts';

it('sends one statement per read and at most two per write', async () => {
  const rows = await measureStatements();
  expect(rows.length).toBeGreaterThan(25);
  for (const row of rows) {
    expect(row.statements, row.call).toBeGreaterThan(0);
    expect(row.statements, row.call).toBeLessThanOrEqual(row.kind === 'read' ? 1 : 2);
  }
});
