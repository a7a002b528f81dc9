/**
 * A small process that starts ffmpeg and ffprobe for the local server and relays their output and exit
 * over IPC (see spawner.ts). Plain JavaScript with no imports but node:, so any Node runs it as it is.
 * When the server goes away (the IPC channel closes), it kills every process it started and exits.
 */
import { spawn } from 'node:child_process';

/**
 * @typedef {{ type: 'spawn', id: number, file: string, args: string[] }
 *   | { type: 'kill', id: number, signal: NodeJS.Signals }} Request
 */

/** @type {Map<number, import('node:child_process').ChildProcess>} */
const children = new Map();
/** @param {object} message */
const send = (message) => {
  if (process.connected) process.send?.(message);
};

process.on('message', (/** @type {Request} */ request) => {
  if (request.type === 'kill') {
    children.get(request.id)?.kill(request.signal);
    return;
  }
  const { id } = request;
  const child = spawn(request.file, request.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) {
    child.once('error', (/** @type {NodeJS.ErrnoException} */ error) =>
      send({ type: 'failed', id, message: error.message, code: error.code }),
    );
    return;
  }
  children.set(id, child);
  send({ type: 'spawned', id, pid: child.pid });
  // Decoded here, so a character split across two reads arrives whole.
  child.stdout?.setEncoding('utf8').on('data', (data) => send({ type: 'stdout', id, data }));
  child.stderr?.setEncoding('utf8').on('data', (data) => send({ type: 'stderr', id, data }));
  child.once('close', (code, signal) => {
    children.delete(id);
    send({ type: 'close', id, code, signal });
  });
});

// Ctrl+C reaches the whole process group: the server stops its processes through this one, so it stays
// until the server has gone.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
process.on('disconnect', () => {
  for (const child of children.values()) child.kill('SIGKILL');
  process.exit(0);
});
