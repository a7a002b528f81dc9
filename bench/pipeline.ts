/**
 * The local pipeline: (1) overhead, the wall time from POST to COMPLETED of a 6 s 1280x720 GENERATE job on
 * the local model against one hand-written ffmpeg command that renders the same procedural source and writes
 * the same outputs (the MP4, 720p/540p/360p HLS renditions, thumbnails and the poster), timed in the same run
 * (target ≤ 1.25); (2) AWS cost per job, counted from the event log of the real ASL: state transitions and
 * Lambda invocations per GENERATE job as a function of the number of polls (target ≤ 12 + 2·polls
 * transitions, ≤ 5 + polls invocations).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LocalEnvironmentOptions } from '../infra/local/environment.ts';
import { LAMBDA_STATES } from '../infra/local/workflow.ts';
import { effectiveGenerate } from '../shared/generation/capabilities.ts';
import { proceduralSource } from '../shared/generation/local.ts';
import { observeFfmpeg, runFfmpeg, X264_ARGS } from '../shared/media/ffmpeg.ts';
import { startLocalApi } from '../test/support/local-api.ts';

const PROMPT = 'a red fox running through snow';

/**
 * CPU seconds used so far by this process and the children it has waited for (every ffmpeg), from
 * /proc/self/stat (utime, stime, cutime, cstime, in clock ticks of 1/100 s). The machine is shared, so wall
 * time depends on what else runs; CPU time does not.
 */
function cpuSeconds(): number {
  return cpuParts().self + cpuParts().children;
}
function cpuParts() {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ').map(Number);
  return { self: (fields[11]! + fields[12]!) / 100, children: (fields[13]! + fields[14]!) / 100 };
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
    const source = proceduralSource(PROMPT, seed, 1280, 720, fps, 6);
    const hue = createHash('md5').update(PROMPT).digest()[0]! % 360;
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
      '-f',
      'lavfi',
      '-i',
      source,
      '-filter_complex',
      [
        `[0:v]trim=duration=6,format=yuv420p,hue=h=${hue},split=5[top][mid][low][thumbs][poster]`,
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

async function runJob(options: Partial<LocalEnvironmentOptions>, parameters: object) {
  const events: { type: string; state?: string }[] = [];
  const api = await startLocalApi({ ...options, onEvent: (_job, e) => events.push(e) });
  try {
    const { token } = await api.newUser();
    const project = (await api.call('POST', '/v1/projects', { token, body: { title: 'bench' } })).body;
    let renderMs = 0;
    let transcodeMs = 0;
    const stop = observeFfmpeg((args, ms) => {
      // The render reads a lavfi source; the transcode reads the downloaded render.
      if (args.includes('lavfi')) renderMs += ms;
      else transcodeMs += ms;
    });
    const started = Date.now();
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
    stop();
    await api.env.idle();
    if (job.status !== 'COMPLETED') throw new Error(`bench job failed: ${job.errorMessage}`);
    const entered = events.filter((e) => e.type === 'StateEntered');
    const retried = events.filter((e) => e.type === 'StateRetried');
    const isLambda = (e: { state?: string }) => LAMBDA_STATES.includes(e.state ?? '');
    return {
      wallMs,
      cpu: cpuUsed,
      selfCpu,
      renderMs,
      transcodeMs,
      transitions: entered.length + retried.length,
      invocations: entered.filter(isLambda).length + retried.filter(isLambda).length,
      polls: retried.filter((e) => e.state === 'CheckGeneration').length,
    };
  } finally {
    await api.stop();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function run(): Promise<string> {
  const rows: string[] = [];
  const wallRatios: number[] = [];
  const cpuRatios: number[] = [];
  const costRows: string[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    // Alternate which goes first, so neither always meets the other's leftovers.
    const floorFirst = i % 2 === 1;
    const before = floorFirst ? await floor(i) : undefined;
    const r = await runJob(
      { pollMs: 1000 },
      { model: 'local', durationSeconds: 6, resolution: '1280x720', seed: i },
    );
    const f = before ?? (await floor(i));
    wallRatios.push(r.wallMs / f.wallMs);
    cpuRatios.push(r.cpu / f.cpu);
    costRows.push(
      `| ${i + 1} | ${r.polls} | ${r.transitions} | ${12 + 2 * r.polls} | ${r.invocations} | ${5 + r.polls} |`,
    );
    rows.push(
      `| ${i + 1} | ${(r.wallMs / 1000).toFixed(2)} | ${(f.wallMs / 1000).toFixed(2)} | ${(r.wallMs / f.wallMs).toFixed(3)} | ${r.cpu.toFixed(2)} (${r.selfCpu.toFixed(2)} Node) | ${f.cpu.toFixed(2)} | ${(r.cpu / f.cpu).toFixed(3)} | ${(r.renderMs / 1000).toFixed(2)} | ${(r.transcodeMs / 1000).toFixed(2)} |`,
    );
  }
  const range = (values: number[]) =>
    `${median(values).toFixed(3)} (range ${Math.min(...values).toFixed(3)}–${Math.max(...values).toFixed(3)})`;
  return [
    '## Local pipeline overhead (6 s 1280x720 GENERATE, local model)',
    '',
    "POST→COMPLETED (until the job's completedAt; model polled every 1000 ms, client every 1000 ms) against one hand-written ffmpeg",
    'command that renders the same procedural source and writes the same outputs (MP4, 720p/540p/360p HLS,',
    'thumbnails, poster), in the same run. CPU is what this process (server, PGlite, s3rver, state machine,',
    'client) and its ffmpeg children used; render and transcode are the wall times of the two ffmpeg processes',
    `of the job. Target ≤ 1.25. ${RUNS} runs.`,
    '',
    '| run | job wall s | one command wall s | wall ratio | job CPU s | one command CPU s | CPU ratio | render wall s | transcode wall s |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `Median wall ratio: ${range(wallRatios)}`,
    '',
    `Median CPU ratio: ${range(cpuRatios)}`,
    '',
    '## AWS cost per GENERATE job, counted from the ASL event log',
    '',
    'The same runs; each poll of the model is one CheckGeneration retry (one transition, one invocation).',
    '',
    '| run | polls | state transitions | budget 12 + 2·polls | Lambda invocations | budget 5 + polls |',
    '|---|---|---|---|---|---|',
    ...costRows,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(await run());
