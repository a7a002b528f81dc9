/**
 * Model capacity admission, simulated: a discrete-event simulation of the deployed design with a
 * simulated clock (no sleeps), driven by the same admission code (shared/capacity/admission.ts) over the
 * in-memory store. 10,000 GENERATE jobs arrive in bursts from many users against a Bedrock quota of 10
 * concurrent generations lasting 90–180 s each.
 *
 * What the simulation plays, as deployed:
 * - RouteByJobType and AcquireCapacity (a waitForTaskToken Lambda task): the task enters the line with a
 *   fresh token; the state times out after 90 s and retries with a new token (one transition and one
 *   invocation per retry).
 * - An admitted job starts its generation 1 s later (MarkGenerating, StartGeneration), each attempt renewing
 *   its 15-minute lease. The model refuses a start beyond its quota (ModelThrottled, retried with the state
 *   machine's backoff).
 * - The model's output lands 1 s after the generation ends (S3 → EventBridge → Lambda), which releases
 *   the unit to the next job in line.
 * - The sweeper runs every minute; an execution ends TIMED_OUT after 2 hours (the job fails).
 *
 * Printed: completed and failed jobs, the model's use while jobs wait against the quota's ceiling,
 * throughput over the whole run, p50/p99 wait, and what waiting costs: Step Functions transitions,
 * Lambda invocations and SendTaskSuccess calls per job that waited.
 */
import { type AdmissionTokens, createAdmission } from '../shared/capacity/admission.ts';
import { memoryCapacityStore } from '../shared/capacity/memory-store.ts';

const JOBS = Number(process.env.CAPACITY_JOBS ?? 10_000);
const QUOTA = 10;
const GENERATION = { min: 90, max: 180 };
const ACQUIRE_TIMEOUT_S = 90;
const EXECUTION_LIMIT_S = 2 * 3600;
const LEASE_S = 15 * 60;
const SWEEP_S = 60;
const MODEL = 'luma-ray2';
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

/** A small deterministic generator (mulberry32), so runs with one seed repeat exactly. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A binary heap of timed events; equal times keep their order. */
class Agenda {
  private heap: { at: number; seq: number; run: () => Promise<void> | void }[] = [];
  private seq = 0;
  push(at: number, run: () => Promise<void> | void) {
    const h = this.heap;
    h.push({ at, seq: this.seq++, run });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.less(h[p]!, h[i]!)) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }
  pop() {
    const h = this.heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }
  get size() {
    return this.heap.length;
  }
  private less(a: { at: number; seq: number }, b: { at: number; seq: number }) {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }
}

interface Job {
  id: string;
  userId: string;
  arrivedAt: number;
  admittedAt?: number;
  done: boolean;
  failed: boolean;
  token?: string;
  generating: boolean;
  /** Cost while waiting: AcquireCapacity entries and retries. */
  transitions: number;
  invocations: number;
}

/** Bursts: every 95 minutes 400 jobs within one minute, from 600 users of whom a few submit many. */
function arrivals(rand: () => number) {
  const out: { at: number; userId: string }[] = [];
  const burstSize = 400;
  for (let b = 0; out.length < JOBS; b++) {
    const start = b * 95 * 60;
    for (let i = 0; i < burstSize && out.length < JOBS; i++) {
      // A skewed choice: user k is picked with weight 1/(k+1).
      const u = Math.floor(600 ** rand()) - 1;
      out.push({ at: start + rand() * 60, userId: `user-${u}` });
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

export async function simulate(seed: number) {
  const rand = random(seed);
  let clock = 0;
  const agenda = new Agenda();
  const store = memoryCapacityStore();
  const jobs = new Map<string, Job>();
  const live = new Map<string, Job>();
  let sendTaskSuccess = 0;
  let sendTaskHeartbeat = 0;
  let throttled = 0;
  let modelInFlight = 0;
  let tokenSeq = 0;

  const tokens: AdmissionTokens = {
    async succeed(token) {
      sendTaskSuccess++;
      const job = live.get(token);
      if (!job) return false;
      live.delete(token);
      job.admittedAt = clock;
      agenda.push(clock + 1, () => startGeneration(job, 0));
      return true;
    },
    async waiting(token) {
      sendTaskHeartbeat++;
      return live.has(token);
    },
  };
  const admission = createAdmission({
    store,
    tokens,
    capacityOf: () => QUOTA,
    leaseMsOf: () => LEASE_S,
    now: () => clock,
  });

  async function acquire(job: Job) {
    if (job.done) return;
    const token = `t${++tokenSeq}`;
    job.token = token;
    job.transitions++;
    job.invocations++;
    live.set(token, job);
    await admission.enter({
      model: MODEL,
      jobId: job.id,
      userId: job.userId,
      enqueuedAt: job.arrivedAt,
      taskToken: token,
    });
    agenda.push(clock + ACQUIRE_TIMEOUT_S, async () => {
      // States.Timeout: the token dies and the Retry runs the task again with a new one.
      if (!live.delete(token) || job.done) return;
      await acquire(job);
    });
  }

  async function startGeneration(job: Job, attempt: number) {
    if (job.done) return;
    // Every attempt renews the job's lease first, as StartGeneration does (generations here end before its
    // 240 s wait, so CheckGeneration never runs).
    await admission.renew(MODEL, job.id);
    if (modelInFlight >= QUOTA) {
      // ModelThrottled: the state machine's backoff (5 s doubling, capped at 120 s, full jitter).
      throttled++;
      const cap = Math.min(120, 5 * 2 ** attempt);
      agenda.push(clock + rand() * cap, () => startGeneration(job, attempt + 1));
      return;
    }
    modelInFlight++;
    job.generating = true;
    const seconds = GENERATION.min + rand() * (GENERATION.max - GENERATION.min);
    busySeconds += seconds;
    agenda.push(clock + seconds, () => {
      modelInFlight--;
      job.generating = false;
      lastGenerationEnd = clock;
      agenda.push(clock + 1, async () => {
        if (job.done) return;
        await admission.release(MODEL, job.id);
        job.done = true;
      });
    });
  }

  let busySeconds = 0;
  let lastGenerationEnd = 0;
  // The model's use while jobs wait: generating units against the quota, integrated over time.
  let waitingSpan = 0;
  let waitingBusy = 0;
  let lastAt = 0;
  async function account() {
    const dt = clock - lastAt;
    if (dt > 0) {
      const { waiters } = await store.queue(MODEL);
      if (waiters.length > 0) {
        waitingSpan += dt;
        waitingBusy += generatingNow * dt;
      }
    }
    lastAt = clock;
    generatingNow = modelInFlight;
  }
  let generatingNow = 0;

  for (const [i, a] of arrivals(rand).entries()) {
    const job: Job = {
      id: `job-${i}`,
      userId: a.userId,
      arrivedAt: a.at,
      done: false,
      failed: false,
      generating: false,
      transitions: 1, // RouteByJobType
      invocations: 0,
    };
    jobs.set(job.id, job);
    agenda.push(a.at, () => acquire(job));
    agenda.push(a.at + EXECUTION_LIMIT_S, async () => {
      if (job.done) return;
      // TIMED_OUT: the ended-execution handler runs MarkFailed, which gives the unit or the place back.
      job.done = true;
      job.failed = true;
      if (job.token) live.delete(job.token);
      if (job.generating) modelInFlight--;
      await admission.release(MODEL, job.id);
    });
  }
  const sweep = async () => {
    await admission.sweep(MODEL);
    if ([...jobs.values()].some((j) => !j.done)) agenda.push(clock + SWEEP_S, sweep);
  };
  agenda.push(SWEEP_S, sweep);

  let processed = 0;
  while (agenda.size) {
    const event = agenda.pop()!;
    clock = event.at;
    await account();
    await event.run();
    // Generating units change within events; sample after each one.
    generatingNow = modelInFlight;
    processed++;
  }

  const all = [...jobs.values()];
  const waited = all.filter((j) => j.admittedAt !== undefined && j.admittedAt - j.arrivedAt > 1e-9);
  const waits = all
    .filter((j) => j.admittedAt !== undefined)
    .map((j) => j.admittedAt! - j.arrivedAt)
    .sort((a, b) => a - b);
  const pct = (p: number) => waits[Math.min(waits.length - 1, Math.floor((p / 100) * waits.length))] ?? 0;
  const firstArrival = Math.min(...all.map((j) => j.arrivedAt));
  const makespan = lastGenerationEnd - firstArrival;
  const perWaiting = (f: (j: Job) => number) =>
    waited.reduce((s, j) => s + f(j), 0) / Math.max(1, waited.length);
  return {
    completed: all.filter((j) => j.done && !j.failed).length,
    failed: all.filter((j) => j.failed).length,
    busyWhileWaiting: waitingBusy / (QUOTA * Math.max(1e-9, waitingSpan)),
    overall: busySeconds / (QUOTA * makespan),
    // The work the bursts bring against what the quota can do in the time they span (a burst every 95 min).
    offered: busySeconds / (QUOTA * Math.ceil(JOBS / 400) * 95 * 60),
    p50: pct(50),
    p99: pct(99),
    waited: waited.length,
    transitionsPerWaiting: perWaiting((j) => j.transitions),
    invocationsPerWaiting: perWaiting((j) => j.invocations),
    sendTaskSuccessPerJob: sendTaskSuccess / all.length,
    sendTaskHeartbeatPerJob: sendTaskHeartbeat / all.length,
    throttled,
    events: processed,
    storeOperations: store.operations,
  };
}

const fmt = (n: number, d = 2) => n.toFixed(d);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const range = (xs: number[], d = 2) =>
  `${fmt(median(xs), d)} (${fmt(Math.min(...xs), d)}–${fmt(Math.max(...xs), d)})`;

export async function run(): Promise<string> {
  const results: Awaited<ReturnType<typeof simulate>>[] = [];
  for (let seed = 1; seed <= RUNS; seed++) results.push(await simulate(seed));
  const col = <K extends keyof (typeof results)[number]>(k: K) => results.map((r) => r[k] as number);
  const lines = [
    '## capacity: admission control, simulated',
    '',
    `${JOBS} GENERATE jobs in bursts of 400 (within a minute, every 95 minutes) from 600 users, skewed; quota ${QUOTA} concurrent generations of ${GENERATION.min}–${GENERATION.max} s; AcquireCapacity timeout ${ACQUIRE_TIMEOUT_S} s; sweeper every ${SWEEP_S} s; execution limit 2 h. Simulated clock, ${RUNS} seeds: median (min–max).`,
    '',
    '| measure | value |',
    '| --- | --- |',
    `| completed | ${range(col('completed'), 0)} |`,
    `| failed | ${range(col('failed'), 0)} |`,
    `| model busy while jobs wait, of the quota's ceiling (target ≥ 0.95) | ${range(col('busyWhileWaiting'), 4)} |`,
    `| throughput over the run, of the quota's ceiling | ${range(col('overall'), 4)} |`,
    `| offered load: generation time the bursts bring, of the quota's ceiling over their span | ${range(col('offered'), 4)} |`,
    `| wait p50 (s) | ${range(col('p50'), 0)} |`,
    `| wait p99 (s) | ${range(col('p99'), 0)} |`,
    `| jobs that waited | ${range(col('waited'), 0)} |`,
    `| Step Functions transitions per waiting job, while waiting | ${range(col('transitionsPerWaiting'))} |`,
    `| Lambda invocations per waiting job, while waiting | ${range(col('invocationsPerWaiting'))} |`,
    `| SendTaskSuccess calls per job (hand-overs, tries on dead tokens included) | ${range(col('sendTaskSuccessPerJob'))} |`,
    `| SendTaskHeartbeat calls per job (an attempt left waiting asks whether its state still waits) | ${range(col('sendTaskHeartbeatPerJob'))} |`,
    `| starts the model refused (ModelThrottled) | ${range(col('throttled'), 0)} |`,
    `| simulated events | ${range(col('events'), 0)} |`,
  ];
  return lines.join('\n');
}
