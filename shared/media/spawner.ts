/**
 * Starts ffmpeg and ffprobe through a small helper process (spawner-process.mjs) instead of forking the
 * server. Linux copies the parent's page tables on every fork, and the local server holds hundreds of MB
 * (PGlite, dynalite, s3rver, the SDK): each spawn from it blocked the event loop for 25–80 ms, several
 * times on a job's critical path; the helper, a bare node process, forks in a few. What it answers is the
 * part of a ChildProcess that ffmpeg.ts uses: pid, exit and close, stdout and stderr data, kill, an abort
 * signal.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';

type Reply =
  | { type: 'spawned'; id: number; pid: number }
  | { type: 'failed'; id: number; message: string; code?: string }
  | { type: 'stdout' | 'stderr'; id: number; data: string }
  | { type: 'close'; id: number; code: number | null; signal: NodeJS.Signals | null };

export class SpawnedProcess extends EventEmitter {
  pid: number | undefined;
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  readonly stdout = new EventEmitter();
  readonly stderr = new EventEmitter();
  private readonly signalTo: (signal: NodeJS.Signals) => void;
  constructor(signalTo: (signal: NodeJS.Signals) => void) {
    super();
    this.signalTo = signalTo;
  }
  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    if (this.exitCode !== null || this.signalCode !== null) return false;
    this.signalTo(signal);
    return true;
  }
}

const HELPER = fileURLToPath(new URL('./spawner-process.mjs', import.meta.url));
let helper: ChildProcess | undefined;
let nextId = 1;
const live = new Map<number, SpawnedProcess>();

function settle(id: number, apply: (p: SpawnedProcess) => void) {
  const p = live.get(id);
  if (!p) return;
  live.delete(id);
  // The helper's channel keeps the server alive only while something it started runs.
  if (live.size === 0) helper?.channel?.unref();
  apply(p);
}

function started(): ChildProcess {
  if (helper?.connected) return helper;
  const child = fork(HELPER, [], {
    execArgv: [],
    serialization: 'json',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child.on('message', (reply: Reply) => {
    const p = live.get(reply.id);
    if (!p) return;
    switch (reply.type) {
      case 'spawned':
        p.pid = reply.pid;
        p.emit('spawn');
        return;
      case 'stdout':
      case 'stderr':
        p[reply.type].emit('data', reply.data);
        return;
      case 'failed': {
        const error = Object.assign(new Error(reply.message), { code: reply.code });
        settle(reply.id, (q) => q.emit('error', error));
        return;
      }
      case 'close': {
        const { code, signal } = reply;
        settle(reply.id, (q) => {
          q.exitCode = code;
          q.signalCode = signal;
          q.emit('exit', code, signal);
          q.emit('close', code, signal);
        });
      }
    }
  });
  // A helper that died took its processes' reports with it: they end as killed.
  child.once('exit', () => {
    if (helper === child) helper = undefined;
    for (const id of [...live.keys()])
      settle(id, (q) => {
        q.signalCode = 'SIGKILL';
        q.emit('exit', null, 'SIGKILL');
        q.emit('close', null, 'SIGKILL');
      });
  });
  child.unref();
  child.channel?.unref();
  helper = child;
  return child;
}

/** The helper's pid while it runs: the CPU of what it started is counted in its own (benchmarks read it). */
export const spawnerPid = (): number | undefined => helper?.pid;

/** Starts the helper ahead of the first spawn (a server does it at start), so no job waits for it. */
export function startSpawner(): void {
  started();
}

/** `spawn(file, args, { signal, stdio: ['ignore', 'pipe', 'pipe'] })`, forked by the helper. */
export function spawnThroughHelper(file: string, args: string[], signal?: AbortSignal): SpawnedProcess {
  const id = nextId++;
  const proc = new SpawnedProcess((s) => helper?.send({ type: 'kill', id, signal: s }));
  const abortError = () =>
    Object.assign(new Error('The operation was aborted', { cause: signal?.reason }), {
      name: 'AbortError',
      code: 'ABORT_ERR',
    });
  if (signal?.aborted) {
    setImmediate(() => proc.emit('error', abortError()));
    return proc;
  }
  const channel = started();
  live.set(id, proc);
  channel.channel?.ref();
  channel.send({ type: 'spawn', id, file, args });
  if (signal) {
    // As spawn's own signal option: SIGTERM, and an AbortError once the process is known to run (its
    // callers read a pid-less error as a process that never started).
    const onAbort = () => {
      proc.kill('SIGTERM');
      if (proc.pid !== undefined) proc.emit('error', abortError());
      else proc.once('spawn', () => proc.emit('error', abortError()));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const forget = () => signal.removeEventListener('abort', onAbort);
    proc.once('close', forget);
    proc.once('error', () => {
      if (proc.pid === undefined) forget();
    });
  }
  return proc;
}
