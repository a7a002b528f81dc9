import { sql } from 'drizzle-orm';
import type { IdentityProvider } from '../auth/port.ts';
import type { Database } from '../db/database.ts';
import { rawRows } from '../db/sql.ts';
import { ConflictError } from '../errors.ts';
import type { JobRepository } from '../jobs/repository.ts';
import type { ObjectStore } from '../storage/port.ts';
import type { JobWorkflow } from '../workflow/port.ts';
import { exportsPrefix, userMediaPrefixes } from './exports.ts';
import type { AccountRecordStores } from './port.ts';
import { auditPseudonym } from './pseudonym.ts';

const ACCOUNT_DELETED = 'The account was deleted.';

export interface ErasureDeps {
  db: Database;
  jobs: JobRepository;
  store: ObjectStore;
  workflow: JobWorkflow;
  identity: IdentityProvider;
  records: AccountRecordStores;
  pseudonymKey: () => Promise<Uint8Array>;
}

/**
 * Erases an account, in an order that leaves nothing behind and can be repeated after a failure: running
 * jobs end FAILED and their executions stop (so nothing writes media afterwards), then the users row goes
 * and with it, through ON DELETE CASCADE, every row that names the user (projects, clips, jobs, templates,
 * public ones too, keys, exports, and any table added later with a cascading user_id), then every object
 * under the user's folders, the stored idempotent responses, the identity, and finally the audit entries
 * move under a keyed pseudonym.
 */
export async function eraseAccount(deps: ErasureDeps, userId: string): Promise<void> {
  const active = await rawRows<{ id: string }>(
    deps.db,
    sql`SELECT id::text AS id FROM generation_jobs
        WHERE user_id = ${userId}::uuid AND status IN ('QUEUED', 'PROCESSING')`,
  );
  await Promise.all(
    active.map((job) =>
      deps.jobs.cancel(userId, job.id, ACCOUNT_DELETED).catch((error: unknown) => {
        if (!(error instanceof ConflictError)) throw error;
      }),
    ),
  );
  await Promise.all(active.map((job) => deps.workflow.stop(job.id, ACCOUNT_DELETED)));
  await deps.db.execute(sql`DELETE FROM users WHERE id = ${userId}::uuid`);
  for (const prefix of [...userMediaPrefixes(userId), exportsPrefix(userId)]) {
    await deps.store.deletePrefix(prefix);
  }
  await deps.records.purgeIdempotency(userId);
  await deps.identity.deleteAccount(userId);
  await deps.records.pseudonymizeAudit(userId, auditPseudonym(await deps.pseudonymKey(), userId));
}
