/** The embedded environment alone (no API server), as the restart and shutdown tests start it. */
import type { LocalEnvironmentOptions } from '#infra/local/environment.ts';
import { keepingLogger } from './failure-logs.ts';
import { templateOption } from './pglite-template.ts';

/** A data dir that outlives each start, quick polls, no logs; the template seeds only a new database. */
export async function bareEnvironmentOptions(dataDir: string): Promise<LocalEnvironmentOptions> {
  return {
    dataDir,
    issuer: 'http://127.0.0.1:1',
    logger: keepingLogger(),
    pollMs: 50,
    ...(await templateOption()),
  };
}
