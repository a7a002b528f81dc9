/**
 * The local pipeline: (1) overhead, the wall time from POST to COMPLETED of a 6 s 720p GENERATE job divided
 * by the wall time of the ffmpeg commands that made its outputs, measured in the same run (target ≤ 1.15);
 * (2) AWS cost per job, counted from the event log of the real ASL: state transitions and Lambda
 * invocations per GENERATE job as a function of the number of polls (target ≤ 12 + 2·polls transitions,
 * ≤ 5 + polls invocations).
 */
import { pathToFileURL } from 'node:url';
import type { LocalEnvironmentOptions } from '../infra/local/environment.ts';
import { LAMBDA_STATES } from '../infra/local/workflow.ts';
import { observeFfmpeg } from '../shared/media/ffmpeg.ts';
import { startLocalApi } from '../test/support/local-api.ts';

async function runJob(options: Partial<LocalEnvironmentOptions>, parameters: object) {
  const events: { type: string; state?: string }[] = [];
  const api = await startLocalApi({ ...options, onEvent: (_job, e) => events.push(e) });
  try {
    const { token } = await api.newUser();
    const project = (await api.call('POST', '/v1/projects', { token, body: { title: 'bench' } })).body;
    let ffmpegMs = 0;
    const stop = observeFfmpeg((_args, ms) => {
      ffmpegMs += ms;
    });
    const started = performance.now();
    const submitted = await api.call('POST', `/v1/projects/${project.id}/jobs`, {
      token,
      body: { jobType: 'GENERATE', prompt: 'a red fox running through snow', parameters },
    });
    let job = submitted.body;
    while (job.status !== 'COMPLETED' && job.status !== 'FAILED') {
      await new Promise((r) => setTimeout(r, 20));
      job = (await api.call('GET', `/v1/jobs/${job.id}`, { token })).body;
    }
    const wallMs = performance.now() - started;
    stop();
    await api.env.idle();
    if (job.status !== 'COMPLETED') throw new Error(`bench job failed: ${job.errorMessage}`);
    const entered = events.filter((e) => e.type === 'StateEntered');
    const retried = events.filter((e) => e.type === 'StateRetried');
    const isLambda = (e: { state?: string }) => LAMBDA_STATES.includes(e.state ?? '');
    return {
      wallMs,
      ffmpegMs,
      transitions: entered.length + retried.length,
      invocations: entered.filter(isLambda).length + retried.filter(isLambda).length,
      polls: retried.filter((e) => e.state === 'CheckGeneration').length,
    };
  } finally {
    await api.stop();
  }
}

export async function run(): Promise<string> {
  const rows: string[] = [];
  const overhead: number[] = [];
  const costRows: string[] = [];
  for (let i = 0; i < 3; i += 1) {
    const r = await runJob(
      { pollMs: 50 },
      { model: 'local', durationSeconds: 6, resolution: '1280x720', seed: i },
    );
    overhead.push(r.wallMs / r.ffmpegMs);
    costRows.push(
      `| ${i + 1} | ${r.polls} | ${r.transitions} | ${12 + 2 * r.polls} | ${r.invocations} | ${5 + r.polls} |`,
    );
    rows.push(
      `| ${i + 1} | ${(r.wallMs / 1000).toFixed(2)} | ${(r.ffmpegMs / 1000).toFixed(2)} | ${(r.wallMs / r.ffmpegMs).toFixed(3)} |`,
    );
  }
  overhead.sort((a, b) => a - b);
  return [
    '## Local pipeline overhead (6 s 1280x720 GENERATE, local model)',
    '',
    'Wall time from POST to COMPLETED (client polling every 20 ms) divided by the summed wall time of the ffmpeg',
    'processes that rendered and transcoded it (MP4, a 3-rung HLS ladder, thumbnails, poster), in the same run. Target ≤ 1.15.',
    '',
    '| run | POST→COMPLETED s | ffmpeg s | ratio |',
    '|---|---|---|---|',
    ...rows,
    '',
    `Median ratio: ${overhead[1]!.toFixed(3)}`,
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
