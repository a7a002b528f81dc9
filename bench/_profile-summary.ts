/**
 * Where a CPU profile's busy time went, by the code that was running (self time, idle excluded), grouped
 * into the pieces of an API request. `npx tsx bench/_profile-summary.ts <file.cpuprofile>...` prints a
 * markdown table; the API benchmarks call `summarizeProfiles` when BENCH_PROFILE is set.
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const GROUPS: [string, RegExp][] = [
  ['AWS SDK: clients, SigV4, middleware (signed links, StartExecution)', /node_modules\/@(aws-sdk|smithy)\//],
  [
    'token verification (aws-jwt-verify, RSA)',
    /node_modules\/aws-jwt-verify\/|node:internal\/crypto\/(keys|sig)/,
  ],
  ['hashing and HMAC (node:crypto)', /node:internal\/crypto\/hash|node:crypto$/],
  ['SQL: drizzle and node-postgres', /node_modules\/(drizzle-orm|pg|pg-protocol|pg-pool|pg-types)\//],
  ['validation (zod)', /node_modules\/zod\//],
  ['middy and its router', /node_modules\/@middy\//],
  ['logging (Powertools logger)', /node_modules\/@aws-lambda-powertools\//],
  [
    'sockets and HTTP (node:net, node:http, streams)',
    /node:(net|_http_\w+|http|internal\/streams\/\w+|internal\/stream_base_commons)$/,
  ],
  ['the application (shared/, functions/)', /\/(shared|functions)\//],
];

const SOCKETS = 'sockets and HTTP (node:net, node:http, streams)';
const SQL_SOCKET = 'SQL: node-postgres socket writes and reads';
const HTTP_CLIENT = 'HTTP requests to AWS services (the SDK client sockets)';

function groupOf(frame: ProfileNode['callFrame']): string {
  if (frame.functionName === 'writev' || frame.functionName === 'writeUtf8String') return SOCKETS;
  if (frame.functionName === '(garbage collector)') return 'garbage collection';
  for (const [name, pattern] of GROUPS) if (pattern.test(frame.url)) return name;
  return 'other (Node internals, promises, timers)';
}

/** Share of busy time per group, over all the profiles given, largest first. */
export async function summarizeProfiles(files: string[]): Promise<[string, number][]> {
  const { totals, busy } = await busyTimes(files);
  return [...totals].map(([g, t]): [string, number] => [g, t / busy]).sort((a, b) => b[1] - a[1]);
}

/** Busy time per group in microseconds, summed over the profiles given, and its total. */
export async function busyTimes(files: string[]): Promise<{ totals: Map<string, number>; busy: number }> {
  const totals = new Map<string, number>();
  let busy = 0;
  for (const file of files) {
    const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    // Socket work is charged to whoever asked for it: the SQL driver or an HTTP client.
    const socketOwner = (id: number): string => {
      for (let p = parent.get(id); p !== undefined; p = parent.get(p)) {
        const url = byId.get(p)!.url;
        if (/node_modules\/(pg|pg-pool|pg-protocol)\//.test(url)) return SQL_SOCKET;
        // A server's own answer also goes through _http_outgoing (ServerResponse is an OutgoingMessage):
        // only a request this process sends, from the SDK's handler or node:http's client, is a call to AWS.
        if (/^node:_http_client$|node_modules\/@smithy\/node-http-handler\//.test(url)) return HTTP_CLIENT;
        if (/^node:_http_server$/.test(url)) return SOCKETS;
      }
      return SOCKETS;
    };
    profile.samples.forEach((id, i) => {
      const frame = byId.get(id)!;
      // Idle time, and the profiler's own start (its first sample), are not the request's work.
      if (frame.functionName === '(idle)' || frame.functionName === '(program)') return;
      if (frame.url === 'node:inspector') return;
      const dt = profile.timeDeltas[i] ?? 0;
      let group = groupOf(frame);
      if (group === SOCKETS) group = socketOwner(id);
      totals.set(group, (totals.get(group) ?? 0) + dt);
      busy += dt;
    });
  }
  return { totals, busy };
}

/**
 * Busy time per request and group of the handler's profiles beside the floor's (each divided by its
 * number of requests), largest difference first: where the handler's time beyond the floor goes.
 */
export async function comparisonTable(
  handler: { files: string[]; requests: number },
  floor: { files: string[]; requests: number },
  floorName = 'floor',
): Promise<string> {
  const h = await busyTimes(handler.files);
  const f = await busyTimes(floor.files);
  const groups = new Set([...h.totals.keys(), ...f.totals.keys()]);
  const per = (t: Map<string, number>, g: string, n: number) => (t.get(g) ?? 0) / n;
  const rows = [...groups]
    .map((g): [string, number, number] => [
      g,
      per(h.totals, g, handler.requests),
      per(f.totals, g, floor.requests),
    ])
    .sort((a, b) => b[1] - b[2] - (a[1] - a[2]));
  const fmt = (x: number) => x.toFixed(0);
  return [
    `| where the busy time went (self time, µs per request) | handler | ${floorName} | handler − ${floorName} |`,
    '|---|---|---|---|',
    ...rows.map(([g, hv, fv]) => `| ${g} | ${fmt(hv)} | ${fmt(fv)} | ${fmt(hv - fv)} |`),
    `| **all** | **${fmt(h.busy / handler.requests)}** | **${fmt(f.busy / floor.requests)}** | **${fmt(h.busy / handler.requests - f.busy / floor.requests)}** |`,
  ].join('\n');
}

export function summaryTable(shares: [string, number][]): string {
  return [
    '| where the busy CPU time went (self time) | share |',
    '|---|---|',
    ...shares.map(([g, s]) => `| ${g} | ${(s * 100).toFixed(1)}% |`),
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(summaryTable(await summarizeProfiles(process.argv.slice(2))));
}
