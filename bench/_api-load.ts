/**
 * The load generator of the API benchmark, in its own process: autocannon against one route of the server
 * or the floor, each request signed by a user drawn at random from the file given as argv[2] (each user's
 * first request misses the verified-token cache, as with that many users). Prints one JSON line of results.
 * Jobs are cancelled as soon as their 202 arrives (the free tier runs 2 at once), and the users take turns
 * in a shuffled cycle there, so no user has two jobs queued while the first one's cancel is in flight.
 */
import { readFile } from 'node:fs/promises';
import autocannon from 'autocannon';

export interface LoadUser {
  userId: string;
  email: string;
  username: string;
  token: string;
  projectId: string;
  clipId: string;
}

export interface LoadPlan {
  url: string;
  route: 'project' | 'list' | 'clip' | 'create-project' | 'create-job';
  seconds: number;
  connections: number;
  users: LoadUser[];
}

export interface LoadResult {
  rps: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
  cancelFailures: number;
  firstCancelFailure: string;
}

const plan = JSON.parse(await readFile(process.argv[2]!, 'utf8')) as LoadPlan;
const { users } = plan;
const order = users.map((_, i) => i);
for (let i = order.length - 1; i > 0; i -= 1) {
  const j = Math.floor(Math.random() * (i + 1));
  [order[i], order[j]] = [order[j]!, order[i]!];
}
let turn = 0;
const pick = (): LoadUser =>
  plan.route === 'create-job'
    ? users[order[turn++ % order.length]!]!
    : users[Math.floor(Math.random() * users.length)]!;

// x-user-id is read only by the floor: it has no token verification, which is exactly what it leaves out.
const callerOf = (u: LoadUser) => ({ authorization: `Bearer ${u.token}`, 'x-user-id': u.userId });
const headersOf = (u: LoadUser) => ({ ...callerOf(u), 'content-type': 'application/json' });

function request(u: LoadUser): autocannon.Request {
  switch (plan.route) {
    case 'project':
      return { method: 'GET', path: `/v1/projects/${u.projectId}` };
    case 'list':
      return { method: 'GET', path: '/v1/projects?limit=20' };
    case 'clip':
      return { method: 'GET', path: `/v1/clips/${u.clipId}` };
    case 'create-project':
      return { method: 'POST', path: '/v1/projects', body: JSON.stringify({ title: 'Bench project' }) };
    case 'create-job':
      return {
        method: 'POST',
        path: `/v1/projects/${u.projectId}/jobs`,
        body: JSON.stringify({
          jobType: 'GENERATE',
          prompt: 'a red fox running through snow',
          parameters: { model: 'local', durationSeconds: 6 },
        }),
      };
  }
}

let cancelFailures = 0;
let firstCancelFailure = '';
const cancels = new Set<Promise<void>>();

const result = await autocannon({
  url: plan.url,
  connections: plan.connections,
  duration: plan.seconds,
  requests: [
    {
      setupRequest: (req: autocannon.Request, context: object) => {
        const u = pick();
        (context as { user?: LoadUser }).user = u;
        return { ...req, ...request(u), headers: headersOf(u) };
      },
      ...(plan.route === 'create-job'
        ? {
            onResponse: (status: number, body: string, context: object) => {
              if (status !== 202) return;
              const u = (context as { user: LoadUser }).user;
              const id = (JSON.parse(body) as { id: string }).id;
              const cancel = fetch(`${plan.url}/v1/jobs/${id}/cancel`, {
                method: 'POST',
                headers: headersOf(u),
              })
                .then(
                  (r) => {
                    if (r.ok) return r.arrayBuffer().then(() => undefined);
                    cancelFailures += 1;
                    return r.text().then((text) => {
                      firstCancelFailure ||= `${r.status} ${text.slice(0, 200)}`;
                    });
                  },
                  (error: unknown) => {
                    cancelFailures += 1;
                    firstCancelFailure ||= String(error);
                  },
                )
                .then(() => {
                  cancels.delete(cancel);
                });
              cancels.add(cancel);
            },
          }
        : {}),
    },
  ],
});
await Promise.all(cancels);

const out: LoadResult = {
  rps: result.requests.average,
  p99: result.latency.p99,
  requests: result.requests.total,
  non2xx: result.non2xx,
  errors: result.errors + result.timeouts,
  cancelFailures,
  firstCancelFailure,
};
process.stdout.write(`${JSON.stringify(out)}\n`);
