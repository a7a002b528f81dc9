/**
 * Lines for the function's stdout (EMF metrics, audit entries, the request log line). Each `write` is a
 * system call on Lambda's pipe, so a request's lines are gathered between `gatherStdoutLines` and
 * `flushStdoutLines` and leave in a single write; CloudWatch Logs still makes one log event of each line.
 * Only synchronous work may run in between, so lines of concurrent requests (the local server) can never
 * be gathered together.
 */
let gathered: string | undefined;

export function writeStdoutLine(line: string): void {
  if (gathered === undefined) process.stdout.write(`${line}\n`);
  else gathered += `${line}\n`;
}

/** Starts gathering; false when lines are gathered already (the caller that started flushes them). */
export function gatherStdoutLines(): boolean {
  if (gathered !== undefined) return false;
  gathered = '';
  return true;
}

/** Writes what was gathered in one write, and writes each line at once again from here on. */
export function flushStdoutLines(): void {
  const out = gathered;
  gathered = undefined;
  if (out) process.stdout.write(out);
}
