import { vi } from 'vitest';

/**
 * Copies everything the process writes to stdout and stderr into `lines` (one chunk per write), still
 * writing it through. `vi.restoreAllMocks()` ends the capture.
 */
export function captureOutput(lines: string[]): void {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: unknown[]) => {
      lines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return (write as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write);
  }
}
