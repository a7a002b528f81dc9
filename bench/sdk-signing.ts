/**
 * What SigV4 signing costs the AWS SDK clients with the hash they are given (shared/sdk/sha256.ts) against
 * the SDK's own: the CPU of this process per signed GET link (the app's presigner, shared/storage/
 * presign-get.ts, no network) and per StartExecution call (the SDK client's whole call, against the Step
 * Functions stand-in in a process of its own, bench/_sfn-stub.ts, whose CPU is not counted). Alternating
 * blocks, median of BENCH_RUNS (7) per side.
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { sdkConfig } from '#shared/sdk/sha256.ts';
import { createGetPresigner } from '#shared/storage/presign-get.ts';
import { median } from './_api-seed.ts';
import { startStandIn, stopProcess } from './_processes.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session' };
const region = 'us-east-1';

async function cpuPerCall(call: () => Promise<unknown>, n: number): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i += 1) await call();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
}

/** Medians of alternating blocks: [SDK's hash, ours], µs per call. */
async function compare(
  sdk: () => Promise<unknown>,
  ours: () => Promise<unknown>,
  n: number,
): Promise<[number[], number[]]> {
  await cpuPerCall(sdk, n);
  await cpuPerCall(ours, n);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    a.push(await cpuPerCall(sdk, n));
    b.push(await cpuPerCall(ours, n));
  }
  return [a, b];
}

const row = (name: string, [a, b]: [number[], number[]]) =>
  `| ${name} | ${median(a).toFixed(0)} (${Math.min(...a).toFixed(0)}–${Math.max(...a).toFixed(0)}) | ${median(b).toFixed(0)} (${Math.min(...b).toFixed(0)}–${Math.max(...b).toFixed(0)}) | ${(median(b) / median(a)).toFixed(2)} |`;

export async function run(): Promise<string> {
  const s3 = (config: object) => new S3Client({ region, credentials, ...config });
  const [sdkLink, ourLink] = await Promise.all([
    createGetPresigner(s3({}), 'media'),
    createGetPresigner(s3(sdkConfig()), 'media'),
  ]);
  const key = () => `users/${randomUUID()}/projects/p/clips/c/video.mp4`;
  const links = await compare(
    () => sdkLink(key(), 900, 'video/mp4'),
    () => ourLink(key(), 900, 'video/mp4'),
    2000,
  );

  const stub = await startStandIn<{ endpoint: string }>('_sfn-stub.ts');
  try {
    const sfn = (config: object) =>
      new SFNClient({ region, credentials, endpoint: stub.endpoint, ...config });
    const [sdkSfn, ourSfn] = [sfn({}), sfn(sdkConfig())];
    const start = (client: SFNClient) => () =>
      client.send(
        new StartExecutionCommand({
          stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:bench',
          name: randomUUID(),
          input: JSON.stringify({ jobId: randomUUID(), jobType: 'GENERATE' }),
        }),
      );
    const calls = await compare(start(sdkSfn), start(ourSfn), 1000);
    return [
      `## SigV4 signing: the SDK's hash against shared/sdk/sha256.ts (CPU µs per call, median of ${RUNS} alternating blocks, ${process.version})`,
      '',
      "| call | SDK's hash (min–max) | KeyObject keys (min–max) | ratio |",
      '|---|---|---|---|',
      row('presigned GET link (createGetPresigner, 2,000 per block)', links),
      row('StartExecution through SFNClient (1,000 per block, stand-in in another process)', calls),
      '',
      "The same signatures either way (test/unit/sdk/sha256.test.ts); only the way an HMAC key reaches node:crypto differs. This process's CPU only: the stand-in's is not counted.",
    ].join('\n');
  } finally {
    await stopProcess(stub.child);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(await run());
