/**
 * What `npm start` prints when it cannot start: a sentence saying what to do, not a stack trace (the stack
 * only with LOG_LEVEL=DEBUG).
 */
import { DataDirDamagedError } from './data-dir-damage.ts';
import { DataDirInUseError } from './data-dir-lock.ts';
import { DatabaseInUseError } from './database-claim.ts';

export function startFailureMessage(error: unknown, where: { dataDir: string; port: number }): string {
  if (
    error instanceof DataDirInUseError ||
    error instanceof DataDirDamagedError ||
    error instanceof DatabaseInUseError
  ) {
    return error.message;
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') {
    return `Port ${where.port} is in use by another program; start on another one with PORT=${where.port + 1} npm start.`;
  }
  const reason = error instanceof Error ? error.message : String(error);
  // Anything else that fails while the stand-ins open their files (dynalite's LevelDB, s3rver's folder).
  return (
    `The local server could not start: ${reason}. If it was stopped abruptly before, a part of ${where.dataDir} ` +
    `may be damaged: move that folder aside (or set DATA_DIR to another one) to start with empty data.`
  );
}

/** Prints why the start failed and ends the process. */
export function failStart(error: unknown, where: { dataDir: string; port: number }): never {
  process.stderr.write(`\n${startFailureMessage(error, where)}\n`);
  if (process.env.LOG_LEVEL === 'DEBUG' && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  process.exit(1);
}
