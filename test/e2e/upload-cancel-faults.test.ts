/**
 * Cancelling an upload, and the job an upload became, through the local server: whichever way an upload
 * ends, its file is deleted and the counters equal what the rows say.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRows } from '#shared/db/sql.ts';
import { waitForJob } from '#test/support/jobs.ts';
import { type LocalApi, startLocalApi } from '#test/support/local-api.ts';

let api: LocalApi;
/** Executions of these jobs wait before their first task until the gate opens. */
const gated = new Set<string>();
let openGate: () => void = () => {};
const gate = new Promise<void>((resolve) => {
  openGate = resolve;
});

beforeAll(async () => {
  api = await startLocalApi({
    pollMs: 50,
    beforeTask: async (_name, input) => {
      if (gated.has(input.jobId)) await gate;
    },
  });
});
afterAll(async () => {
  openGate();
  await api?.stop();
});

const bytes = new TextEncoder().encode('this is not a video');

async function presign(token: string, projectId: string, fileName: string) {
  const res = await api.call('POST', `/v1/projects/${projectId}/uploads`, {
    token,
    body: { fileName, contentType: 'video/mp4', fileSize: bytes.byteLength },
  });
  expect(res.status, res.text).toBe(201);
  return res.body as { uploadId: string; url: string; fields: Record<string, string> };
}

async function post(grant: { url: string; fields: Record<string, string> }) {
  const form = new FormData();
  for (const [k, v] of Object.entries(grant.fields)) form.append(k, v);
  form.append('file', new Blob([bytes], { type: 'video/mp4' }), 'clip.mp4');
  expect((await fetch(grant.url, { method: 'POST', body: form })).status).toBeLessThan(300);
}

async function jobState(uploadId: string) {
  const [row] = await rawRows<{ status: string; admitted: boolean }>(
    api.env.ctx.db,
    sql`SELECT status::text AS status, admitted FROM generation_jobs WHERE id = ${uploadId}::uuid`,
  );
  return row;
}

async function until(what: string, check: () => Promise<boolean>) {
  for (let i = 0; i < 400; i += 1) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never: ${what}`);
}

/** users' counters next to the sums of their rows. */
async function counters(userId: string) {
  const [row] = await rawRows<{ reserved: string; summed: string; uploads: number; rows: number }>(
    api.env.ctx.db,
    sql`SELECT u.storage_reserved::text AS reserved,
               (SELECT COALESCE(sum(bytes), 0) FROM upload_reservations r WHERE r.user_id = u.id)::text AS summed,
               u.upload_count AS uploads,
               (SELECT count(*)::int FROM upload_reservations r WHERE r.user_id = u.id) AS rows
        FROM users u WHERE u.id = ${userId}::uuid`,
  );
  return {
    reserved: Number(row!.reserved),
    summed: Number(row!.summed),
    uploads: row!.uploads,
    rows: row!.rows,
  };
}

describe('the job of an upload, cancelled while it waits for a slot', () => {
  it('deletes the uploaded file and gives the reservation back', async () => {
    const user = await api.newUser();
    const project = await api.call('POST', '/v1/projects', { token: user.token, body: { title: 'c' } });
    const projectId = project.body.id as string;
    // A FREE user runs two jobs at once: two held at the gate, the third upload's job waits for a slot.
    const grants: Awaited<ReturnType<typeof presign>>[] = [];
    for (let i = 0; i < 3; i += 1) grants.push(await presign(user.token, projectId, `c${i}.mp4`));
    for (const g of grants) gated.add(g.uploadId);
    for (const g of grants.slice(0, 2)) await post(g);
    await until('two uploads admitted', async () =>
      (await Promise.all(grants.slice(0, 2).map((g) => jobState(g.uploadId)))).every((j) => j?.admitted),
    );
    const waiting = grants[2]!;
    await post(waiting);
    await until(
      'the third upload is a waiting job',
      async () => (await jobState(waiting.uploadId)) !== undefined,
    );
    expect(await jobState(waiting.uploadId)).toEqual({ status: 'QUEUED', admitted: false });

    // The upload cannot be cancelled any more; its job can, as the 409 says.
    const refused = await api.call('DELETE', `/v1/uploads/${waiting.uploadId}`, { token: user.token });
    expect(refused.status).toBe(409);
    const cancelled = await api.call('POST', `/v1/jobs/${waiting.uploadId}/cancel`, { token: user.token });
    expect(cancelled.status, cancelled.text).toBeLessThan(300);
    expect(await jobState(waiting.uploadId)).toMatchObject({ status: 'FAILED' });
    const keys = async () => (await api.env.ctx.store.list(`uploads/${user.userId}/`)).map((o) => o.key);
    await until(
      'the cancelled job’s file is deleted',
      async () => !(await keys()).includes(waiting.fields.key!),
    );
    expect(await counters(user.userId)).toEqual({
      reserved: 2 * bytes.byteLength,
      summed: 2 * bytes.byteLength,
      uploads: 2,
      rows: 2,
    });

    openGate();
    for (const g of grants.slice(0, 2)) await waitForJob(api, user.token, g.uploadId);
    await api.env.idle();
    expect(await keys()).toEqual([]);
    expect(await counters(user.userId)).toEqual({ reserved: 0, summed: 0, uploads: 0, rows: 0 });
  });
});
