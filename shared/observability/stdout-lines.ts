/**
 * Lines for the function's stdout (EMF metrics, audit entries, the request log line). Each `write` is a
 * system call on Lambda's pipe, so a request's lines are gathered while `inOneWrite` runs and leave in a
 * single write; CloudWatch Logs still makes one log event of each line. Only synchronous work may run
 * inside, so lines of concurrent requests (the local server) can never be gathered together.
 */
let gathered: string | undefined;

export function writeStdoutLine(line: string): void {
  if (gathered === undefined) process.stdout.write(`${line}\n`);
  else gathered += `${line}\n`;
}

export function inOneWrite(fn: () => void): void {
  if (gathered !== undefined) {
    fn();
    return;
  }
  gathered = '';
  try {
    fn();
  } finally {
    const out = gathered;
    gathered = undefined;
    if (out) process.stdout.write(out);
  }
}
