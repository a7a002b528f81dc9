/** Runs bin/webhook-receiver.ts in its own process (as a real receiver would be) and collects what it saw. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface Received {
  id: string;
  path: string;
  answer: number | 'hang';
  /** Date.now() when the request arrived. */
  at?: number;
  body?: string;
  error?: string;
}

export async function startReceiver(options: {
  secrets: Record<string, string>;
  failRate?: number;
  hangRate?: number;
  seed?: number;
}) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'bin/webhook-receiver.ts'], {
    env: {
      ...process.env,
      PORT: '0',
      JSON: '1',
      WEBHOOK_SECRETS: JSON.stringify(options.secrets),
      FAIL_RATE: String(options.failRate ?? 0),
      HANG_RATE: String(options.hangRate ?? 0),
      SEED: String(options.seed ?? 1),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const received: Received[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`receiver exited with ${code}`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const message = JSON.parse(line) as Received & { listening?: string };
      if (message.listening) resolve(message.listening);
      else received.push(message);
    });
  });
  return {
    url,
    received,
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
    },
  };
}
