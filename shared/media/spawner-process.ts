/**
 * A small process that starts ffmpeg and ffprobe for the local server and relays their output and exit
 * over IPC (see spawner.ts). Run by node itself: Node's own type stripping, no imports but node:.
 * When the server goes away (the IPC channel closes), it kills every process it started and exits.
 */
import { type ChildProcess, spawn } from 'node:child_process';

type Request =
  | { type: 'spawn'; id: number; file: string; args: string[] }
  | { type: 'kill'; id: number; signal: NodeJS.Signals };

const children = new Map<number, ChildProcess>();
const send = (message: object) => {
  if (process.connected) process.send?.(message);
};

process.on('message', (request: Request) => {
  if (request.type === 'kill') {
    children.get(request.id)?.kill(request.signal);
    return;
  }
  const { id } = request;
  const child = spawn(request.file, request.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) {
    child.once('error', (error: NodeJS.ErrnoException) =>
      send({ type: 'failed', id, message: error.message, code: error.code }),
    );
    return;
  }
  children.set(id, child);
  send({ type: 'spawned', id, pid: child.pid });
  // Decoded here, so a character split across two reads arrives whole.
  child.stdout?.setEncoding('utf8').on('data', (data: string) => send({ type: 'stdout', id, data }));
  child.stderr?.setEncoding('utf8').on('data', (data: string) => send({ type: 'stderr', id, data }));
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
