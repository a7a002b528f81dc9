/**
 * `npm start`: the whole backend on this machine, on embedded stand-ins, with no AWS account.
 * PORT (default 3000) picks the port; data lives under .data/ and survives restarts. Browsers on
 * localhost and 127.0.0.1 (any port) may call the API and the media; CORS_ORIGINS (comma-separated) adds more.
 */
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureConsoleBuilt } from '#infra/console/build.ts';
import { LOCAL_CORS_ORIGINS } from '#shared/http/cors.ts';
import { startLocalEnvironment } from './environment.ts';
import { startApiServer } from './server.ts';
import { failStart } from './start-failure.ts';

const port = Number(process.env.PORT ?? 3000);
// The local model's capacity (admission control, shared/capacity/): one generation per core unless
// LOCAL_MODEL_CAPACITY says otherwise, so a burst of jobs waits QUEUED instead of crowding out this process.
const localCapacity = Number(process.env.LOCAL_MODEL_CAPACITY || os.availableParallelism());
if (!(Number.isInteger(localCapacity) && localCapacity > 0)) {
  throw new Error(
    `LOCAL_MODEL_CAPACITY must be a whole number above 0, not "${process.env.LOCAL_MODEL_CAPACITY}".`,
  );
}
const dataDir = path.resolve(process.env.DATA_DIR ?? '.data');
// Renders, transcodes and probes write their temporary files under the data directory, so that the next
// start removes what a killed server left there (the environment empties it once it holds the lock).
const scratchDir = path.join(dataDir, 'tmp');
mkdirSync(scratchDir, { recursive: true });
process.env.TMPDIR = scratchDir;
process.env.TMP = scratchDir;
process.env.TEMP = scratchDir;
let jwks: { keys: object[] } = { keys: [] };

const corsOrigins = [
  ...LOCAL_CORS_ORIGINS,
  ...(process.env.CORS_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean),
];

const consoleDir = ensureConsoleBuilt((line) => process.stdout.write(`${line}\n`));
// The API answers 503 (Retry-After) until the environment behind it is up.
let markStarted = () => {};
const started = new Promise<void>((resolve) => {
  markStarted = resolve;
});
// Until it is up, any failure (some stand-ins throw outside a promise) ends the start with a sentence.
const where = { dataDir, port };
const onStartFailure = (error: unknown) => failStart(error, where);
process.on('uncaughtException', onStartFailure);
const { api, env } = await (async () => {
  const api = await startApiServer({
    port,
    jwks: () => jwks,
    corsOrigins,
    consoleDir,
    readyWhen: started,
  });
  const env = await startLocalEnvironment({
    dataDir,
    corsOrigins,
    issuer: api.url,
    ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL, claimDatabase: true } : {}),
    logLevel: (process.env.LOG_LEVEL as 'INFO' | undefined) ?? 'WARN',
    capacity: { units: { local: localCapacity } },
    scratchDir,
  });
  return { api, env };
})().catch(onStartFailure);
process.off('uncaughtException', onStartFailure);
jwks = env.jwks;
markStarted();

const u = api.url;
process.stdout.write(`
AI video backend is running locally (embedded PostgreSQL, S3, DynamoDB and token issuer).

  Console   ${u}/        (open it in a browser: sign up, make a project, generate a clip, play it)
  API       ${u}/v1
  OpenAPI   ${u}/v1/openapi.json
  Health    ${u}/v1/health
  Data      ${dataDir}
  CORS      pages on ${corsOrigins.join(', ')} may call the API and load media
            (its own origin ${u} included; add origins with CORS_ORIGINS=https://a.example,...)

Try it (copy and paste; needs curl and node):

  curl -s -X POST ${u}/v1/auth/signup -H 'content-type: application/json' \\
    -d '{"email":"ada@example.com","username":"ada","password":"Secret123"}'

  TOKEN=$(curl -s -X POST ${u}/v1/auth/login -H 'content-type: application/json' \\
    -d '{"email":"ada@example.com","password":"Secret123"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).accessToken')

  PROJECT=$(curl -s -X POST ${u}/v1/projects -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\
    -d '{"title":"My first film"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).id')

  # signed webhooks for every job event: register an endpoint, then run the receiver the project ships,
  # which verifies each signature and prints the event (a webhook arrives within a second of each change)
  SECRET=$(curl -s -X POST ${u}/v1/webhooks -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\
    -d '{"url":"http://127.0.0.1:4000/"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).secret')
  WEBHOOK_SECRET=$SECRET npm run --silent webhook-receiver &
  # (or watch the same events live: curl -N ${u}/v1/events -H "authorization: Bearer $TOKEN")

  JOB=$(curl -s -X POST ${u}/v1/projects/$PROJECT/jobs -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\
    -d '{"jobType":"GENERATE","prompt":"a red fox running through snow","parameters":{"model":"local","durationSeconds":6}}' \\
    | node -pe 'JSON.parse(require("fs").readFileSync(0)).id')

  # watch its progress (the local model is a procedural stand-in, not AI)
  while :; do S=$(curl -s ${u}/v1/jobs/$JOB -H "authorization: Bearer $TOKEN" \\
    | node -pe 'const j=JSON.parse(require("fs").readFileSync(0)); j.status+" "+j.progress+"% "+(j.errorMessage??"")')
    echo "$S"; case "$S" in COMPLETED*|FAILED*) break;; esac; sleep 1; done

  CLIP=$(curl -s ${u}/v1/jobs/$JOB -H "authorization: Bearer $TOKEN" | node -pe 'JSON.parse(require("fs").readFileSync(0)).clipId')
  curl -s ${u}/v1/clips/$CLIP -H "authorization: Bearer $TOKEN" \\
    | node -pe 'JSON.parse(require("fs").readFileSync(0)).media.videoUrl' | xargs curl -s -o fox.mp4

  # upload your own video (here: the clip just made); it becomes a TRANSCODE job with the upload's id
  curl -s -X POST ${u}/v1/projects/$PROJECT/uploads -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\
    -d "{\\"fileName\\":\\"fox.mp4\\",\\"contentType\\":\\"video/mp4\\",\\"fileSize\\":$(wc -c < fox.mp4)}" > upload.json
  node -p 'const u=require("./upload.json"); [...Object.entries(u.fields).map(([k,v])=>"-F "+k+"="+v), "-F file=@fox.mp4", u.url].join(" ")' | xargs curl -s
  curl -s ${u}/v1/jobs/$(node -p 'require("./upload.json").uploadId') -H "authorization: Bearer $TOKEN"

Press Ctrl+C to stop.
`);

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  await api.close();
  await env.shutdown();
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
