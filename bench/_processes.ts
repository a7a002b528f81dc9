/** Child processes of the benchmarks: the local server or the floor, each on its own port and log file. */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const tsx = path.join(root, 'node_modules', '.bin', 'tsx');

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Runs `tsx <args>` with `env` added, logging to `logFile`, until `url`/v1/health answers (180 s at most). */
export async function startProcess(
  args: string[],
  env: Record<string, string>,
  logFile: string,
  url: string,
): Promise<ChildProcess> {
  const log = createWriteStream(logFile);
  const child = spawn(tsx, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${args[0]} exited with ${child.exitCode}; see ${logFile}`);
    const healthy = await fetch(`${url}/v1/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (healthy) return child;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  child.kill('SIGTERM');
  throw new Error(`${args[0]} did not become healthy in 180 s`);
}

export async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

interface ProcessRow {
  pid: number;
  ppid: number;
  comm: string;
}

/** `pid` and its descendants (children, grandchildren, …), from `ps` (Linux, macOS). */
async function processTree(pid: number): Promise<ProcessRow[]> {
  const { stdout } = await promisify(execFile)('ps', ['-eo', 'pid=,ppid=,comm=']);
  const rows = stdout
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .map(([p, pp, comm]) => ({ pid: Number(p), ppid: Number(pp), comm: path.basename(comm ?? '') }));
  const tree = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const row of rows) {
      if (!tree.has(row.pid) && tree.has(row.ppid)) {
        tree.add(row.pid);
        grew = true;
      }
    }
  }
  return rows.filter((r) => tree.has(r.pid));
}

/** Descendants of `pid` whose command name is `name`. */
export async function descendantsNamed(pid: number, name: string): Promise<number[]> {
  return (await processTree(pid)).filter((r) => r.pid !== pid && r.comm === name).map((r) => r.pid);
}

const CLOCK_TICKS = Number(
  (await promisify(execFile)('getconf', ['CLK_TCK']).catch(() => ({ stdout: '100' }))).stdout,
);

/** Numeric fields of a /proc stat line, counted from field 3 (state), after the command's parenthesis. */
const statFields = <const I extends readonly number[]>(stat: string, indexes: I) => {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return indexes.map((i) => Number(fields[i])) as { [K in keyof I]: number };
};

/**
 * CPU seconds (user + system) used so far by `pid` and its descendants, counting the children they have
 * already reaped (an ended ffmpeg counts in its parent's); `children` is the part spent in child
 * processes (ffmpeg, ffprobe) of the processes that are not ffmpeg. Undefined where /proc is missing.
 */
export async function treeCpuSeconds(pid: number): Promise<{ total: number; children: number } | undefined> {
  let total = 0;
  let children = 0;
  for (const row of await processTree(pid)) {
    const stat = await readFile(`/proc/${row.pid}/stat`, 'utf8').catch(() => undefined);
    if (stat === undefined) {
      if (row.pid === pid) return undefined;
      continue; // ended since ps listed it: its time is in its parent's reaped children now
    }
    // Fields after the command's closing parenthesis, from field 3 (state): utime, stime, cutime, cstime
    // are fields 14–17.
    const [utime, stime, cutime, cstime] = statFields(stat, [11, 12, 13, 14] as const);
    total += utime + stime + cutime + cstime;
    // The tsx wrapper (the tree's root) reaps only the server's node process, when it exits.
    if (row.comm === 'ffmpeg' || row.comm === 'ffprobe') children += utime + stime + cutime + cstime;
    else if (row.pid !== pid) children += cutime + cstime;
  }
  return { total: total / CLOCK_TICKS, children: children / CLOCK_TICKS };
}

/**
 * CPU seconds (user + system) used so far by named threads of the process in `pid`'s tree that runs a
 * thread named `marker` (the server's node process, not the tsx wrapper above it): each of `names` is a
 * thread name as /proc/<pid>/task/<tid>/comm shows it (Node's main thread is `MainThread`, a worker
 * thread the name it was given). Undefined where /proc is missing or no process runs `marker`.
 */
export async function threadCpuSeconds(
  pid: number,
  marker: string,
  names: readonly string[],
): Promise<Record<string, number> | undefined> {
  for (const row of await processTree(pid)) {
    const tasks = await readdir(`/proc/${row.pid}/task`).catch(() => [] as string[]);
    const threads = await Promise.all(
      tasks.map(async (tid) => {
        const [comm, stat] = await Promise.all([
          readFile(`/proc/${row.pid}/task/${tid}/comm`, 'utf8').catch(() => ''),
          readFile(`/proc/${row.pid}/task/${tid}/stat`, 'utf8').catch(() => ''),
        ]);
        const [utime, stime] = statFields(stat, [11, 12] as const);
        return { name: comm.trim(), seconds: stat ? (utime + stime) / CLOCK_TICKS : 0 };
      }),
    );
    if (!threads.some((t) => t.name === marker)) continue;
    return Object.fromEntries(
      names.map((name) => [
        name,
        threads.filter((t) => t.name === name).reduce((sum, t) => sum + t.seconds, 0),
      ]),
    );
  }
  return undefined;
}

/** A stand-in script of bench/ in a process of its own, once it has printed its one JSON line (its address). */
export async function startStandIn<T>(script: string): Promise<{ child: ChildProcess } & T> {
  const child = spawn(tsx, [path.join(root, 'bench', script)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { child, ...(JSON.parse(line) as T) };
}
