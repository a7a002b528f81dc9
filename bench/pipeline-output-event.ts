/**
 * Model output landed → transcode started, locally: the time from s3rver's ObjectCreated event for a
 * GENERATE job's output.mp4 to the Transcode state's entry, when the event resumes the waiting state
 * (target ≤ 0.5 s), against the same jobs when the event is ignored and only the safety-net poll resumes
 * them (pollMs 250, so an 8 s wait), in one run. Each job is a 2 s 640x360 local render.
 * The same runs count what a job would cost on AWS: state transitions (states entered and retried) and
 * Lambda invocations (task states, and the output event's handler).
 */
import { pathToFileURL } from 'node:url';
import { LAMBDA_STATES } from '../infra/local/workflow.ts';
import { startLocalApi } from '../test/support/local-api.ts';

const JOBS = 5;

async function measure(modelOutputEvents: boolean, pollMs: number, jobs: number) {
  const landed = new Map<string, number>();
  const transcoding = new Map<string, number>();
  const cost = new Map<string, { transitions: number; invocations: number }>();
  const count = (jobId: string, transitions: number, invocations: number) => {
    const c = cost.get(jobId) ?? { transitions: 0, invocations: 0 };
    cost.set(jobId, { transitions: c.transitions + transitions, invocations: c.invocations + invocations });
  };
  const api = await startLocalApi({
    pollMs,
    modelOutputEvents,
    onEvent: (jobId, e) => {
      const now = performance.now();
      if (e.type === 'ModelOutputLanded' && !landed.has(jobId)) landed.set(jobId, now);
      if (e.type === 'StateEntered' && e.state === 'Transcode') transcoding.set(jobId, now);
      const lambda = LAMBDA_STATES.includes(e.state ?? '') ? 1 : 0;
      if (e.type === 'StateEntered' || e.type === 'StateRetried') count(jobId, 1, lambda);
      if (e.type === 'ModelOutputEvent') count(jobId, 0, 1);
    },
  });
  const gaps: number[] = [];
  const costs: string[] = [];
  try {
    const { token } = await api.newUser();
    const project = (await api.call('POST', '/v1/projects', { token, body: { title: 'bench' } })).body;
    for (let i = 0; i < jobs; i += 1) {
      const submitted = await api.call('POST', `/v1/projects/${project.id}/jobs`, {
        token,
        body: {
          jobType: 'GENERATE',
          prompt: `a lighthouse in fog ${i}`,
          parameters: { model: 'local', durationSeconds: 2, resolution: '640x360', seed: i },
        },
      });
      if (submitted.status !== 202) throw new Error(`submit answered ${submitted.status}`);
      let job = submitted.body;
      while (job.status !== 'COMPLETED' && job.status !== 'FAILED') {
        await new Promise((r) => setTimeout(r, 50));
        job = (await api.call('GET', `/v1/jobs/${job.id}`, { token })).body;
      }
      if (job.status !== 'COMPLETED') throw new Error(`bench job failed: ${job.errorMessage}`);
      const from = landed.get(job.id);
      const to = transcoding.get(job.id);
      if (from === undefined || to === undefined)
        throw new Error(`job ${job.id}: no landing or transcode seen`);
      gaps.push(to - from);
      const c = cost.get(job.id)!;
      costs.push(`${c.transitions}/${c.invocations}`);
    }
    await api.env.idle();
  } finally {
    await api.stop();
  }
  return { gaps, costs };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const seconds = (ms: number) => (ms / 1000).toFixed(3);

export async function run(): Promise<string> {
  // The event path with a safety net far longer than the render, so only the event can resume a job.
  const event = await measure(true, 10_000, JOBS);
  const poll = await measure(false, 250, 3);
  const withEvent = event.gaps;
  const withoutEvent = poll.gaps;
  const ratio = median(withoutEvent) / median(withEvent);
  return [
    '## Model output landed → transcode started (local GENERATE, 2 s 640x360)',
    '',
    "From s3rver's ObjectCreated event for the job's output.mp4 to the entry of the Transcode state.",
    'With the event it resumes the waiting StartGeneration state (target ≤ 0.5 s); without it only the',
    'safety-net poll does (pollMs 250: the token states wait 8 s before CheckGeneration asks the model).',
    '',
    '| path | jobs | each (s) | median (s) | transitions/invocations per job |',
    '|---|---|---|---|---|',
    `| output event | ${withEvent.length} | ${withEvent.map(seconds).join(', ')} | ${seconds(median(withEvent))} | ${event.costs.join(', ')} |`,
    `| safety-net poll only | ${withoutEvent.length} | ${withoutEvent.map(seconds).join(', ')} | ${seconds(median(withoutEvent))} | ${poll.costs.join(', ')} |`,
    '',
    `Median without the event / median with it: ${ratio.toFixed(1)}×`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(await run());
