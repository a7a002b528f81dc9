/**
 * Model capacity admission (shared/capacity/) end to end on the local model: many users' jobs against a
 * capacity of 5, and a crashed execution whose unit comes back when its lease runs out.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import type { CapacityEvent } from '#shared/capacity/admission.ts';
import { type LocalApi, startLocalApi } from '#test/support/local-api.ts';

const CAPACITY = 5;
// The local safety nets scale with the poll: AcquireCapacity retries after 12 × pollMs, the generation's
// safety net looks after 32 × pollMs; the sweeper runs every sweepMs.
const POLL_MS = 2000;
// In the 100-job test none of them may act before the test is over: a lost hand-over (a unit left free while
// a job waits) then leaves that job waiting for good and the test fails, whatever the machine's speed.
const SAFETY_NETS_OFF = { pollMs: 60_000, sweepMs: 3_600_000 };
// Rendered in real time (each generation lasts its 1 s), so the line builds up. At 5 fps, so that the 100
// renders and transcodes take little CPU: this test is about admission, not about the pictures.
const SMALL = { model: 'local', durationSeconds: 1, resolution: '640x360', fps: 5 };

let api: LocalApi | undefined;
afterEach(async () => {
  await api?.stop();
  api = undefined;
});

/**
 * The longest stretch during which a unit was free while a job waited, from the admission's own records
 * of each change, stamped once the store made it (not a sampler, which a loaded machine makes late). A
 * job waits from its "waiting" record until a unit is granted to it or taken up by it, and again when a
 * unit handed to a state that was gone is taken back while its retried state waits.
 */
function longestIdleWhileWaiting(events: readonly CapacityEvent[], capacity: number) {
  const inLine = new Set<string>();
  const holding = new Set<string>();
  let inUse = 0;
  let since: number | undefined;
  let longest = { ms: 0, from: 0 };
  const rank = { released: 0, waiting: 1, claimed: 2, granted: 3 } as const;
  for (const e of [...events].sort((a, b) => a.at - b.at || rank[a.type] - rank[b.type])) {
    if (e.type === 'waiting') inLine.add(e.jobId);
    if (e.type === 'claimed') inLine.delete(e.jobId);
    if (e.type === 'granted') {
      inLine.delete(e.jobId);
      holding.add(e.jobId);
      inUse++;
    }
    if (e.type === 'released') {
      holding.delete(e.jobId);
      inUse--;
    }
    const waiting = [...inLine].some((id) => !holding.has(id));
    const idle = waiting && inUse < capacity;
    if (idle && since === undefined) since = e.at;
    if (!idle && since !== undefined) {
      if (e.at - since > longest.ms) longest = { ms: e.at - since, from: since };
      since = undefined;
    }
  }
  return { longest: longest.ms, from: longest.from, endedIdle: since !== undefined };
}

async function project(token: string) {
  return (await api!.call('POST', '/v1/projects', { token, body: { title: 'capacity' } })).body.id as string;
}

async function submit(token: string, projectId: string, prompt: string) {
  const res = await api!.call('POST', `/v1/projects/${projectId}/jobs`, {
    token,
    body: { jobType: 'GENERATE', prompt, parameters: SMALL },
  });
  if (res.status !== 202) throw new Error(`submit failed: ${res.text}`);
  return res.body.id as string;
}

describe('model capacity', () => {
  it('100 jobs of 20 users on 5 units: all complete, never more than 5 at once, no unit idle while a job waits, fair', async () => {
    const events: CapacityEvent[] = [];
    const retried: string[] = [];
    api = await startLocalApi({
      pollMs: SAFETY_NETS_OFF.pollMs,
      capacity: {
        units: { local: CAPACITY },
        realtimeRenders: true,
        sweepMs: SAFETY_NETS_OFF.sweepMs,
        onEvent: (e) => events.push(e),
      },
      onEvent: (_job, e) => {
        if (e.type === 'StateRetried' && e.state) retried.push(e.state);
      },
    });
    const env = api.env;
    // How late this process ran its callbacks: the admission's store calls wait behind the same loop.
    const lag = monitorEventLoopDelay({ resolution: 20 });
    lag.enable();
    onTestFinished(() => {
      lag.disable();
    });
    let peakInFlight = 0;
    let peakInUse = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peakInFlight = Math.max(peakInFlight, env.localModel.inFlight());
        peakInUse = Math.max(peakInUse, await env.capacity.inUse('local'));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    // A failure below must not leave the sampler reading a stopped store.
    onTestFinished(async () => {
      sampling = false;
      await sampler.catch(() => undefined);
    });

    const heavy = await api.newUser();
    await env.ctx.users.changeTier(heavy.userId, 'ENTERPRISE');
    const others = [];
    for (let i = 0; i < 18; i++) {
      const user = await api.newUser();
      await env.ctx.users.changeTier(user.userId, 'BASIC');
      others.push(user);
    }
    const single = await api.newUser();

    const heavyProject = await project(heavy.token);
    const singleProject = await project(single.token);
    const otherProjects = await Promise.all(others.map((u) => project(u.token)));
    // Users submit side by side, each one's jobs in turn; the single job comes after all 30 of heavy's.
    const heavyJobs: string[] = [];
    const otherJobs: string[][] = others.map(() => []);
    const heavySubmits = (async () => {
      for (let i = 0; i < 30; i++) heavyJobs.push(await submit(heavy.token, heavyProject, `heavy ${i}`));
      return submit(single.token, singleProject, 'the only one');
    })();
    // 15 users with 4 jobs and 3 with 3: 69 more, 100 in all.
    await Promise.all(
      others.map(async (user, i) => {
        for (let j = 0; j < (i < 15 ? 4 : 3); j++)
          otherJobs[i]!.push(await submit(user.token, otherProjects[i]!, `user ${i} job ${j}`));
      }),
    );
    const singleJob = await heavySubmits;
    expect(heavyJobs.length + 1 + otherJobs.flat().length).toBe(100);
    // A job still in line reads QUEUED, progress 0, with its place.
    const lastHeavy = heavyJobs.at(-1)!;
    const view = (await api.call('GET', `/v1/jobs/${lastHeavy}`, { token: heavy.token })).body;
    if (view.status === 'QUEUED' && view.queuePosition !== null) {
      expect(view.progress).toBe(0);
      expect(view.queuePosition).toBeGreaterThanOrEqual(1);
    }
    const listed = (
      await api.call('GET', `/v1/projects/${heavyProject}/jobs?limit=50`, { token: heavy.token })
    ).body.items as { status: string; queuePosition: number | null; progress: number }[];
    const inLine = listed.filter((j) => j.queuePosition !== null);
    expect(inLine.length).toBeGreaterThan(0);
    for (const j of inLine) expect(j).toMatchObject({ status: 'QUEUED', progress: 0 });

    await env.idle();
    sampling = false;
    await sampler;
    for (const id of [...heavyJobs, singleJob, ...otherJobs.flat()]) {
      const job = await env.ctx.jobs.getForPipeline(id);
      expect({ id, status: job.status }).toEqual({ id, status: 'COMPLETED' });
    }
    expect(peakInFlight).toBeLessThanOrEqual(CAPACITY);
    expect(peakInUse).toBeLessThanOrEqual(CAPACITY);
    // The model never refused a start: admission kept it within its quota.
    expect(retried.filter((s) => s === 'StartGeneration')).toEqual([]);
    const grants = events.filter((e) => e.type === 'granted').map((e) => e.jobId);
    expect(new Set(grants).size).toBe(100);
    expect(grants.indexOf(singleJob)).toBeLessThan(grants.indexOf(lastHeavy));
    // Once in line, the single job waits at most behind one job of each other user (fair order).
    const arrived = events.findIndex((e) => e.type === 'waiting' && e.jobId === singleJob);
    const served = events.findIndex((e) => e.type === 'granted' && e.jobId === singleJob);
    const ahead = events.slice(arrived, served).filter((e) => e.type === 'granted').length;
    const owner = (id: string) =>
      heavyJobs.includes(id)
        ? 'H'
        : id === singleJob
          ? 'S'
          : `o${otherJobs.findIndex((js) => js.includes(id))}`;
    expect(
      ahead,
      events
        .slice(Math.max(0, arrived - 5), served + 1)
        .map((e) => `${e.at} ${e.type} ${owner(e.jobId)}`)
        .join('\n'),
    ).toBeLessThanOrEqual(others.length + 1);
    const { longest, from, endedIdle } = longestIdleWhileWaiting(events, CAPACITY);
    // What happened around the longest idle stretch, should it be too long.
    const around = events
      .filter((e) => e.at >= from - 200 && e.at <= from + longest + 50)
      .map((e) => `${e.at - from} ${e.type} ${e.jobId.slice(0, 8)}${'reason' in e ? ` ${e.reason}` : ''}`);
    const lagMs = `event loop delay p99 ${Math.round(lag.percentile(99) / 1e6)} ms, max ${Math.round(lag.max / 1e6)} ms`;
    // Every job was served by a hand-over or a grant on arrival: no waiting state timed out and retried.
    expect(
      retried.filter((s) => s === 'AcquireCapacity'),
      `${lagMs}\n${around.join('\n')}`,
    ).toEqual([]);
    expect(endedIdle).toBe(false);
    console.log(
      `capacity e2e: peak in flight ${peakInFlight}, peak units ${peakInUse}, single job granted ${grants.indexOf(singleJob) + 1}th of 100 (${ahead} grants after it joined the line), longest idle unit with a job waiting ${longest} ms, ${lagMs}`,
    );
    expect(await env.capacity.inUse('local')).toBe(0);
  }, 300_000);

  it('a crashed execution keeps its unit no longer than its lease; the next job then runs', async () => {
    const events: CapacityEvent[] = [];
    const LEASE_MS = 2_000;
    let started: (() => void) | undefined;
    const generating = new Promise<void>((resolve) => {
      started = resolve;
    });
    api = await startLocalApi({
      pollMs: POLL_MS,
      capacity: {
        units: { local: 1 },
        leaseMs: { local: LEASE_MS },
        sweepMs: 200,
        onEvent: (e) => events.push(e),
      },
      onEvent: (_job, e) => {
        if (e.type === 'StateEntered' && e.state === 'StartGeneration') started?.();
      },
    });
    const env = api.env;
    const user = await api.newUser();
    await env.ctx.users.changeTier(user.userId, 'BASIC');
    const p = await project(user.token);
    const crashing = await submit(user.token, p, 'will crash');
    await generating;
    // The render has started (StartGeneration renews the lease first, then starts the model, then reports 10).
    while ((await env.ctx.jobs.getForPipeline(crashing)).progress < 10) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await env.crashExecution(crashing);
    // Its render dies with it: no output will ever release the unit.
    await env.localModel.stop?.(crashing);
    expect(await env.capacity.inUse('local')).toBe(1);
    const next = await submit(user.token, p, 'runs after the lease');
    await env.idle();

    expect((await env.ctx.jobs.getForPipeline(next)).status).toBe('COMPLETED');
    const grant = events.find((e) => e.type === 'granted' && e.jobId === crashing)!;
    const reclaim = events.find((e) => e.type === 'released' && e.jobId === crashing)!;
    expect(reclaim).toMatchObject({ type: 'released', reason: 'expired' });
    // Reclaimed only once the lease ran out, and the next job was admitted after that.
    expect(reclaim.at - grant.at).toBeGreaterThanOrEqual(LEASE_MS);
    const nextGrant = events.find((e) => e.type === 'granted' && e.jobId === next)!;
    expect(nextGrant.at).toBeGreaterThanOrEqual(reclaim.at);
    console.log(
      `lease e2e: unit reclaimed ${reclaim.at - grant.at} ms after its grant (lease ${LEASE_MS} ms)`,
    );
  }, 60_000);
});
