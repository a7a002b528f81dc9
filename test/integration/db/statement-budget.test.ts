import { expect, it } from 'vitest';
import { measureStatements } from '../../../bench/db-statements.ts';

/**
 * Writes that need one statement more than the budget, and why. A project's deletion locks its owner's row in
 * a statement of its own, so that the statements after it see every job inserted before the lock (READ
 * COMMITTED takes a snapshot per statement); see the repository's remove().
 */
const WRITE_BUDGET: Record<string, number> = { 'projects.remove': 3, 'projects.remove (If-Match)': 3 };

it('sends one statement per read and at most two per write (three where a lock must come first)', async () => {
  const rows = await measureStatements();
  expect(rows.length).toBeGreaterThan(25);
  for (const row of rows) {
    expect(row.statements, row.call).toBeGreaterThan(0);
    const budget = row.kind === 'read' ? 1 : (WRITE_BUDGET[row.call] ?? 2);
    expect(row.statements, row.call).toBeLessThanOrEqual(budget);
  }
});
