/**
 * A tiny webhook receiver: verifies each request with the reference `standardwebhooks` package and prints
 * the event. `WEBHOOK_SECRET=whsec_… npx tsx bin/webhook-receiver.ts` listens on 127.0.0.1:4000
 * (PORT to change); register `http://127.0.0.1:4000/` as an endpoint with `npm start`.
 *
 * For tests and benchmarks: WEBHOOK_SECRETS (a JSON map of path to secret) instead of one secret;
 * FAIL_RATE and HANG_RATE (0–1) answer that share of requests with a 500 or never; SEED fixes their
 * sequence; JSON=1 prints one JSON line per request (id, path, answer, body) instead of a summary.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

const single = process.env.WEBHOOK_SECRET;
const secrets = new Map<string, string>(Object.entries(JSON.parse(process.env.WEBHOOK_SECRETS ?? '{}')));
if (!single && secrets.size === 0) {
  console.error('Set WEBHOOK_SECRET to the whsec_… secret the API returned when you created the webhook.');
  process.exit(1);
}
const failRate = Number(process.env.FAIL_RATE ?? 0);
const hangRate = Number(process.env.HANG_RATE ?? 0);
const json = process.env.JSON === '1';

// mulberry32: the same sequence of failures on every run with the same SEED.
let state = Number(process.env.SEED ?? Date.now()) >>> 0;
function random(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const server = createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const secret = secrets.get(path) ?? single;
  const id = String(req.headers['webhook-id']);
  let event: { type: string; data: { id?: string; status?: string; progress?: number } };
  try {
    if (!secret) throw new Error(`no secret for ${path}`);
    event = new Webhook(secret).verify(body, req.headers as Record<string, string>) as typeof event;
  } catch (error) {
    if (json) console.log(JSON.stringify({ id, path, answer: 400, error: (error as Error).message }));
    else console.log(`refused ${id}: ${(error as Error).message}`);
    res.writeHead(400).end();
    return;
  }
  const r = random();
  const answer = r < failRate ? 500 : r < failRate + hangRate ? 'hang' : 204;
  if (json) console.log(JSON.stringify({ id, path, answer, at: Date.now(), body }));
  else {
    const d = event.data;
    console.log(
      `verified ${id} ${event.type}${d.status ? ` ${d.status}` : ''}${d.progress !== undefined ? ` ${d.progress}%` : ''}`,
    );
  }
  if (answer === 'hang') return;
  res.writeHead(answer).end();
});

server.listen(Number(process.env.PORT ?? 4000), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  if (json) console.log(JSON.stringify({ listening: `http://127.0.0.1:${port}` }));
  else console.log(`webhook receiver on http://127.0.0.1:${port}/ (verifying signatures)`);
});
