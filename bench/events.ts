/**
 * Job events to webhooks on the embedded database `npm start` uses (PGlite) with the in-process sender:
 * - latency: a state change committed → its webhook received and verified by a receiver in its own process
 *   (bin/webhook-receiver.ts), p50 and p99 over BENCH_EVENTS changes made 25 ms apart (target p50 ≤ 200 ms);
 * - throughput: BENCH_BURST deliveries already due, sent to a receiver that answers at once: deliveries/s.
 * Each figure is the median of BENCH_RUNS runs, with the range; any delivery not succeeded fails the run.
 * With DATABASE_URL, the same again on that PostgreSQL server.
 */
import { randomUUID } from 'node:crypto';
import { StatementCounter } from '#shared/db/database.ts';
import { openNodePostgres } from '#shared/db/drivers/node-postgres.ts';
import { openPglite } from '#shared/db/drivers/pglite.ts';
import { migrate } from '#shared/db/migrate.ts';
import { createJobRepository } from '#shared/jobs/repository.ts';
import { createProjectRepository } from '#shared/projects/repository.ts';
import { createUserRepository } from '#shared/users/repository.ts';
import { createDeliveryQueue } from '#shared/webhooks/deliveries.ts';
import { createDeliverer, createDispatcher } from '#shared/webhooks/dispatcher.ts';
import type { AttemptReport } from '#shared/webhooks/outcomes.ts';
import { createWebhookRepository } from '#shared/webhooks/repository.ts';
import { newWebhookSecret } from '#shared/webhooks/signing.ts';
import { freshServerDatabase } from '../test/support/db-drivers.ts';
import { startReceiver } from '../test/support/webhook-receiver.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 200);
const BURST = Number(process.env.BENCH_BURST ?? 1_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};
const median = (values: number[]) => quantile(values, 0.5);

type Target = 'pglite' | 'postgresql';

async function open(target: Target) {
  if (target === 'pglite') return openPglite({ counter: new StatementCounter() });
  const fresh = await freshServerDatabase();
  const handle = openNodePostgres({ url: fresh.url, max: 20 });
  return {
    ...handle,
    close: async () => {
      await handle.close();
      await fresh.drop();
    },
  };
}

async function once(target: Target) {
  const handle = await open(target);
  await migrate(handle.db);
  const users = createUserRepository(handle.db);
  const projects = createProjectRepository(handle.db);
  const jobs = createJobRepository(handle.db);
  const webhooks = createWebhookRepository(handle.db);
  const queue = createDeliveryQueue(handle.db);
  const tag = randomUUID().slice(0, 8);
  const user = await users.create({ email: `b${tag}@example.com`, username: `bench_${tag}` });
  const project = await projects.create(user.id, { title: 'bench' });
  const secret = newWebhookSecret();
  const receiver = await startReceiver({ secrets: { '/hook': secret } });
  await webhooks.create({ userId: user.id, url: `${receiver.url}/hook`, secret });
  const reports: AttemptReport[] = [];
  const dispatcher = createDispatcher(
    queue,
    createDeliverer(queue, { policy: 'local', onOutcome: (r) => reports.push(r) }),
    { pollMs: 20, maxInFlight: 64, perEndpoint: 64 },
  );
  const job = (i: number) =>
    jobs.create({
      userId: user.id,
      projectId: project.id,
      jobType: 'GENERATE',
      prompt: `bench ${i}`,
      parameters: {},
      concurrentLimit: 1_000_000,
    });
  const waitFor = async (n: number) => {
    const deadline = Date.now() + 300_000;
    while (reports.length < n) {
      if (Date.now() > deadline) throw new Error(`only ${reports.length} of ${n} deliveries ended`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  try {
    // Latency: each change's commit time against its arrival (Date.now() on both sides of one machine).
    dispatcher.start();
    const committed = new Map<string, number>();
    for (let i = 0; i < EVENTS; i += 1) {
      const created = await job(i);
      committed.set(created.id, Date.now());
      await new Promise((r) => setTimeout(r, 25));
    }
    await waitFor(EVENTS);
    const latencies = receiver.received.map((r) => {
      const event = JSON.parse(r.body as string) as { data: { id: string } };
      return (r.at as number) - (committed.get(event.data.id) as number);
    });
    // Throughput: a backlog of due deliveries, sent as fast as the sender goes.
    await dispatcher.stop();
    for (let i = 0; i < BURST; i += 1) await job(EVENTS + i);
    const started = performance.now();
    dispatcher.start();
    await waitFor(EVENTS + BURST);
    const seconds = (performance.now() - started) / 1000;
    const failed = reports.filter((r) => r.outcome !== 'succeeded').length;
    if (failed > 0) throw new Error(`${failed} attempts did not succeed`);
    return { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), perSecond: BURST / seconds };
  } finally {
    await dispatcher.stop();
    await receiver.close();
    await handle.close();
  }
}

export async function run(): Promise<string> {
  const targets: Target[] = process.env.DATABASE_URL ? ['pglite', 'postgresql'] : ['pglite'];
  const row = (name: string, values: number[], unit: string, digits = 0) =>
    `| ${name} | ${median(values).toFixed(digits)} ${unit} | ${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)} |`;
  const out = [
    '## Job events to webhooks (in-process sender, receiver in its own process)',
    '',
    `${EVENTS} state changes 25 ms apart, then a backlog of ${BURST} due deliveries; median of ${RUNS} runs.`,
  ];
  for (const target of targets) {
    const runs = [];
    for (let i = 0; i < RUNS; i += 1) runs.push(await once(target));
    out.push(
      '',
      target === 'pglite' ? 'PGlite (what npm start uses):' : 'PostgreSQL (DATABASE_URL, node-postgres):',
      '',
      '| measure | median | range |',
      '|---|---|---|',
      row(
        'change committed → webhook received, p50',
        runs.map((r) => r.p50),
        'ms',
      ),
      row(
        'change committed → webhook received, p99',
        runs.map((r) => r.p99),
        'ms',
      ),
      row(
        'deliveries per second (backlog, fast receiver)',
        runs.map((r) => r.perSecond),
        '/s',
        1,
      ),
    );
  }
  return out.join('\n');
}
