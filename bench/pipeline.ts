/**
 * The local pipeline: (1) overhead, the wall time from POST to COMPLETED of a 6 s 1280x720 GENERATE job on
 * the local model against one hand-written ffmpeg command that renders the same procedural source and writes
 * the same outputs (the MP4, 720p/540p/360p HLS renditions, thumbnails and the poster), timed in the same run
 * (target ≤ 1.25), with where the job's time goes (the render, the hand-over to the transcode, the transcode
 * and what the server does around them); (2) AWS cost per job, counted from the event log of the real ASL:
 * state transitions and Lambda invocations per GENERATE job, against what the design says a job costs
 * (7 and 6 when the model's output event resumes it; 8 + L and 6 + L when the safety net looks L more times).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LocalEnvironmentOptions } from '../infra/local/environment.ts';
import { LAMBDA_STATES } from '../infra/local/workflow.ts';
import { StatementCounter } from '../shared/db/database.ts';
import { effectiveGenerate } from '../shared/generation/capabilities.ts';
import { proceduralSegments, RENDER_PARTS } from '../shared/generation/local.ts';
import { observeFfmpeg, runFfmpeg, X264_ARGS } from '../shared/media/ffmpeg.ts';
import { spawnerPid, startSpawner } from '../shared/media/spawner.ts';
import { startLocalApi } from '../test/support/local-api.ts';

const PROMPT = 'a red fox running through snow';

/**
 * CPU seconds used so far by this process and the children it has waited for, from /proc/<pid>/stat (utime,
 * stime, cutime, cstime, in clock ticks of 1/100 s). ffmpeg and ffprobe are children of the spawner helper,
 * which waits for them, so its own figures (all four) count as this process's children. The machine is
 * shared, so wall time depends on what else runs; CPU time does not.
 */
function cpuSeconds(): number {
  return cpuParts().self + cpuParts().children;
}
function ticks(pid: number | 'self') {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ').map(Number);
  return { self: (fields[11]! + fields[12]!) / 100, children: (fields[13]! + fields[14]!) / 100 };
}
function cpuParts() {
  const own = ticks('self');
  const pid = spawnerPid();
  const spawner = pid ? ticks(pid) : { self: 0, children: 0 };
  return { self: own.self, children: own.children + spawner.self + spawner.children };
}
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

/**
 * The floor: one ffmpeg process, written by hand, that renders the job's procedural source once and writes
 * what the pipeline writes with the same encoder settings. Answers its wall time in milliseconds.
 */
async function floor(seed: number): Promise<{ wallMs: number; cpu: number }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-floor-'));
  try {
    const { fps } = effectiveGenerate({ model: 'local', durationSeconds: 6, resolution: '1280x720' });
    // The same parts the model renders, joined inside the one command.
    const segments = proceduralSegments(PROMPT, seed, 1280, 720, fps, 6, RENDER_PARTS);
    const x264 = (maxBitrate: number) => [
      ...X264_ARGS,
      ...['-maxrate', String(maxBitrate), '-bufsize', String(maxBitrate * 2)],
      '-force_key_frames',
      'expr:gte(t,n_forced*2)',
      '-an',
    ];
    const hls = (name: string) => [
      '-f',
      'hls',
      '-hls_time',
      '6',
      '-hls_playlist_type',
      'vod',
      '-hls_segment_filename',
      path.join(dir, `${name}_%05d.ts`),
      path.join(dir, `${name}.m3u8`),
    ];
    const every = (seconds: number) => `select='isnan(prev_selected_t)+gte(t-prev_selected_t\\,${seconds})'`;
    const started = performance.now();
    const cpu = cpuSeconds();
    await runFfmpeg([
      ...segments.flatMap((segment) => ['-f', 'lavfi', '-i', segment.graph]),
      '-filter_complex',
      [
        `${segments.map((_, i) => `[${i}:v]`).join('')}concat=n=${segments.length}:v=1:a=0,split=5[top][mid][low][thumbs][poster]`,
        '[mid]scale=960:540[mid2]',
        '[low]scale=640:360[low2]',
        `[thumbs]${every(5)},scale=640:360,setpts=N/TB[thumbs2]`,
        `[poster]${every(1)},scale=1280:720,setpts=N/TB[poster2]`,
      ].join(';'),
      '-map',
      '[top]',
      ...x264(720 * 720 * 10),
      '-f',
      'tee',
      `[f=mp4:movflags=+faststart]${path.join(dir, 'video.mp4')}|[f=hls:hls_time=6:hls_playlist_type=vod:hls_segment_filename=${path.join(dir, 'index_720p_%05d.ts')}]${path.join(dir, 'index_720p.m3u8')}`,
      '-map',
      '[mid2]',
      ...x264(540 * 540 * 10),
      ...hls('index_540p'),
      '-map',
      '[low2]',
      ...x264(360 * 360 * 10),
      ...hls('index_360p'),
      ...['-map', '[thumbs2]', '-r', '1', '-frames:v', '10', '-q:v', '3', '-start_number', '0'],
      path.join(dir, 'thumb.%07d.jpg'),
      ...['-map', '[poster2]', '-r', '1', '-frames:v', '1', '-q:v', '3', '-start_number', '0'],
      path.join(dir, 'poster.%07d.jpg'),
    ]);
    return { wallMs: performance.now() - started, cpu: cpuSeconds() - cpu };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Where one job's wall time went, in milliseconds (see the steps table in `run`). */
interface Steps {
  /** POST until the render's ffmpeg starts (API, MarkProcessing, StartGeneration starting the model). */
  toRender: number;
  render: number;
  /** The render's end until s3rver's ObjectCreated event: storing output.mp4. */
  upload: number;
  /** The event until the Transcode state starts (the handler, SendTaskSuccess, BuildTranscodeSettings). */
  handOver: number;
  /**
   * Transcode entered until its ffmpeg starts: a signed link to the render (its ffprobe runs beside the
   * encode, as the command of one whole silent input does not depend on it).
   */
  beforeEncode: number;
  transcode: number;
  /** The transcode's ffmpeg end until the state exits: the master playlist, storing every file (the MP4's header read meanwhile). */
  afterEncode: number;
  /** The Transcode state's exit until completedAt: RegisterClip. */
  register: number;
}

/** One local environment for every measured job, as a running `npm start` serves them one after another. */
async function startBenchEnvironment(options: Partial<LocalEnvironmentOptions>) {
  const events: { type: string; state?: string; at: number }[] = [];
  const statements = new StatementCounter();
  const api = await startLocalApi({
    ...options,
    ...(process.env.BENCH_LOG ? { logLevel: process.env.BENCH_LOG as 'WARN' } : {}),
    statements,
    onEvent: (_job, e) => events.push({ ...e, at: performance.now() }),
  });
  return { api, events, statements };
}

async function runJob(env: Awaited<ReturnType<typeof startBenchEnvironment>>, parameters: object) {
  const { api, events, statements } = env;
  // The previous job has settled (idle below): its events are not this one's.
  events.length = 0;
  const { token } = await api.newUser();
  const project = (await api.call('POST', '/v1/projects', { token, body: { title: 'bench' } })).body;
  const runs: { render: boolean; start: number; end: number }[] = [];
  const stop = observeFfmpeg((args, ms) => {
    // The render's parts read lavfi sources and a concat joins them; the transcode reads the render.
    const end = performance.now();
    runs.push({ render: args.includes('lavfi') || args.includes('concat'), start: end - ms, end });
  });
  statements.reset();
  const started = Date.now();
  const startedAt = performance.now();
  const cpu = cpuSeconds();
  const self = cpuParts().self;
  const submitted = await api.call('POST', `/v1/projects/${project.id}/jobs`, {
    token,
    body: { jobType: 'GENERATE', prompt: PROMPT, parameters },
  });
  let job = submitted.body;
  // The job's own completedAt ends the interval, so the client can poll slowly and cost little.
  while (job.status !== 'COMPLETED' && job.status !== 'FAILED') {
    await new Promise((r) => setTimeout(r, 1000));
    job = (await api.call('GET', `/v1/jobs/${job.id}`, { token })).body;
  }
  const wallMs = Date.parse(job.completedAt) - started;
  const cpuUsed = cpuSeconds() - cpu;
  const selfCpu = cpuParts().self - self;
  const sql = [...statements.statements];
  stop();
  await api.env.idle();
  if (job.status !== 'COMPLETED') throw new Error(`bench job failed: ${job.errorMessage}`);
  const renders = runs.filter((r) => r.render);
  // The render: from its first part's start to the join's end.
  const render = renders.length
    ? { start: Math.min(...renders.map((r) => r.start)), end: Math.max(...renders.map((r) => r.end)) }
    : undefined;
  const transcodes = runs.filter((r) => !r.render);
  const transcode = transcodes[0];
  const at = (type: string, state?: string) => {
    const e = events.find((x) => x.type === type && (state === undefined || x.state === state));
    if (!e) throw new Error(`bench job: no ${type} ${state ?? ''} event`);
    return e.at;
  };
  if (!render || !transcode || transcodes.length !== 1 || renders.length !== RENDER_PARTS + 1)
    throw new Error(`bench job ran ${renders.length} render and ${transcodes.length} transcode ffmpeg`);
  const landed = at('ModelOutputLanded');
  const transcodeEntered = at('StateEntered', 'Transcode');
  const transcodeExited = at('StateExited', 'Transcode');
  const steps: Steps = {
    toRender: render.start - startedAt,
    render: render.end - render.start,
    upload: landed - render.end,
    handOver: transcodeEntered - landed,
    beforeEncode: transcode.start - transcodeEntered,
    transcode: transcode.end - transcode.start,
    afterEncode: transcodeExited - transcode.end,
    register: startedAt + wallMs - transcodeExited,
  };
  const entered = events.filter((e) => e.type === 'StateEntered');
  const retried = events.filter((e) => e.type === 'StateRetried');
  const isLambda = (e: { state?: string }) => LAMBDA_STATES.includes(e.state ?? '');
  const checks = entered.filter((e) => e.state === 'CheckGeneration').length;
  const looks = retried.filter((e) => e.state === 'CheckGeneration').length;
  return {
    wallMs,
    cpu: cpuUsed,
    selfCpu,
    steps,
    transitions: entered.length + retried.length,
    // Task states (and their retries) plus one invocation of the output-event handler per event.
    invocations:
      entered.filter(isLambda).length +
      retried.filter(isLambda).length +
      events.filter((e) => e.type === 'ModelOutputEvent').length,
    outputEvents: events.filter((e) => e.type === 'ModelOutputEvent').length,
    // Statements sent while the job ran: all, and the in-process webhook sender's looks for due work.
    statements: sql.length,
    senderStatements: sql.filter((q) => /FROM webhook_deliveries/.test(q) && /pending/.test(q)).length,
    checks,
    looks,
  };
}

/** CPU seconds the idle local environment uses per second (its background loops), before any job. */
async function idleCpuPerSecond(): Promise<number> {
  const api = await startLocalApi({ pollMs: 1000 });
  try {
    await new Promise((r) => setTimeout(r, 1000));
    const before = cpuParts().self;
    await new Promise((r) => setTimeout(r, 4000));
    return (cpuParts().self - before) / 4;
  } finally {
    await api.stop();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const s2 = (ms: number) => (ms / 1000).toFixed(2);

export async function run(): Promise<string> {
  const rows: string[] = [];
  const stepRows: string[] = [];
  const wallRatios: number[] = [];
  const ffmpegRatios: number[] = [];
  const cpuRatios: number[] = [];
  const costRows: string[] = [];
  // Running before either side is measured, so neither pays for its start.
  startSpawner();
  const idle = await idleCpuPerSecond();
  const env = await startBenchEnvironment({ pollMs: 1000 });
  const job = (seed: number) =>
    runJob(env, { model: 'local', durationSeconds: 6, resolution: '1280x720', seed });
  // The server's first job also pays for its start (code compiled on first use, the collection of what
  // starting left): reported apart, out of the medians, as a running server's jobs do not pay it.
  const first = await job(RUNS).catch(async (error: unknown) => {
    await env.api.stop();
    throw error;
  });
  const firstFloor = await floor(RUNS);
  try {
    for (let i = 0; i < RUNS; i += 1) {
      // Alternate which goes first, so neither always meets the other's leftovers.
      const floorFirst = i % 2 === 1;
      const before = floorFirst ? await floor(i) : undefined;
      const r = await job(i);
      const f = before ?? (await floor(i));
      const st = r.steps;
      const ffmpegMs = st.render + st.transcode;
      wallRatios.push(r.wallMs / f.wallMs);
      ffmpegRatios.push(ffmpegMs / f.wallMs);
      cpuRatios.push(r.cpu / f.cpu);
      // The design: 7 transitions and 6 invocations when the event resumes the job (AcquireCapacity finds a
      // unit free); the safety net adds CheckGeneration (one transition, one invocation) and one of each per
      // further look.
      const designTransitions = r.checks ? 8 + r.looks : 7;
      const designInvocations = 6 + r.looks;
      costRows.push(
        `| ${i + 1} | ${r.outputEvents} | ${r.checks + r.looks} | ${r.transitions} | ${designTransitions} | ${r.invocations} | ${designInvocations} |`,
      );
      rows.push(
        `| ${i + 1} | ${s2(r.wallMs)} | ${s2(f.wallMs)} | ${(r.wallMs / f.wallMs).toFixed(3)} | ${(ffmpegMs / f.wallMs).toFixed(3)} | ${r.cpu.toFixed(2)} (${r.selfCpu.toFixed(2)} Node) | ${f.cpu.toFixed(2)} | ${(r.cpu / f.cpu).toFixed(3)} |`,
      );
      const rest = r.wallMs - ffmpegMs;
      stepRows.push(
        `| ${i + 1} | ${s2(st.toRender)} | ${s2(st.render)} | ${s2(st.upload)} | ${s2(st.handOver)} | ${s2(st.beforeEncode)} | ${s2(st.transcode)} | ${s2(st.afterEncode)} | ${s2(st.register)} | ${s2(rest)} (${((100 * rest) / r.wallMs).toFixed(0)} %) | ${r.statements} (${r.senderStatements}) |`,
      );
    }
  } finally {
    await env.api.stop();
  }
  const range = (values: number[]) =>
    `${median(values).toFixed(3)} (range ${Math.min(...values).toFixed(3)}–${Math.max(...values).toFixed(3)})`;
  return [
    '## Local pipeline overhead (6 s 1280x720 GENERATE, local model)',
    '',
    "POST→COMPLETED (until the job's completedAt; client polling every 1000 ms) against one hand-written ffmpeg",
    'command that renders the same procedural source (the same parts, joined in the command) and writes the same',
    'outputs (MP4, 720p/540p/360p HLS, thumbnails, poster), in the same run. "ffmpeg only" is the job\'s render',
    `(${RENDER_PARTS} parts at once, then the join) plus its transcode over the one command: the ratio with no`,
    'orchestration at all. CPU is what this process (server, PGlite, s3rver, state machine, client) and the',
    'ffmpeg it started (through the spawner helper, counted with it) used. Target ≤ 1.25.',
    `One local server serves the ${RUNS} runs one after another, each job for a new user; its first job, which`,
    'also pays for the start (code compiled on first use, collecting what starting left), runs before them',
    'and is reported below the medians, not in them.',
    '',
    '| run | job wall s | one command wall s | wall ratio | ffmpeg only ratio | job CPU s | one command CPU s | CPU ratio |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `Median wall ratio: ${range(wallRatios)}`,
    '',
    `Median ffmpeg-only ratio: ${range(ffmpegRatios)}`,
    '',
    `Median CPU ratio: ${range(cpuRatios)}`,
    '',
    `The server's first job: ${s2(first.wallMs)} s against ${s2(firstFloor.wallMs)} s (wall ratio ${(first.wallMs / firstFloor.wallMs).toFixed(3)}), CPU ${first.cpu.toFixed(2)} s against ${firstFloor.cpu.toFixed(2)} s (ratio ${(first.cpu / firstFloor.cpu).toFixed(3)}).`,
    '',
    `The idle local environment (before any job) used ${idle.toFixed(3)} CPU s per second.`,
    '',
    "### Where the job's wall time went (seconds)",
    '',
    'POST → render start; the render (its parts and the join); storing output.mp4 until its ObjectCreated event; the event',
    'until the Transcode state starts; the Transcode state until its ffmpeg starts (a signed link to the render; its',
    'ffprobe runs beside the encode); the transcode (ffmpeg); storing the outputs until the state exits; RegisterClip until completedAt; everything but',
    'the render and the transcode; the SQL statements the server sent meanwhile, and how many of them were the',
    'webhook sender looking for work.',
    '',
    '| run | to render | render | store render | event → Transcode | to encode | transcode | store outputs | register | not ffmpeg | SQL statements (webhook sender) |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...stepRows,
    '',
    '## AWS cost per GENERATE job, counted from the ASL event log',
    '',
    'The same runs. Transitions are states entered plus retries; invocations are task states (and their',
    "retries) plus one run of the output-event handler per event. The design's count, with a unit of model",
    "capacity free at once: 7 and 6 when the model's output event resumes the job; 8 + L and 6 + L when it",
    'does not and the safety net (CheckGeneration) looks L more times.',
    '',
    '| run | output events | safety-net looks | transitions | by design | Lambda invocations | by design |',
    '|---|---|---|---|---|---|---|',
    ...costRows,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(await run());
