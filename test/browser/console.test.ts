/**
 * The web console in Debian's Chromium, as a new user meets it: sign up, create a project, generate a local
 * clip and watch its progress reach 100 %, play it, upload a file by drag and drop and watch its transcode
 * complete, save a template, use, edit and delete it, rename a clip, trim and stitch, set up a webhook (events,
 * secret rotation, retry), export the account and delete it; then paging of jobs and of the template gallery. axe-core checks every page; each step leaves a screenshot in .screenshots/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { type Browser, chromium, type Page, type Route } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureConsoleBuilt } from '#infra/console/build.ts';
import { type LocalApi, startLocalApi } from '#test/support/local-api.ts';

const CHROMIUM = '/usr/bin/chromium';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const SHOTS = '.screenshots';

let api: LocalApi;
const requests: string[] = [];
let browser: Browser;
/**
 * While set, a transcode waits here (its job PROCESSING) before its settings are built: the page reads a new
 * upload's job only every half second, and a transcode done between two reads is never seen running, so
 * nothing is followed.
 */
let transcodeHeld: Promise<void> | undefined;
let releaseTranscode = () => {};
function holdTranscodes() {
  transcodeHeld = new Promise<void>((resolve) => {
    releaseTranscode = () => {
      transcodeHeld = undefined;
      resolve();
    };
  });
}
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is missing at ${CHROMIUM} (apt-get install chromium)`);
  const consoleDir = ensureConsoleBuilt();
  await mkdir(SHOTS, { recursive: true });
  [api, browser] = await Promise.all([
    startLocalApi(
      { pollMs: 50, beforeTask: (state) => (state === 'BuildTranscodeSettings' ? transcodeHeld : undefined) },
      { consoleDir },
    ),
    chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    }),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

/** axe-core on the page as it is now: no serious or critical violation. */
async function expectAccessible(page: Page, step: string) {
  // Evaluated through the DevTools protocol: the page's CSP refuses an inline <script> such as addScriptTag's.
  if (!(await page.evaluate("'axe' in window"))) await page.evaluate(readFileSync(AXE, 'utf8'));
  const violations = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) =>
    r.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')) })))`)) as {
    id: string;
    impact: string;
    targets: string[];
  }[];
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad, `axe on ${step}`).toEqual([]);
}

/** expect.poll with room for a machine shared with other work (its default is one second). */
const eventually = <T>(fn: () => Promise<T>, options: { timeout?: number } = {}) =>
  expect.poll(fn, { timeout: 20_000, interval: 100, ...options });

const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });

/** A page of a new browser context whose session already holds `token`; its uncaught errors are collected. */
async function signedInPage(token: string, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport });
  await context.addInitScript(
    `sessionStorage.setItem('ai-video.session', ${JSON.stringify(JSON.stringify({ accessToken: token }))})`,
  );
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  return { context, page, pageErrors };
}

it('signs up, makes a project, generates and plays a clip, uploads a file, and deletes, accessibly', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  // The local server sends the deployed Content-Security-Policy: whatever it blocks, Chromium reports here.
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) pageErrors.push(m.text());
  });
  page.on('dialog', (dialog) => dialog.accept());
  page.on('request', (request) => requests.push(`${request.method()} ${new URL(request.url()).pathname}`));
  const tag = Math.random().toString(36).slice(2, 10);
  try {
    await walkThrough(page, tag, pageErrors);
  } catch (error) {
    await shot(page, 'failed').catch(() => {});
    throw error;
  } finally {
    releaseTranscode();
    await context.close();
  }
}, 240_000);

async function walkThrough(page: Page, tag: string, pageErrors: string[]) {
  // Sign-in page; the first Tab reaches the skip link.
  await page.goto(`${api.url}/`);
  await eventually(() => page.getByRole('heading', { name: 'Sign in' }).count()).toBe(1);
  await page.keyboard.press('Tab');
  expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to content');
  await expectAccessible(page, 'sign in');
  await shot(page, '01-sign-in');

  // Sign up; the API's problem+json lands on the field it names.
  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.getByLabel('Email').fill(`console${tag}@example.com`);
  await page.getByLabel('Username').fill(`c_${tag}`);
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  const password = page.getByLabel('Password');
  await eventually(() => password.getAttribute('aria-invalid')).toBe('true');
  const describedBy = await password.getAttribute('aria-describedby');
  expect(await page.locator(`#${describedBy}`).textContent()).toMatch(/at least 8 characters/);
  await expectAccessible(page, 'sign up with a problem');
  await shot(page, '02-sign-up-problem');
  await password.fill(`Pw${tag}A1`);
  await password.press('Enter');
  await eventually(() => page.getByRole('heading', { name: 'Projects', exact: true }).count()).toBe(1);
  await eventually(() => page.getByText('FREE').count()).toBe(1);

  // Create a project, rename it; eleven more make a second page.
  await page.getByLabel('Title').fill(`Film ${tag}`);
  await page.getByRole('button', { name: 'Create project' }).click();
  // Said in a live region beside the button (where a phone's screen still is), with a way into the project.
  const created = page.getByRole('status').filter({ hasText: `Film ${tag}` });
  await eventually(() => created.count()).toBe(1);
  expect(await created.textContent()).toMatch(`Created “Film ${tag}”`);
  expect(await created.getByRole('link', { name: 'Open it' }).getAttribute('href')).toMatch(
    /^#\/projects\/[\w-]+$/,
  );
  await page.getByRole('button', { name: `Rename Film ${tag}` }).click();
  await page.getByLabel(`New title for Film ${tag}`).fill(`Fox film ${tag}`);
  await page.getByRole('button', { name: 'Save' }).click();
  await eventually(() => page.getByRole('link', { name: `Fox film ${tag}` }).count()).toBe(1);
  await page.evaluate(`(async () => {
    const { accessToken } = JSON.parse(sessionStorage.getItem('ai-video.session'));
    for (let i = 1; i <= 11; i += 1) {
      await fetch('/v1/projects', {
        method: 'POST',
        headers: { authorization: 'Bearer ' + accessToken, 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'Extra ' + String(i).padStart(2, '0') }),
      });
    }
  })()`);
  await page.reload();
  await eventually(() => page.locator('.projects li').count()).toBe(10);
  await page.getByRole('button', { name: 'Next page' }).click();
  await eventually(() => page.getByText('Page 2').count()).toBe(1);
  await eventually(() => page.locator('.projects li').count()).toBe(2);
  await expectAccessible(page, 'projects');
  await page.getByRole('link', { name: `Fox film ${tag}` }).click();

  // Generate a local clip from a template of the gallery; its progress bar reaches 100 %.
  await eventually(() => page.getByRole('heading', { name: `Fox film ${tag}`, level: 1 }).count()).toBe(1);
  await eventually(() => page.getByLabel('Model').locator('option').count()).toBeGreaterThan(0);
  await expectAccessible(page, 'project');
  // A template of one's own, saved beside the form (a blank name is pointed out where it is), then used.
  await page.getByText('Save a new template').click();
  await page.getByLabel('Template name').fill(' ');
  await page.getByLabel(/^Category/).selectOption('nature');
  await page.getByLabel(/^Template prompt/).fill('a {{animal}} running through snow');
  await page.getByRole('button', { name: 'Save template' }).click();
  const templateName = page.getByLabel('Template name');
  await eventually(() => templateName.getAttribute('aria-invalid')).toBe('true');
  expect(await page.locator('.template-form .problem').textContent()).toBe(
    'Some fields need a change; see the notes below.',
  );
  await templateName.fill('Animal run');
  await page.getByRole('button', { name: 'Save template' }).click();
  await eventually(() => page.getByRole('radio', { name: /Animal run/ }).isChecked()).toBe(true);
  expect(await page.locator('.template').textContent()).toContain('nature · private');
  await page.getByLabel('Template variable: animal').fill('red fox');
  // Choices stay within the FREE tier, below the local model's own limits.
  const duration = page.getByLabel('Duration (seconds)');
  await eventually(() => duration.getAttribute('max')).toBe('30');
  expect(await page.locator(`#${await duration.getAttribute('aria-describedby')}`).textContent()).toBe(
    '1–30 s (the most the FREE tier allows)',
  );
  expect(
    await page
      .locator('option[value="3840x2160"]')
      .evaluate((o) => (o as unknown as { disabled: boolean }).disabled),
  ).toBe(true);
  await page.getByLabel('Duration (seconds)').fill('3');
  await page.getByLabel('Resolution').selectOption('640x360');
  await page.getByRole('button', { name: 'Submit job' }).click();
  // Beside the button, where a phone's screen still is: where the job went, and a way to its progress.
  await page.getByRole('button', { name: 'Follow its progress' }).click();
  expect(await page.evaluate('document.activeElement.id')).toBe('jobs-heading');
  // One's own template is changed (beside the job form) and deleted from the gallery.
  await page.getByRole('button', { name: 'Edit the template Animal run' }).click();
  const editor = page.locator('section.template-form');
  await editor.getByLabel('Template name').fill('Animal dash');
  await editor.getByRole('button', { name: 'Save changes' }).click();
  await eventually(() => page.getByRole('radio', { name: /Animal dash/ }).count()).toBe(1);
  expect(await editor.count()).toBe(0);
  await page.getByRole('button', { name: 'Delete the template Animal dash' }).click();
  await eventually(() => page.locator('.template').count()).toBe(0);
  const generate = page.locator('.job').first();
  await eventually(() => generate.getAttribute('data-status'), { timeout: 90_000 }).toBe('COMPLETED');
  expect(await generate.locator('progress').getAttribute('value')).toBe('100');
  expect(await generate.textContent()).toContain('a red fox running through snow');
  await shot(page, '03-generated');
  // Its progress came from the project's event stream, not from polling the job nor a stream of its own.
  const jobId = await generate.getAttribute('data-job-id');
  expect(requests).toContain('GET /v1/events');
  expect(requests).not.toContain(`GET /v1/jobs/${jobId}/events`);
  expect(requests).not.toContain(`GET /v1/jobs/${jobId}`);

  // The month's usage, beside the tier and the storage meter, counts the generated seconds.
  const usage = page.locator('details.usage');
  await usage.locator('summary').click();
  await eventually(() => usage.textContent()).toMatch(/Seconds generated.*: 3 s/);
  expect(await usage.textContent()).toMatch(/1 completed, 0 failed, 0 cancelled/);
  expect(await usage.textContent()).toMatch(/Estimated cost\$[\d.]+ \(prices of \d{4}-\d{2}-\d{2}/);
  // Storage worded for a month still running: held now, GB-months so far.
  expect(await usage.textContent()).toMatch(/Storage held now\d[\d.]* [KM]?B/);
  expect(await usage.textContent()).toMatch(/Storage so far this month[\d.,]+ GB-months/);
  await expectAccessible(page, 'usage');
  // Last month, before the account existed: nothing generated, storage as it was at that month's end.
  await usage.getByLabel('Month').selectOption({ index: 1 });
  await eventually(() => usage.textContent()).toMatch(/Storage held at the end of the month0 B/);
  expect(await usage.textContent()).toMatch(/Seconds generatednone/);
  await shot(page, '04b-usage-last-month');
  await usage.getByLabel('Month').selectOption({ index: 0 });
  await eventually(() => usage.textContent()).toMatch(/Storage held now/);
  await usage.locator('summary').click();

  // The clip's thumbnail, then the player: its current time advances.
  const clip = page.locator('.clip').first();
  await eventually(() => clip.locator('img').count(), { timeout: 30_000 }).toBe(1);
  await clip.getByRole('button', { name: /^Play/ }).click();
  const video = clip.locator('video');
  await eventually(() => video.evaluate((v) => (v as unknown as { currentTime: number }).currentTime), {
    timeout: 30_000,
  }).toBeGreaterThan(0.5);
  // The stream, through hls.js (Media Source Extensions), not the MP4 fallback.
  expect(await video.evaluate((v) => (v as unknown as { currentSrc: string }).currentSrc)).toMatch(/^blob:/);
  await expectAccessible(page, 'playing');
  await shot(page, '04-playing');

  // Drag and drop the clip's MP4 back in: an upload with a progress bar, then a transcode job. The event
  // stream is refused, so its progress comes from polling the job instead.
  const isStream = (url: URL) => url.pathname === '/v1/events';
  await page.route(isStream, (route) => route.abort('connectionrefused'));
  const streamsBefore = requests.filter((r) => r === 'GET /v1/events').length;
  const mp4Url = await clip.getByRole('link', { name: /^Download MP4/ }).getAttribute('href');

  // First an upload cancelled while its file is on the way: the POST to storage is held back, and the
  // Cancel button aborts it and cancels the upload, so its reservation comes back at once.
  const held: Route[] = [];
  const toStorage = (url: URL) => !url.pathname.startsWith('/v1/');
  await page.route(toStorage, (route) =>
    route.request().method() === 'POST' ? void held.push(route) : route.continue(),
  );
  const cancelledDrop = await page.evaluateHandle(`(async () => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([new Uint8Array(1000)], 'cancelled.mp4', { type: 'video/mp4' }));
    return transfer;
  })()`);
  await page.dispatchEvent('.dropzone', 'drop', { dataTransfer: cancelledDrop });
  await eventually(async () => held.length).toBe(1);
  const cancelled = page.waitForResponse(
    (r) => r.request().method() === 'DELETE' && new URL(r.url()).pathname.startsWith('/v1/uploads/'),
  );
  await page.getByRole('button', { name: 'Cancel upload' }).click();
  expect((await cancelled).status()).toBe(204);
  // The upload ends quietly: its progress bar goes, and no problem is shown.
  await eventually(() => page.locator('#upload-progress').count()).toBe(0);
  expect(await page.locator('#upload-heading ~ [role=alert]').count()).toBe(0);
  await page.unroute(toStorage);
  for (const route of held) await route.abort().catch(() => {});
  const dropped = await page.evaluateHandle(`(async () => {
    const bytes = await (await fetch(${JSON.stringify(mp4Url)})).blob();
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], 'dropped.mp4', { type: 'video/mp4' }));
    new MutationObserver(() => {
      if (document.getElementById('upload-progress')) window.sawProgress = true;
    }).observe(document.body, { childList: true, subtree: true });
    return transfer;
  })()`);
  // A dropped file that is not a video is turned away before anything is sent, saying what to choose.
  const notVideo = await page.evaluateHandle(`(() => {
    const transfer = new DataTransfer();
    transfer.items.add(new File(['hello'], 'notes.txt', { type: 'text/plain' }));
    return transfer;
  })()`);
  await page.dispatchEvent('.dropzone', 'drop', { dataTransfer: notVideo });
  await eventually(() => page.getByRole('alert').filter({ hasText: 'notes.txt' }).textContent()).toMatch(
    /is not a video \(text\/plain\); choose a video file/,
  );
  holdTranscodes();
  await page.dispatchEvent('.dropzone', 'drop', { dataTransfer: dropped });
  await eventually(() => page.locator('.job').count(), { timeout: 30_000 }).toBe(2);
  expect(await page.evaluate('window.sawProgress')).toBe(true);
  const transcode = page.locator('.job').first();
  expect(await transcode.textContent()).toContain('TRANSCODE');
  const transcodeId = await transcode.getAttribute('data-job-id');
  // Three attempts, then polling: a read of the job after the last attempt (the upload's own reads of its
  // job come before); only then may the transcode go on.
  const streams = () => requests.filter((r) => r === 'GET /v1/events').length - streamsBefore;
  await eventually(async () => streams()).toBe(3);
  const lastAttempt = requests.lastIndexOf('GET /v1/events');
  await eventually(async () => requests.slice(lastAttempt + 1)).toContain(`GET /v1/jobs/${transcodeId}`);
  releaseTranscode();
  await eventually(() => transcode.getAttribute('data-status'), { timeout: 90_000 }).toBe('COMPLETED');
  expect(streams()).toBe(3);
  await page.unroute(isStream);
  await eventually(() => page.locator('.clip').count(), { timeout: 30_000 }).toBe(2);
  const used = () =>
    page.locator('#storage-meter').evaluate((m) => (m as unknown as { value: number }).value);
  await eventually(used).toBeGreaterThan(0);
  await shot(page, '05-uploaded');

  // Stitch the two clips, trimmed; the gateway's throttle (a bare {message}, Retry-After) says when to retry.
  let edit: unknown;
  const isJobs = (url: URL) => url.pathname.endsWith('/jobs');
  await page.route(isJobs, (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    edit = route.request().postDataJSON();
    return route.fulfill({
      status: 429,
      headers: { 'retry-after': '7', 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'Too Many Requests' }),
    });
  });
  await page.getByLabel('Job type').selectOption('EDIT');
  const [first, second] = await page.locator('.clip h3').allTextContents();
  await page.getByRole('checkbox', { name: first }).check();
  await page.getByRole('checkbox', { name: second }).check();
  await page.getByLabel(`From (seconds into ${first})`).fill('0.5');
  await page.getByLabel(`To (seconds into ${second})`).fill('1');
  await page.getByRole('textbox', { name: 'Description' }).fill('both, trimmed');
  await page.getByRole('button', { name: 'Submit job' }).click();
  await eventually(() => page.locator('.problem').textContent()).toBe(
    'Too many requests at once; try again in 7 s.',
  );
  const [firstId, secondId] = await page
    .locator('.clip')
    .evaluateAll((cards) => cards.map((c) => c.getAttribute('data-clip-id')));
  expect(edit).toMatchObject({
    jobType: 'EDIT',
    parameters: {
      clips: [
        { clipId: firstId, start: 0.5 },
        { clipId: secondId, end: 1 },
      ],
    },
  });
  await expectAccessible(page, 'edit refused');
  await page.unroute(isJobs);

  // Rename a clip.
  await page.locator('.clip').first().getByRole('button', { name: /^Edit/ }).click();
  await page.getByLabel(`New title for ${first}`).fill('Fox, renamed');
  await page.locator('.clip').first().getByRole('button', { name: 'Save' }).click();
  await eventually(() => page.locator('.clip h3').first().textContent()).toBe('Fox, renamed');

  // Delete a clip, then the project; the storage meter falls back to zero.
  await page
    .locator('.clip')
    .first()
    .getByRole('button', { name: /^Delete/ })
    .click();
  await eventually(() => page.locator('.clip').count()).toBe(1);
  await page.getByRole('link', { name: 'Projects' }).click();
  // The newest come first: the first project is on the second page.
  await page.getByRole('button', { name: 'Next page' }).click();
  await page.getByRole('button', { name: `Delete Fox film ${tag}` }).click();
  await eventually(() => page.getByRole('link', { name: `Fox film ${tag}` }).count()).toBe(0);
  await eventually(used).toBe(0);

  // A phone-sized screen: nothing wider than the viewport.
  await page.setViewportSize({ width: 375, height: 740 });
  expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
  await expectAccessible(page, 'projects on a phone');
  await shot(page, '06-phone');
  // The usage panel opens within the screen, its month picker too.
  await usage.locator('summary').click();
  const panel = await usage.locator('.usage-body').boundingBox();
  expect(panel && panel.x >= 0 && panel.x + panel.width <= 375, JSON.stringify(panel)).toBe(true);
  await shot(page, '06b-phone-usage');
  // Every figure laid out, those that changed while the panel was closed too.
  expect(
    await usage
      .locator('dd')
      .evaluateAll((dds) => dds.filter((d) => d.getBoundingClientRect().height === 0).length),
  ).toBe(0);
  await usage.locator('summary').click();

  // The account page, from the username: an export of the account, written in the background, to download.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByRole('link', { name: `c_${tag}` }).click();
  await eventually(() => page.getByRole('heading', { name: 'Account', level: 1 }).count()).toBe(1);
  // An API key: shown once, it works for a script; revoked, it is gone from the list.
  await page.getByLabel('Key name').fill('ci');
  await page.getByLabel('Access').selectOption('read');
  await page.getByRole('button', { name: 'Create API key' }).click();
  const secret = page.locator('.secret');
  await eventually(() => secret.count()).toBe(1);
  const key = (await secret.textContent()) ?? '';
  expect((await api.call('GET', '/v1/projects', { token: key })).status).toBe(200);
  expect(await page.locator('.api-keys').textContent()).toContain(`${key.slice(0, 8)}`);
  await page.getByRole('button', { name: 'Revoke ci' }).click();
  await eventually(() => page.locator('.api-keys li').count()).toBe(0);
  // A webhook for two events: its secret shown once; a test event's delivery (to a closed port) reads as it
  // went; the events changed; the secret rotated (the new one shown once).
  await page.getByLabel('Endpoint URL').fill('http://127.0.0.1:9/hook');
  const toSend = page.getByRole('group', { name: 'Events to send', exact: true });
  await toSend.getByLabel('job.completed').check();
  await toSend.getByLabel('job.failed').check();
  await page.getByRole('button', { name: 'Add webhook' }).click();
  const secrets = page.locator('.secret', { hasText: 'whsec_' });
  await eventually(() => secrets.count()).toBe(1);
  const webhook = page.locator('.webhooks li.webhook');
  await eventually(() => webhook.textContent()).toContain('enabled · job.completed, job.failed');
  // The list read as soon as the test is accepted may come before the sender has taken the delivery (on a
  // PostgreSQL server it mostly does: the wake-up comes on a connection of its own); answered as it then
  // is, the page reads again until the attempt is in.
  const isDeliveries = (url: URL) => url.pathname.endsWith('/deliveries');
  await page.route(
    isDeliveries,
    async (route) => {
      const real = await route.fetch();
      const listed = (await real.json()) as { items: Record<string, unknown>[] };
      for (const d of listed.items)
        Object.assign(d, {
          status: 'pending',
          attempts: 0,
          lastStatusCode: null,
          lastLatencyMs: null,
          lastError: null,
          lastAttemptAt: null,
          nextAttemptAt: d.createdAt,
        });
      await route.fulfill({ response: real, json: listed });
    },
    { times: 1 },
  );
  const listReads = () => requests.filter((r) => r.endsWith('/deliveries')).length;
  const readsBefore = listReads();
  await page.getByRole('button', { name: /^Send a test event/ }).click();
  await eventually(() => page.locator('.deliveries').textContent()).toMatch(
    /webhook\.test: \w+ after 1 attempt/,
  );
  expect(listReads() - readsBefore).toBeGreaterThan(1);
  await page.getByRole('button', { name: /^Choose events/ }).click();
  await webhook.getByRole('group').getByLabel('job.failed').uncheck();
  await page.getByRole('button', { name: 'Save events' }).click();
  await eventually(() => webhook.locator('small').first().textContent()).toBe('enabled · job.completed');
  const firstSecret = await secrets.first().textContent();
  await page.getByRole('button', { name: /^Rotate the secret/ }).click();
  await eventually(() => secrets.count()).toBe(2);
  const rotated = webhook.locator('.notice');
  expect(await rotated.locator('.secret').textContent()).toMatch(/^whsec_/);
  expect(await rotated.locator('.secret').textContent()).not.toBe(firstSecret);
  await eventually(() => rotated.textContent()).toMatch(/the old one also signs until/);
  // A delivery that failed (as the list is made to say) is sent again on request.
  await page.route(isDeliveries, async (route) => {
    const real = await route.fetch();
    const listed = (await real.json()) as { items: { status: string }[] };
    for (const d of listed.items) d.status = 'failed';
    await route.fulfill({ response: real, json: listed });
  });
  await page.getByRole('button', { name: /^Recent deliveries/ }).click();
  // Disabled, the webhook cannot retry (the API's problem is shown); enabled again, it can.
  await page.getByRole('button', { name: /^Disable/ }).click();
  await eventually(() => webhook.locator('small').first().textContent()).toBe('disabled · job.completed');
  await page.getByRole('button', { name: 'Retry the webhook.test delivery' }).click();
  await eventually(() => webhook.getByRole('alert').textContent()).toBe(
    'The webhook is disabled; enable it before retrying.',
  );
  await page.getByRole('button', { name: /^Enable/ }).click();
  await eventually(() => webhook.locator('small').first().textContent()).toBe('enabled · job.completed');
  // Waits for a list request still in the handler: unrouted mid-fetch, it would go on to the network and the
  // handler's fulfill would find it answered. (The only route left at this point.)
  await page.unrouteAll({ behavior: 'wait' });
  // The list read right after the retry comes before the sender's attempt (as the first one after a test
  // send may): the page reads again until the new attempt is recorded.
  await page.route(
    isDeliveries,
    async (route) => {
      const real = await route.fetch();
      const listed = (await real.json()) as { items: Record<string, unknown>[] };
      for (const d of listed.items) Object.assign(d, { status: 'pending', attempts: 1 });
      await route.fulfill({ response: real, json: listed });
    },
    { times: 1 },
  );
  const readsBeforeRetry = listReads();
  const retried = page.waitForResponse((r) => new URL(r.url()).pathname.endsWith('/retry'));
  await page.getByRole('button', { name: 'Retry the webhook.test delivery' }).click();
  expect((await retried).status()).toBe(202);
  await eventually(() => page.locator('.deliveries').textContent()).toMatch(
    /webhook\.test: \w+ after 2 attempts/,
  );
  expect(listReads() - readsBeforeRetry).toBeGreaterThan(1);
  await page.unrouteAll({ behavior: 'wait' });
  await expectAccessible(page, 'webhooks');
  await shot(page, '09-webhooks');
  await page.getByRole('button', { name: /^Remove/ }).click();
  await eventually(() => page.locator('.webhooks li').count()).toBe(0);
  await page.getByRole('button', { name: 'Start an export' }).click();
  const zip = page.getByRole('link', { name: 'Download the zip' });
  await eventually(() => zip.count()).toBe(1);
  expect(
    await page.evaluate(`fetch(${JSON.stringify(await zip.getAttribute('href'))}).then((r) => r.status)`),
  ).toBe(200);
  await expectAccessible(page, 'account');
  await shot(page, '08-account');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await eventually(() => page.getByRole('heading', { name: 'Sign in' }).count()).toBe(1);

  // Signed in again (a wrong password first), the account is deleted: the password is asked for again.
  await page.getByLabel('Email').fill(`console${tag}@example.com`);
  await page.getByLabel('Password').fill('Wrong1234');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await eventually(() => page.getByRole('alert').textContent()).toBe('Incorrect email or password.');
  await page.getByLabel('Password').fill(`Pw${tag}A1`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: `c_${tag}` }).click();
  await page.getByLabel('Current password').fill('Wrong1234');
  await page.getByRole('button', { name: 'Delete my account' }).click();
  await eventually(() => page.getByRole('alert').textContent()).toBe('The password is not correct.');
  await page.getByLabel('Current password').fill(`Pw${tag}A1`);
  await page.getByRole('button', { name: 'Delete my account' }).click();
  await eventually(() => page.getByRole('heading', { name: 'Sign in' }).count()).toBe(1);
  expect(await page.locator('.notice').textContent()).toBe('Your account has been deleted.');
  const login = await api.call('POST', '/v1/auth/login', {
    body: { email: `console${tag}@example.com`, password: `Pw${tag}A1` },
  });
  expect(login.status).toBe(401);
  expect(pageErrors).toEqual([]);
}

it('follows many running jobs of a project through one event stream', async () => {
  // More running jobs than a user may hold streams (10): recorded QUEUED straight in the database, so
  // they stay running until the test moves them, and every change reaches the page as an event.
  const user = await api.newUser();
  const project = (
    await api.call('POST', '/v1/projects', { token: user.token, body: { title: 'Busy film' } })
  ).body as { id: string };
  const jobs = await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      api.env.ctx.jobs.create({
        userId: user.userId,
        projectId: project.id,
        jobType: 'TRANSCODE',
        prompt: `part ${i}`,
        parameters: {},
        concurrentLimit: 100,
      }),
    ),
  );
  const { context, page, pageErrors } = await signedInPage(user.token);
  const seen: string[] = [];
  const refused: string[] = [];
  page.on('request', (request) => seen.push(`${request.method()} ${new URL(request.url()).pathname}`));
  page.on('response', (response) => {
    if (response.status() === 429) refused.push(response.url());
  });
  // The stream's answer is held back while the first job starts: a change made after the page read its
  // jobs and before the stream opened is not in the stream, so the page must read it once the stream opens.
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const isStream = (url: URL) => url.pathname === '/v1/events';
  await page.route(isStream, async (route) => {
    await held;
    await route.continue();
  });
  try {
    await page.goto(`${api.url}/#/projects/${project.id}`);
    await eventually(() => page.locator('.job[data-status="QUEUED"]').count()).toBe(12);
    await eventually(async () => seen.filter((r) => r === 'GET /v1/events').length).toBe(1);
    await api.env.ctx.jobs.markProcessing(jobs[0]!.id);
    release();
    await eventually(() =>
      page.locator(`.job[data-job-id="${jobs[0]!.id}"]`).getAttribute('data-status'),
    ).toBe('PROCESSING');
    await page.unroute(isStream);

    // Every job starts and reports progress; the one stream carries it all to the page.
    for (const [i, job] of jobs.entries()) {
      if (i > 0) await api.env.ctx.jobs.markProcessing(job.id);
      await api.env.ctx.jobs.reportProgress(job.id, 40 + i);
    }
    for (const [i, job] of jobs.entries()) {
      const row = page.locator(`.job[data-job-id="${job.id}"]`);
      await eventually(() => row.locator('progress').getAttribute('value')).toBe(String(40 + i));
      expect(await row.getAttribute('data-status')).toBe('PROCESSING');
    }
    await shot(page, '07-many-jobs');
    for (const job of jobs) await api.env.ctx.jobs.markFailed(job.id, 'Stopped by the test.');
    await eventually(() => page.locator('.job[data-status="FAILED"]').count()).toBe(12);

    // One stream served them all: none per job, no job polled, nothing refused.
    expect(seen.filter((r) => r === 'GET /v1/events')).toHaveLength(1);
    expect(seen.filter((r) => /^GET \/v1\/jobs\//.test(r))).toEqual([]);
    expect(refused).toEqual([]);
    expect(pageErrors).toEqual([]);
  } catch (error) {
    await shot(page, 'failed-many-jobs').catch(() => {});
    throw error;
  } finally {
    await context.close();
  }
}, 120_000);

it('says why a session ended, signs in again onto the page the user was on, and pages its jobs and templates', async () => {
  const user = await api.newUser();
  const project = (
    await api.call('POST', '/v1/projects', { token: user.token, body: { title: 'Kept film' } })
  ).body as { id: string };
  // More jobs and templates than a page of each (20).
  for (let i = 1; i <= 21; i += 1) {
    const job = await api.env.ctx.jobs.create({
      userId: user.userId,
      projectId: project.id,
      jobType: 'TRANSCODE',
      prompt: `part ${i}`,
      parameters: {},
      concurrentLimit: 100,
    });
    await api.env.ctx.jobs.markFailed(job.id, 'Stopped by the test.');
    const body = { name: `Kept ${String(i).padStart(2, '0')}`, category: 'nature', prompt: `scene ${i}` };
    expect((await api.call('POST', '/v1/templates', { token: user.token, body })).status).toBe(201);
  }
  // A token that no longer works (as after its hour), with no refresh token to renew it.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript(
    `if (!sessionStorage.getItem('ai-video.session')) sessionStorage.setItem('ai-video.session', '{"accessToken":"expired"}')`,
  );
  const page = await context.newPage();
  try {
    await page.goto(`${api.url}/#/projects/${project.id}`);
    await eventually(() => page.getByRole('heading', { name: 'Sign in' }).count()).toBe(1);
    expect(await page.locator('.notice').textContent()).toMatch(/session has ended; sign in again/);
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await eventually(() => page.getByRole('heading', { name: 'Kept film', level: 1 }).count()).toBe(1);

    // The newest 20 jobs, then the oldest.
    await eventually(() => page.locator('.job').count()).toBe(20);
    await page.getByRole('button', { name: 'Show older jobs' }).click();
    await eventually(() => page.locator('.job').count()).toBe(21);
    expect(await page.locator('.job').last().textContent()).toContain('part 1”');
    expect(await page.getByRole('button', { name: 'Show older jobs' }).count()).toBe(0);
    // The template gallery: a page, the next, a search and a category.
    const templates = page.locator('.templates label.template');
    await eventually(() => templates.count()).toBe(20);
    await page.getByRole('button', { name: 'Show more templates' }).click();
    await eventually(() => templates.count()).toBe(21);
    await page.getByLabel('Search templates').fill('kept 07');
    await eventually(() => templates.allTextContents()).toEqual([expect.stringContaining('Kept 07')]);
    await page.getByLabel('Template category').selectOption('travel');
    await eventually(() => page.getByText('No template matches “kept 07” in travel.').count()).toBe(1);
    await expectAccessible(page, 'paged jobs and templates');
    await shot(page, '10-paged');
  } catch (error) {
    await shot(page, 'failed-session').catch(() => {});
    throw error;
  } finally {
    await context.close();
  }
}, 60_000);

it('sends a new confirmation code from the confirm page (a user pool that confirms by email)', async () => {
  // The local issuer confirms at once; a user pool's answers are stood in for.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const signUps: unknown[] = [];
  await page.route(
    (url) => url.pathname === '/v1/auth/signup',
    (route) => {
      signUps.push(route.request().postDataJSON());
      return route.fulfill({
        status: 201,
        contentType: 'application/json',
        body: JSON.stringify({ userId: crypto.randomUUID(), confirmed: false }),
      });
    },
  );
  await page.route(
    (url) => url.pathname === '/v1/auth/confirm',
    (route) =>
      route.fulfill({
        status: 400,
        contentType: 'application/problem+json',
        body: JSON.stringify({
          type: 'https://ai-video.dev/problems/bad-request',
          title: 'Bad Request',
          status: 400,
          detail:
            'The confirmation code is wrong or expired; sign up again with the same email to get a new code.',
        }),
      }),
  );
  try {
    await page.goto(`${api.url}/#/signup`);
    await page.getByLabel('Email').fill('pool@example.com');
    await page.getByLabel('Username').fill('pool_user');
    await page.getByLabel('Password').fill('Pool1234A');
    await page.getByRole('button', { name: 'Create account' }).click();
    await eventually(() => page.getByRole('heading', { name: 'Confirm your email' }).count()).toBe(1);
    await page.getByLabel('Code').fill('000000');
    await page.getByRole('button', { name: 'Confirm', exact: true }).click();
    await eventually(() => page.getByRole('alert').textContent()).toMatch(/wrong or expired/);
    await page.getByRole('button', { name: 'Send a new code' }).click();
    await eventually(() => page.getByRole('status').textContent()).toBe(
      'A new code is on its way to pool@example.com.',
    );
    expect(signUps).toHaveLength(2);
    expect(signUps[1]).toEqual(signUps[0]);
    await expectAccessible(page, 'confirm');
  } catch (error) {
    await shot(page, 'failed-confirm').catch(() => {});
    throw error;
  } finally {
    await context.close();
  }
}, 60_000);

it('pages clips and webhook deliveries, and edits a project and a clip, on a phone', async () => {
  const user = await api.newUser();
  const auth = { token: user.token };
  const project = (await api.call('POST', '/v1/projects', { ...auth, body: { title: 'Long film' } }))
    .body as {
    id: string;
  };
  // More clips than a page (24), registered straight in the database, oldest first.
  const register = (title: string) =>
    api.env.ctx.clips.register({
      userId: user.userId,
      projectId: project.id,
      title,
      duration: 3,
      fileUrl: `users/${user.userId}/projects/${project.id}/clips/${title}/video.mp4`,
      fileSize: 100,
      resolution: '1280x720',
      format: 'mp4',
    });
  for (let i = 1; i <= 25; i += 1) await register(`Shot ${String(i).padStart(2, '0')}`);
  // A webhook with more deliveries than the list shows at once (5); the clip deleted below sends it nothing.
  const hook = (
    await api.call('POST', '/v1/webhooks', {
      ...auth,
      body: { url: 'http://127.0.0.1:9/hook', events: ['job.failed'] },
    })
  ).body as { id: string };
  for (let i = 0; i < 7; i += 1) await api.env.ctx.webhooks.sendTest(user.userId, hook.id);

  const { context, page, pageErrors } = await signedInPage(user.token, { width: 375, height: 740 });
  page.on('dialog', (dialog) => dialog.accept());
  const focused = () => page.evaluate('document.activeElement.textContent');
  try {
    await page.goto(`${api.url}/#/projects/${project.id}`);
    const titles = page.locator('.clip h3');
    await eventually(() => titles.count()).toBe(24);
    expect(await titles.first().textContent()).toBe('Shot 25');
    await page.getByRole('button', { name: 'Show older clips' }).click();
    await eventually(() => titles.count()).toBe(25);
    expect(await titles.last().textContent()).toBe('Shot 01');
    expect(await page.getByRole('button', { name: 'Show older clips' }).count()).toBe(0);
    // A clip made meanwhile and one deleted here: the list reads its first page again and keeps the older one.
    await register('Shot 26');
    await page
      .locator('.clip')
      .filter({ hasText: 'Shot 10' })
      .getByRole('button', { name: /^Delete/ })
      .click();
    await eventually(() => titles.first().textContent()).toBe('Shot 26');
    expect(await titles.count()).toBe(25);
    expect(await titles.last().textContent()).toBe('Shot 01');
    expect(await titles.allTextContents()).not.toContain('Shot 10');

    // An edit with no clip ticked is pointed out where the clips are, with nothing sent.
    const posted: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') posted.push(new URL(r.url()).pathname);
    });
    await page.getByLabel('Job type').selectOption('EDIT');
    await page.getByRole('textbox', { name: 'Description' }).fill('all of it');
    await page.getByRole('button', { name: 'Submit job' }).click();
    const clipChoice = page.getByRole('group', { name: 'Clips to join, in list order' });
    await eventually(() => clipChoice.getAttribute('aria-describedby')).toBe('edit-clips-error');
    expect(await page.locator('#edit-clips-error').textContent()).toBe('Tick at least one clip to join.');
    expect(posted).toEqual([]);

    // The project's description, added; focus goes back to the button that opened the form.
    await page.getByRole('button', { name: 'Edit the title or add a description' }).click();
    await page.getByLabel('Description (optional)').fill('Twenty-five shots of snow');
    await page.getByRole('button', { name: 'Save' }).click();
    await eventually(() => page.locator('.project-details p').textContent()).toBe(
      'Twenty-five shots of snow',
    );
    expect(await focused()).toBe('Edit the title or description');
    expect(
      ((await api.call('GET', `/v1/projects/${project.id}`, auth)).body as { description: string })
        .description,
    ).toBe('Twenty-five shots of snow');

    // A clip's metadata: what is not a JSON object is pointed out on the field before anything is sent.
    const card = page.locator('.clip').filter({ hasText: 'Shot 25' });
    await card.getByRole('button', { name: /^Edit/ }).click();
    const metadata = card.getByLabel('Metadata (JSON, yours to use)');
    await metadata.fill('{scene: 3}');
    await card.getByRole('button', { name: 'Save' }).click();
    await eventually(() => metadata.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator(`#${await metadata.getAttribute('aria-describedby')}`).textContent()).toMatch(
      /^is not valid JSON; write an object such as \{"scene": 3\}/,
    );
    await metadata.fill('{"scene": 3, "tags": ["snow"]}');
    await card.getByRole('button', { name: 'Save' }).click();
    await eventually(() => card.locator('form').count()).toBe(0);
    expect(await focused()).toBe('Edit Shot 25');
    const clipId = await card.getAttribute('data-clip-id');
    expect((await api.call('GET', `/v1/clips/${clipId}`, auth)).body).toMatchObject({
      metadata: { scene: 3, tags: ['snow'] },
    });
    // Opened again, the form shows what was saved.
    await card.getByRole('button', { name: /^Edit/ }).click();
    expect(JSON.parse(await metadata.inputValue())).toEqual({ scene: 3, tags: ['snow'] });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await expectAccessible(page, 'clip metadata on a phone');
    await shot(page, '11-phone-clips');
    await card.getByRole('button', { name: 'Cancel' }).click();

    // One project: no pager.
    await page.goto(`${api.url}/#/`);
    await eventually(() => page.locator('.projects li').count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Next page' }).count()).toBe(0);

    // A key revoked takes its one showing with it; focus goes to the list's heading, not the page's top.
    await page.goto(`${api.url}/#/account`);
    await page.getByLabel('Key name').fill('for a moment');
    await page.getByRole('button', { name: 'Create API key' }).click();
    await eventually(() => page.locator('.api-keys + form + [role=status] .secret').count()).toBe(1);
    await page.getByRole('button', { name: 'Revoke for a moment' }).click();
    await eventually(() => page.locator('.api-keys li').count()).toBe(0);
    expect(await page.locator('.api-keys + form + [role=status] .secret').count()).toBe(0);
    expect(await focused()).toBe('API keys');

    // The webhook's deliveries: the latest five, then the older ones.
    await page.getByRole('button', { name: /^Recent deliveries/ }).click();
    const deliveries = page.locator('.deliveries li');
    await eventually(() => deliveries.count()).toBe(5);
    await page.getByRole('button', { name: /^Show older deliveries/ }).click();
    await eventually(() => deliveries.count()).toBe(7);
    expect(await page.getByRole('button', { name: /^Show older deliveries/ }).count()).toBe(0);
    // A test event sent: focus is back on its button once the list is read again.
    await page.getByRole('button', { name: /^Send a test event/ }).click();
    await eventually(() => deliveries.count()).toBe(5);
    await eventually(focused).toMatch(/^Send a test event/);
    // Added and removed here: its secret, shown once, goes with it.
    await page.getByLabel('Endpoint URL').fill('http://127.0.0.1:9/other');
    await page.getByRole('button', { name: 'Add webhook' }).click();
    const hookSecret = page.locator('.webhooks + form + [role=status] .secret');
    await eventually(() => hookSecret.count()).toBe(1);
    await page.getByRole('button', { name: 'Remove http://127.0.0.1:9/other' }).click();
    await eventually(() => page.locator('.webhooks li.webhook').count()).toBe(1);
    expect(await hookSecret.count()).toBe(0);
    expect(await focused()).toBe('Webhooks');
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await expectAccessible(page, 'deliveries on a phone');
    await shot(page, '12-phone-deliveries');
    expect(pageErrors).toEqual([]);
  } catch (error) {
    await shot(page, 'failed-phone').catch(() => {});
    throw error;
  } finally {
    await context.close();
  }
}, 120_000);

it('refuses an edit of what was changed elsewhere, says so, shows it as it is now and keeps what was typed', async () => {
  const user = await api.newUser();
  const auth = { token: user.token };
  const project = (await api.call('POST', '/v1/projects', { ...auth, body: { title: 'Shared film' } }))
    .body as { id: string };
  const clip = await api.env.ctx.clips.register({
    userId: user.userId,
    projectId: project.id,
    title: 'Shot A',
    duration: 3,
    fileUrl: `users/${user.userId}/projects/${project.id}/clips/a/video.mp4`,
    fileSize: 100,
    resolution: '1280x720',
    format: 'mp4',
  });
  const template = (
    await api.call('POST', '/v1/templates', {
      ...auth,
      body: { name: 'Shared look', category: 'nature', prompt: 'snow at dawn' },
    })
  ).body as { id: string };
  // Another tab's change, made through the API behind the page's back.
  const elsewhere = async (path: string, body: object) =>
    expect((await api.call('PATCH', path, { ...auth, body })).status).toBe(200);
  const read = async (path: string) => (await api.call('GET', path, auth)).body;

  const { context, page, pageErrors } = await signedInPage(user.token);
  page.on('dialog', (dialog) => dialog.accept());
  try {
    await page.goto(`${api.url}/#/projects/${project.id}`);
    await eventually(() => page.getByRole('heading', { name: 'Shared film', level: 1 }).count()).toBe(1);
    const card = page.locator(`.clip[data-clip-id="${clip.id}"]`);
    await eventually(() => card.locator('h3').textContent()).toBe('Shot A');

    // The project's details, changed elsewhere after the page read them: nothing is sent; the field left
    // alone shows the project as it is now, the one typed in keeps what was typed.
    await elsewhere(`/v1/projects/${project.id}`, { description: 'From another tab' });
    await page.getByRole('button', { name: 'Edit the title or add a description' }).click();
    await page.getByLabel('New title for Shared film').fill('Mine');
    await page.getByRole('button', { name: 'Save' }).click();
    const problem = page.locator('form.rename .problem');
    await eventually(() => problem.textContent()).toMatch(
      /project was changed elsewhere.*what you typed is kept/,
    );
    expect(await page.getByLabel('Description (optional)').inputValue()).toBe('From another tab');
    expect(await page.getByLabel('New title for Shared film').inputValue()).toBe('Mine');
    expect(await read(`/v1/projects/${project.id}`)).toMatchObject({
      title: 'Shared film',
      description: 'From another tab',
    });
    // Changed again between the page's read and its write: the write's If-Match gets 412.
    const writes: { ifMatch: string | null; status: number }[] = [];
    await page.route(
      (url) => url.pathname === `/v1/projects/${project.id}`,
      async (route) => {
        if (route.request().method() !== 'PATCH') return route.continue();
        await elsewhere(`/v1/projects/${project.id}`, { description: 'From a third tab' });
        const answer = await route.fetch();
        writes.push({ ifMatch: await route.request().headerValue('if-match'), status: answer.status() });
        return route.fulfill({ response: answer });
      },
    );
    await page.getByLabel('New title for Shared film').fill('Mine again');
    await page.getByRole('button', { name: 'Save' }).click();
    await eventually(() => page.getByLabel('Description (optional)').inputValue()).toBe('From a third tab');
    expect(await problem.textContent()).toMatch(/project was changed elsewhere.*what you typed is kept/);
    expect(await page.getByLabel('New title for Shared film').inputValue()).toBe('Mine again');
    expect(writes).toEqual([{ ifMatch: expect.stringMatching(/^".+"$/), status: 412 }]);
    expect(await read(`/v1/projects/${project.id}`)).toMatchObject({
      title: 'Shared film',
      description: 'From a third tab',
    });
    await page.unrouteAll();
    // Saved again, knowing of the other change: the typed title goes out with the description now stored.
    await page.getByRole('button', { name: 'Save' }).click();
    await eventually(() => page.getByRole('heading', { name: 'Mine again', level: 1 }).count()).toBe(1);
    expect(await read(`/v1/projects/${project.id}`)).toMatchObject({
      title: 'Mine again',
      description: 'From a third tab',
    });

    // A clip renamed elsewhere keeps that name and its metadata; the card shows the new name.
    await elsewhere(`/v1/clips/${clip.id}`, { title: 'Shot A, renamed elsewhere' });
    await card.getByRole('button', { name: /^Edit/ }).click();
    await card.getByLabel('Metadata (JSON, yours to use)').fill('{"scene": 1}');
    await card.getByRole('button', { name: 'Save' }).click();
    await eventually(() => card.locator('.problem').textContent()).toMatch(/clip was changed elsewhere/);
    expect(await card.getByLabel(/^New title for/).inputValue()).toBe('Shot A, renamed elsewhere');
    expect(await card.getByLabel('Metadata (JSON, yours to use)').inputValue()).toBe('{"scene": 1}');
    expect(await read(`/v1/clips/${clip.id}`)).toMatchObject({
      title: 'Shot A, renamed elsewhere',
      metadata: {},
    });
    await card.getByRole('button', { name: 'Cancel' }).click();
    // Nor is a clip changed elsewhere deleted.
    await elsewhere(`/v1/clips/${clip.id}`, { metadata: { by: 'another tab' } });
    await card.getByRole('button', { name: /^Delete/ }).click();
    await eventually(() => card.getByRole('alert').textContent()).toMatch(/clip was changed elsewhere/);
    expect((await api.call('GET', `/v1/clips/${clip.id}`, auth)).status).toBe(200);

    // A template: its editor is filled in again with the prompt written elsewhere, which stays.
    await elsewhere(`/v1/templates/${template.id}`, { prompt: 'snow at dusk' });
    await page.getByRole('button', { name: 'Edit the template Shared look' }).click();
    const editor = page.getByRole('region', { name: /^Edit the template/ });
    expect(await editor.getByLabel('Template prompt').inputValue()).toBe('snow at dawn');
    await editor.getByLabel('Template name').fill('Mine');
    await editor.getByRole('button', { name: 'Save changes' }).click();
    await eventually(() => editor.getByLabel('Template prompt').inputValue()).toBe('snow at dusk');
    expect(await editor.locator('.problem').textContent()).toMatch(/template was changed elsewhere/);
    expect(await editor.getByLabel('Template name').inputValue()).toBe('Mine');
    expect(await read(`/v1/templates/${template.id}`)).toMatchObject({
      name: 'Shared look',
      prompt: 'snow at dusk',
    });
    await editor.getByRole('button', { name: 'Cancel' }).click();
    await elsewhere(`/v1/templates/${template.id}`, { prompt: 'snow at night' });
    const item = page.locator('.template-item').filter({ hasText: 'Shared look' });
    await item.getByRole('button', { name: /^Delete/ }).click();
    await eventually(() => item.getByRole('alert').textContent()).toMatch(/template was changed elsewhere/);
    await eventually(() => item.locator('.template-prompt').textContent()).toBe('snow at night');
    expect((await api.call('GET', `/v1/templates/${template.id}`, auth)).status).toBe(200);

    // The list of projects: one renamed elsewhere is not deleted from it.
    await page.goto(`${api.url}/#/`);
    await eventually(() => page.locator('.projects li').count()).toBe(1);
    await elsewhere(`/v1/projects/${project.id}`, { title: 'Shared film, renamed' });
    await page.getByRole('button', { name: 'Delete Mine again' }).click();
    const row = page.locator('.projects li');
    await eventually(() => row.getByRole('alert').textContent()).toMatch(/project was changed elsewhere/);
    await eventually(() => row.locator('a').textContent()).toBe('Shared film, renamed');
    expect((await api.call('GET', `/v1/projects/${project.id}`, auth)).status).toBe(200);
    await expectAccessible(page, 'changed elsewhere');
    expect(pageErrors).toEqual([]);
  } catch (error) {
    await shot(page, 'failed-changed-elsewhere').catch(() => {});
    throw error;
  } finally {
    await context.close();
  }
}, 120_000);
