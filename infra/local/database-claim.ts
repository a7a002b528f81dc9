/**
 * One `npm start` per PostgreSQL database (DATABASE_URL). A second server on the same database would take
 * the first one's running jobs for jobs a crash left behind and fail them, while the first still runs
 * them. A session-level advisory lock (per database) marks the server that uses it; PostgreSQL drops it
 * when that server's connection ends, `kill -9` included.
 */
import pg from 'pg';

/** The lock's key: "aivideo" in ASCII as a number. */
const LOCK_KEY = '27419030036178287';

export class DatabaseInUseError extends Error {
  constructor(url: string) {
    const { host, pathname } = new URL(url);
    super(
      `The database ${host}${pathname} is in use by another local server. Stop that one first (Ctrl+C in ` +
        `its terminal), or give this one another database with DATABASE_URL.`,
    );
    this.name = 'DatabaseInUseError';
  }
}

/** Takes the database's lock or throws DatabaseInUseError; `release` ends the session that holds it. */
export async function claimDatabase(url: string): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  // A dropped connection (the server restarted) only loses the claim; without a listener it would end
  // the process.
  client.on('error', () => {});
  await client.connect();
  const { rows } = await client.query<{ held: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS held', [
    LOCK_KEY,
  ]);
  if (!rows[0]?.held) {
    await client.end();
    throw new DatabaseInUseError(url);
  }
  return { release: () => client.end() };
}
