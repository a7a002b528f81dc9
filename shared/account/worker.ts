import type { AppContext } from '../runtime/context.ts';
import { eraseAccount } from './erase.ts';
import { writeAccountExport } from './export-writer.ts';
import type { AccountTask } from './port.ts';

/** What an export and an erasure use of the application's adapters. */
export type AccountTaskContext = Pick<
  AppContext,
  'db' | 'store' | 'exports' | 'jobs' | 'workflow' | 'identity' | 'accountRecords' | 'pseudonymKey'
>;

/** Runs one account task with the application's adapters (the account worker function, or `npm start`). */
export async function runAccountTask(ctx: AccountTaskContext, task: AccountTask): Promise<void> {
  if (task.kind === 'export') {
    await writeAccountExport(
      { db: ctx.db, store: ctx.store, exports: ctx.exports },
      task.userId,
      task.exportId,
    );
    return;
  }
  await eraseAccount(
    {
      db: ctx.db,
      jobs: ctx.jobs,
      store: ctx.store,
      workflow: ctx.workflow,
      identity: ctx.identity,
      records: ctx.accountRecords,
      pseudonymKey: ctx.pseudonymKey,
    },
    task.userId,
  );
}
