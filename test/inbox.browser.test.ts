/**
 * The inbox page end to end in headless Chromium (Debian's package, installed by ensureChromium when
 * missing), driven over the DevTools protocol with real input events: sign in with the API key, see a
 * question and a review, answer the question (remembered for the profile), change and approve the review.
 * Ground truth is the sandbox's admin API (what was submitted, with which answers), never the page. Also:
 * a job title carrying markup is shown as text (no dialog, no injected element), the session cookie is
 * invisible to scripts (HttpOnly), and the page works with JavaScript off for the same answer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WebSocket } from 'undici';
import type { SandboxHandle } from '../sandbox/server';
import { createActivities } from '../src/activities';
import { personTask, startApplication } from '../src/application/client';
import type { ApplicationInput } from '../src/application/input';
import type { ZodApp } from '../src/api/context';
import { buildApi } from '../src/api/server';
import { inboxIdOf } from '../src/inbox/input';
import type { JoboClient } from '../src/jobo/client';
import { createRunOnce } from '../src/campaign/client';
import { profileOwnersFor, type ProfileOwners } from '../src/store/profileOwners';
import { createApplicant, submissionsOf } from './application.fixtures';
import { ensureChromium } from './support/chromium';
import { testConfig } from './support/config';
import { startSandboxWorker, type SandboxWorker } from './support/sandboxWorker';
import { openTempStore, type TempStore } from './support/tempStore';
import { startDevEnv } from './support/temporal';
import { waitFor } from './support/waitFor';

const taskQueue = 'inbox-browser';
const ALICE = 'af_inbox_browser_alice_00000001';
const XSS = `<img src=x onerror="alert('xss')"><script>alert('xss')</script>`;

let rig: SandboxWorker | undefined;
let temp: TempStore | undefined;
let env: TestWorkflowEnvironment;
let sandbox: SandboxHandle;
let jobo: JoboClient;
let owners: ProfileOwners;
let app: ZodApp | undefined;
let base: string;
let browser: Browser | undefined;

/** One Chromium with one page, over CDP: navigation, real mouse clicks and typing, page text. */
class Browser {
  private nextId = 0;
  private readonly pending = new Map<number, (v: unknown) => void>();
  readonly dialogs: string[] = [];

  private constructor(
    private readonly proc: ChildProcess,
    private readonly profile: string,
    private readonly ws: WebSocket,
  ) {
    ws.onmessage = (ev) => {
      const msg = JSON.parse(String(ev.data)) as { id?: number; result?: unknown; method?: string; params?: { message?: string } };
      if (msg.id !== undefined) this.pending.get(msg.id)?.(msg.result);
      if (msg.method === 'Page.javascriptDialogOpening') {
        this.dialogs.push(msg.params?.message ?? '');
        void this.send('Page.handleJavaScriptDialog', { accept: true });
      }
    };
  }

  static async open(javascript = true): Promise<Browser> {
    const chromium = ensureChromium();
    const profile = mkdtempSync(join(tmpdir(), 'applyflow-inbox-chromium-'));
    const proc = spawn(
      chromium,
      [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--no-first-run',
        '--window-size=1200,1000',
        '--remote-debugging-port=0',
        `--user-data-dir=${profile}`,
        'about:blank',
      ],
      // Its own process group, so its helpers end with it.
      { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
    );
    const url = await new Promise<string>((resolve, reject) => {
      let err = '';
      const timer = setTimeout(() => reject(new Error(`chromium did not start:\n${err}`)), 30_000);
      proc.stderr.on('data', (d) => {
        err += d;
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      proc.once('exit', (code) => reject(new Error(`chromium exited (${code}):\n${err}`)));
    });
    const targets = (await (await fetch(`http://${new URL(url).host}/json/list`)).json()) as {
      type: string;
      webSocketDebuggerUrl: string;
    }[];
    const ws = new WebSocket(targets.find((t) => t.type === 'page')!.webSocketDebuggerUrl);
    await new Promise((res, rej) => ((ws.onopen = res), (ws.onerror = rej)));
    const b = new Browser(proc, profile, ws);
    await b.send('Page.enable');
    await b.send('Emulation.setScriptExecutionDisabled', { value: !javascript });
    return b;
  }

  send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    return new Promise<T>((res) => {
      const id = ++this.nextId;
      this.pending.set(id, res as (v: unknown) => void);
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Runs in the page's context (CDP evaluates even with the page's scripts disabled). */
  async eval<T>(expression: string): Promise<T> {
    const r = await this.send<{ result: { value?: T }; exceptionDetails?: unknown }>('Runtime.evaluate', {
      expression,
      returnByValue: true,
    });
    if (r.exceptionDetails) throw new Error(`page evaluation failed: ${JSON.stringify(r.exceptionDetails)}`);
    return r.result.value as T;
  }

  async goto(url: string): Promise<void> {
    await this.send('Page.navigate', { url });
  }

  text(): Promise<string> {
    return this.eval<string>('document.body ? document.body.innerText : ""');
  }

  /** Waits for the page's text to satisfy `until` (the page settles after a form's redirect). */
  async waitForText(what: string, until: (text: string) => boolean): Promise<string> {
    return waitFor(
      what,
      async () => {
        const t = await this.text().catch(() => '');
        return until(t) ? t : null;
      },
      30_000,
      100,
    );
  }

  /** A real mouse click in the middle of the element `selector` names. */
  async click(selector: string): Promise<void> {
    const box = await this.eval<{ x: number; y: number } | null>(`(() => {
      const el = document.querySelector(${JSON.stringify(selector)});
      if (!el) return null;
      el.scrollIntoView({ block: 'center' });
      const r = el.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    })()`);
    if (!box) throw new Error(`no element ${selector} on the page`);
    for (const type of ['mousePressed', 'mouseReleased']) {
      await this.send('Input.dispatchMouseEvent', { type, x: box.x, y: box.y, button: 'left', clickCount: 1 });
    }
  }

  /** Focuses the input by clicking it, then types the text as keyboard input. */
  async type(selector: string, text: string): Promise<void> {
    await this.click(selector);
    await this.send('Input.insertText', { text });
  }

  async screenshot(path: string): Promise<void> {
    const shot = await this.send<{ data: string }>('Page.captureScreenshot', { format: 'png' });
    writeFileSync(path, Buffer.from(shot.data, 'base64'));
  }

  async close(): Promise<void> {
    this.ws.close();
    const exited = new Promise((res) =>
      this.proc.exitCode !== null || this.proc.signalCode !== null ? res(null) : this.proc.once('exit', res),
    );
    try {
      process.kill(-this.proc.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
    await exited;
    for (let i = 0; ; i++) {
      try {
        rmSync(this.profile, { recursive: true, force: true });
        break;
      } catch (err) {
        if (i >= 20) throw err;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }
}

const genericJob = () => `https://careers.acme.example.org/jobs/${randomBytes(4).toString('hex')}`;
const task = (id: string) => `section[data-id="${id}"]`;

async function aliceApplication(over: Partial<ApplicationInput>) {
  const profileId = await createApplicant(jobo);
  await owners.assign(profileId, 'alice');
  const jobUrl = genericJob();
  const started = await startApplication(env.client, { profileId, jobUrl, ...over }, { taskQueue });
  return { profileId, jobUrl, id: inboxIdOf(started.workflowId), ...started };
}

const waitingFor = (workflowId: string, kind: string) =>
  waitFor(
    `${workflowId} to wait for a ${kind}`,
    async () => (await personTask(env.client, workflowId).catch(() => null))?.kind === kind,
    30_000,
    100,
  );

async function signIn(b: Browser): Promise<void> {
  await b.goto(`${base}/inbox`);
  await b.waitForText('the sign-in page', (t) => t.includes('Sign in'));
  await b.type('#apiKey', ALICE);
  await b.click('form[action="/inbox/sign-in"] button');
  await b.waitForText('the inbox', (t) => t.includes('Signed in as alice'));
}

beforeAll(async () => {
  ensureChromium();
  temp = await openTempStore('applyflow-inbox-browser-');
  const store = temp.store;
  rig = await startSandboxWorker({
    env: startDevEnv,
    sandbox: { seed: 19, jobs: 50 },
    taskQueue,
    // Every activity (campaigns too), as the worker registers them.
    activities: (j, sb) =>
      createActivities({ config: testConfig({ JOBO_BASE_URL: sb.url, JOBO_API_KEY: sb.apiKey }), jobo: j, store: async () => store }),
  });
  ({ env, sandbox, jobo } = rig);
  owners = await profileOwnersFor(store);
  app = await buildApi({
    client: env.client,
    jobo,
    taskQueue,
    keys: [{ userId: 'alice', key: ALICE }],
    rateLimit: { max: 10_000, windowSeconds: 60 },
    ledger: async () => temp!.ledger,
    profileOwners: async () => owners,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await rig?.stop();
  await temp?.close();
});

test("sign in, answer a question (remembered), change and approve a review: the sandbox shows both submissions with the person's answers", async () => {
  const question = await aliceApplication({ policy: 'ask', job: { title: XSS, companyName: 'Acme' } });
  const review = await aliceApplication({
    policy: 'review',
    answers: { team: 'Engineering' },
    job: { title: 'Reviewed role', companyName: 'Acme' },
  });
  await waitingFor(question.workflowId, 'question');
  await waitingFor(review.workflowId, 'review');

  browser = await Browser.open();
  await signIn(browser);
  // The session cookie is not readable by the page's scripts.
  expect(await browser.eval<string>('document.cookie')).toBe('');
  const page = await browser.waitForText('both tasks', (t) => t.includes('Which team are you applying to?') && t.includes('Reviewed role'));
  expect(page).toContain(XSS); // shown as text
  expect(browser.dialogs).toEqual([]);
  expect(await browser.eval<number>(`document.querySelectorAll('main img, main script').length`)).toBe(0);
  // INBOX_SCREENSHOT=<path.png> keeps a picture of the inbox with both tasks (for the docs).
  await browser.screenshot(process.env.INBOX_SCREENSHOT ?? join(temp!.dir, 'inbox.png'));

  // The question: the team as radio buttons; remembered for the profile.
  await browser.click(`${task(question.id)} input[type=radio][value="Design"]`);
  await browser.click(`${task(question.id)} input[type=checkbox][name="r:team"]`);
  await browser.click(`${task(question.id)} button[type=submit]`);
  await browser.waitForText('the answer sent', (t) => t.includes('Answers sent'));
  expect(await question.handle.result()).toMatchObject({ status: 'SUCCESS' });
  expect(await submissionsOf(sandbox.admin, question.profileId)).toEqual(new Map([[question.jobUrl, 1]]));
  const [asked] = (await sandbox.admin.sessions()).filter((s) => s.profile_id === question.profileId);
  expect(asked.answers[0].team).toBe('Design');

  // The review: the filled form, editable; the person changes the team and approves.
  expect(await browser.eval<boolean>(`document.querySelector('${task(review.id)} input[type=radio][value="Engineering"]').checked`)).toBe(
    true,
  );
  expect(await submissionsOf(sandbox.admin, review.profileId)).toEqual(new Map());
  await browser.click(`${task(review.id)} input[type=radio][value="Operations"]`);
  await browser.click(`${task(review.id)} form[action$="/approve"] button[type=submit]`);
  await browser.waitForText('the approval', (t) => t.includes('Approved'));
  expect(await review.handle.result()).toMatchObject({ status: 'SUCCESS' });
  expect(await submissionsOf(sandbox.admin, review.profileId)).toEqual(new Map([[review.jobUrl, 1]]));
  const [reviewed] = (await sandbox.admin.sessions()).filter((s) => s.profile_id === review.profileId);
  expect(reviewed.answers[0].team).toBe('Operations');

  const after = await browser.text();
  expect(after).toContain('No question waits for you.');
  expect(after).toContain('No review waits for you.');
  await browser.click('form[action="/inbox/sign-out"] button');
  await browser.waitForText('signed out', (t) => t.includes('Your API key'));
});

test('with JavaScript off the same forms work: a refusal is shown beside the field, then the answer submits once', async () => {
  const question = await aliceApplication({ policy: 'ask' });
  await waitingFor(question.workflowId, 'question');
  await browser?.close();
  browser = await Browser.open(false);
  await signIn(browser);
  await browser.waitForText('the question', (t) => t.includes('Which team are you applying to?'));
  // A value the form does not offer (the page is edited, as a stale or tampered form would be): the validator refuses it.
  await browser.eval(`document.querySelector('${task(question.id)} input[type=radio][value="Sales"]').value = 'Marketing'`);
  await browser.click(`${task(question.id)} input[type=radio][value="Marketing"]`);
  await browser.click(`${task(question.id)} button[type=submit]`);
  const refused = await browser.waitForText('the refusal', (t) => t.includes('Not sent'));
  expect(refused).toMatch(/team/i);
  expect(await browser.eval<number>(`document.querySelectorAll('${task(question.id)} .field-error').length`)).toBe(1);
  expect((await personTask(env.client, question.workflowId))?.kind).toBe('question');
  expect(await submissionsOf(sandbox.admin, question.profileId)).toEqual(new Map());

  await browser.click(`${task(question.id)} input[type=radio][value="Product"]`);
  await browser.click(`${task(question.id)} button[type=submit]`);
  await browser.waitForText('the answer sent', (t) => t.includes('Answers sent'));
  expect(await question.handle.result()).toMatchObject({ status: 'SUCCESS' });
  expect(await submissionsOf(sandbox.admin, question.profileId)).toEqual(new Map([[question.jobUrl, 1]]));
  const [asked] = (await sandbox.admin.sessions()).filter((s) => s.profile_id === question.profileId);
  expect(asked.answers[0].team).toBe('Product');
});

test("a campaign's progress from the campaign query: two applications wait for a person; one answered, the stats and the sandbox agree", async () => {
  const profileId = await createApplicant(jobo);
  await owners.assign(profileId, 'alice');
  const links = [genericJob(), genericJob()];
  const { campaignId, handle } = await createRunOnce(
    env.client,
    {
      candidateProfileId: profileId,
      userId: 'alice',
      policy: 'ask',
      jobs: links.map((link, i) => ({
        companyName: 'Acme',
        title: `Campaign job ${i}`,
        jobId: `inbox-browser-${i}-${randomBytes(3).toString('hex')}`,
        link,
      })),
    },
    { taskQueue },
  );
  await browser?.close();
  browser = await Browser.open();
  await signIn(browser);
  const stat = (name: string) =>
    browser!.eval<string | null>(`(document.querySelector('dd[data-stat="${name}"]') || {}).textContent || null`);
  // The page shows what the campaign query says; reload until both applications wait.
  await waitFor('the campaign to show two waiting', async () => {
    await browser!.goto(`${base}/inbox?campaignId=${encodeURIComponent(campaignId)}`);
    await browser!.waitForText('the campaign page', (t) => t.includes('Campaign progress'));
    return (await stat('waitingForPerson')) === '2' && (await browser!.text()).includes('Questions (2)');
  });
  expect(await submissionsOf(sandbox.admin, profileId)).toEqual(new Map());

  const first = await browser.eval<string>(`document.querySelector('section[data-kind="question"]').dataset.id`);
  await browser.click(`${task(first)} input[type=radio][value="Engineering"]`);
  await browser.click(`${task(first)} button[type=submit]`);
  await browser.waitForText('the answer sent', (t) => t.includes('Answers sent'));
  await waitFor('the campaign to count the success', async () => {
    await browser!.goto(`${base}/inbox?campaignId=${encodeURIComponent(campaignId)}`);
    await browser!.waitForText('the campaign page', (t) => t.includes('Campaign progress'));
    return (await stat('successfulApplications')) === '1' && (await stat('waitingForPerson')) === '1';
  });
  const submitted = await submissionsOf(sandbox.admin, profileId);
  expect(submitted.size).toBe(1);
  expect([...submitted.values()]).toEqual([1]);
  const answered = (await sandbox.admin.sessions()).filter((s) => s.profile_id === profileId && s.answers.length > 0);
  expect(answered.map((s) => s.answers[0].team)).toEqual(['Engineering']);
  expect((await browser.text()).includes('Questions (1)')).toBe(true);
  await handle.terminate('test over'); // the other one would wait 72 hours
});
