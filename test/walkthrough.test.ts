/**
 * The README's "first ten minutes" as a test: the `walkthrough-start` block (scripts/start) and then each
 * line of the `walkthrough` block, taken from README.md and run in bash as written. The only changes to
 * the text are the ports (free ones, not 7233/8233/8080) and `.data` (a data folder of its own). Each step's
 * output is checked, and the demo's campaigns against the sandbox's ground truth and the API; a README line
 * this test has no check for fails it. Then: a clean stop removes the state file, and a restart reuses the
 * local API key (the same curl still answers).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEMO_PROFILES } from '../sandbox/demoProfiles';

const root = resolve(__dirname, '..');
const readme = readFileSync(resolve(root, 'README.md'), 'utf8');

function block(info: string): string[] {
  const m = readme.match(new RegExp('```' + info + '\\n([\\s\\S]*?)```'));
  if (!m) throw new Error(`README.md has no \`\`\`${info} block`);
  return m[1]
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The environment of a fresh terminal: none of our variables. */
function cleanEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(JOBO_|TEMPORAL_|SANDBOX_|APPLYFLOW_|API_|DATABASE_URL|LOG_LEVEL)/.test(k)),
  ) as Record<string, string>;
}

interface Started {
  proc: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
}

const dataDir = mkdtempSync(join(tmpdir(), 'applyflow-walkthrough-'));
const started: Started[] = [];
let ports: { temporal: number; ui: number; sandbox: number; api: number; codec: number };

/** The README's text with our ports and data folder. */
function localize(line: string): string {
  return line
    .replace(/\.data\//g, `${dataDir}/`)
    .replace(/127\.0\.0\.1:7233/g, `127.0.0.1:${ports.temporal}`)
    .replace(/127\.0\.0\.1:8233/g, `127.0.0.1:${ports.ui}`)
    .replace(/127\.0\.0\.1:8080/g, `127.0.0.1:${ports.api}`);
}

/** What the main job needs to be told so it stays off the default ports; the pasted lines get only the data folder. */
const mainEnv = () => ({
  ...cleanEnv(),
  APPLYFLOW_DATA_DIR: dataDir,
  TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporal}`,
  TEMPORAL_UI_PORT: String(ports.ui),
  SANDBOX_PORT: String(ports.sandbox),
  API_PORT: String(ports.api),
  APPLYFLOW_CODEC_SERVER_PORT: String(ports.codec),
});

function startMain(command: string): Started {
  // Its own process group, as a terminal gives it: Ctrl-C reaches npm and the main job together.
  const proc = spawn('bash', ['-c', localize(command)], { cwd: root, env: mainEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  // 'close': every process holding its output (npm, the main job) is gone, not just bash.
  const exited = new Promise<number | null>((res) => proc.once('close', (code) => res(code)));
  const s = { proc, exited, output: () => out };
  started.push(s);
  return s;
}

async function untilRunning(s: Started, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  while (!s.output().includes('Press Ctrl-C to stop')) {
    if (s.proc.exitCode !== null) throw new Error(`scripts/start exited ${s.proc.exitCode}:\n${s.output()}`);
    if (Date.now() - t0 > timeoutMs) throw new Error(`no banner after ${timeoutMs} ms:\n${s.output()}`);
    await sleep(200);
  }
  return Date.now() - t0;
}

async function ctrlC(s: Started): Promise<void> {
  if (s.proc.exitCode !== null || s.proc.signalCode !== null) return;
  process.kill(-s.proc.pid!, 'SIGINT');
  const timer = setTimeout(() => {
    try {
      process.kill(-s.proc.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 60_000);
  await s.exited;
  clearTimeout(timer);
}

function paste(line: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((res) => {
    // A second terminal in the same folder; the data folder is the test's own (README: `.data`).
    const proc = spawn('bash', ['-c', localize(line)], { cwd: root, env: { ...cleanEnv(), APPLYFLOW_DATA_DIR: dataDir } });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (err += d));
    proc.once('close', (code) => res({ code, out, err }));
  });
}

async function sandboxSubmissions(): Promise<{ profile_id: string; job_url: string; count: number }[]> {
  const res = await fetch(`http://127.0.0.1:${ports.sandbox}/__admin/submissions`);
  return ((await res.json()) as { submissions: { profile_id: string; job_url: string; count: number }[] }).submissions;
}

const apiKey = () => readFileSync(join(dataDir, 'api.key'), 'utf8').trim().split(':')[1];
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the API's JSON, checked by the assertions
async function api(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://127.0.0.1:${ports.api}/api/v1${path}`, { headers: { authorization: `Bearer ${apiKey()}` } });
  return { status: res.status, body: await res.json() };
}

const [complete, gaps] = DEMO_PROFILES;
/** Campaign ids by the demo's profile, as the steps print them. */
const campaigns = new Map<string, string>();

type Step = (r: { code: number | null; out: string; err: string }) => Promise<void>;

/** One check per README line, matched by the line's text (before localizing). */
const checks: [RegExp, Step][] = [
  [
    /^npx applyflow demo$/,
    async (r) => {
      expect(r.err).toContain(`applyflow: using the running main job`);
      expect(r.err).toMatch(/for TEMPORAL_ADDRESS, .*JOBO_BASE_URL, JOBO_API_KEY, APPLYFLOW_CODEC_KEYS/);
      const id = r.out.match(new RegExp(`^campaign (demo-\\S+): 3 applications for profile ${complete.id}$`, 'm'))?.[1];
      expect(id).toBeDefined();
      campaigns.set(complete.id, id!);
      expect(r.out.match(/^ {2}\[[123]\/3\] SUCCESS /gm)).toHaveLength(3);
      expect(r.out).toContain(`campaign ${id} completed: 3 succeeded, 0 failed of 3`);
      const uiLink = r.out.match(
        new RegExp(
          `Temporal UI   (http://127\\.0\\.0\\.1:${ports.ui}/namespaces/default/workflows/campaign%2F${id}/([0-9a-f-]{36})/history)$`,
          'm',
        ),
      );
      expect(uiLink).not.toBeNull();
      // The run in the link is the campaign's, as Temporal knows it (the UI serves its app for the page).
      const listed = await paste(
        `.tools/bin/temporal workflow describe --workflow-id campaign/${id} --address 127.0.0.1:${ports.temporal} -o json`,
      );
      expect(JSON.parse(listed.out).workflowExecutionInfo.execution.runId).toBe(uiLink![2]);
      expect((await fetch(uiLink![1])).status).toBe(200);
      expect(r.out).toContain(`http://127.0.0.1:${ports.api}/api/v1/sessions/${id}`);
      expect(r.code).toBe(0);
      // Ground truth: the sandbox received exactly three submissions for the profile, one per job.
      const mine = (await sandboxSubmissions()).filter((s) => s.profile_id === complete.id);
      expect(mine.map((s) => s.count)).toEqual([1, 1, 1]);
      // The API line the demo printed, as printed, answers with the finished campaign.
      const apiLine = r.out
        .split('\n')
        .find((l) => l.trim().startsWith('API'))!
        .trim()
        .replace(/^API\s+/, '');
      const shown = await paste(apiLine);
      expect(JSON.parse(shown.out)).toMatchObject({
        sessionId: id,
        status: 'completed',
        userId: 'local',
        stats: { successfulApplications: 3 },
      });
    },
  ],
  [
    /^npx applyflow campaign list$/,
    async (r) => {
      expect(r.code).toBe(0);
      const row = r.out.split('\n').find((l) => l.startsWith(campaigns.get(complete.id)!));
      expect(row).toMatch(/run_once\s+completed\s+local\s+de300000/);
    },
  ],
  [
    /^npx applyflow profile get de300000-0000-4000-8000-000000000001$/,
    async (r) => {
      expect(r.code).toBe(0);
      expect(r.out).toContain(`contact:  Demo Complete <${complete.body.contact.email}>`);
      expect(r.out).toContain(`resume:   ${complete.resume!.fileName}`);
    },
  ],
  [
    /^curl -s -H "Authorization: Bearer \$\(cut -d: -f2 \.data\/api\.key\)" http:\/\/127\.0\.0\.1:8080\/api\/v1\/sessions$/,
    async (r) => {
      const body = JSON.parse(r.out) as { data: { sessionId: string; status: string; userId: string }[] };
      expect(body.data).toEqual([expect.objectContaining({ sessionId: campaigns.get(complete.id), status: 'completed', userId: 'local' })]);
    },
  ],
  [
    /^npx applyflow demo --profile de300000-0000-4000-8000-000000000002 --jobs 2 --override-email you@example\.org$/,
    async (r) => {
      expect(r.code).toBe(0);
      const id = r.out.match(new RegExp(`^campaign (demo-\\S+): 2 applications for profile ${gaps.id}$`, 'm'))?.[1];
      expect(id).toBeDefined();
      campaigns.set(gaps.id, id!);
      expect(r.out).toContain(`campaign ${id} completed: 0 succeeded, 2 failed of 2`);
      expect(r.out.match(/^ {2}\[[12]\/2\] FAILED .* required fields the profile cannot answer: /gm)).toHaveLength(2);
      // Nothing reached the upstream for a profile that cannot fill the forms.
      expect((await sandboxSubmissions()).filter((s) => s.profile_id === gaps.id)).toEqual([]);
      // overrideEmail: the applications give the address passed, not the demo profile's.
      const apps = await api(`/applications?sessionId=${id}`);
      expect(apps.body.data.map((a: { candidate_email: string }) => a.candidate_email)).toEqual(['you@example.org', 'you@example.org']);
    },
  ],
  [
    /^\.tools\/bin\/temporal workflow list --address 127\.0\.0\.1:7233 --query "WorkflowType='campaign'"$/,
    async (r) => {
      expect(r.code).toBe(0);
      for (const id of campaigns.values()) expect(r.out).toMatch(new RegExp(`Completed\\s+campaign/${id}\\s+campaign`));
    },
  ],
];

afterAll(async () => {
  for (const s of started) await ctrlC(s);
  rmSync(dataDir, { recursive: true, force: true });
}, 120_000);

test('the README walk-through runs as written: scripts/start, then the pasted lines in order', async () => {
  ports = { temporal: await freePort(), ui: await freePort(), sandbox: await freePort(), api: await freePort(), codec: await freePort() };
  const startLines = block('sh walkthrough-start');
  expect(startLines).toEqual(['scripts/start']);
  const lines = block('sh walkthrough');
  expect(lines.filter((l) => !checks.some(([re]) => re.test(l)))).toEqual([]);

  // scripts/start runs `npm ci` when node_modules is not from the lockfile: never under running tests
  // (scripts/test, which CI runs, installs first, so there it always is).
  const lockHash = createHash('sha256')
    .update(readFileSync(join(root, 'package-lock.json')))
    .digest('hex');
  const stamp = join(root, 'node_modules', '.applyflow-lock.sha256');
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8').trim() !== lockHash) {
    throw new Error(
      'node_modules was not installed from this package-lock.json: run scripts/ensure-deps.sh first (scripts/start would run npm ci under the other tests)',
    );
  }

  const main = startMain(startLines[0]);
  const toRunning = await untilRunning(main, 240_000);
  const banner = main.output();
  // The banner names the demo profiles, the state file and the demo as the first thing to try.
  for (const p of DEMO_PROFILES) expect(banner).toContain(p.id);
  expect(banner).toContain(`State file       ${join(dataDir, 'main.json')}`);
  expect(banner).toMatch(/Try next.*\n {2}npx applyflow demo /);
  // Quiet by default: no bundle report or worker chatter, the main job's own lines are there.
  expect(banner).not.toMatch(/webpack|Workflow bundle created|Worker state changed/);
  expect(banner).toContain('[applyflow] HTTP API listening on');

  // The state file: owner-only, endpoints in it, the machine's secrets only by path.
  const statePath = join(dataDir, 'main.json');
  expect(statSync(statePath).mode & 0o777).toBe(0o600);
  const stateText = readFileSync(statePath, 'utf8');
  const state = JSON.parse(stateText);
  expect(state).toMatchObject({
    temporal: { address: `127.0.0.1:${ports.temporal}`, uiUrl: `http://127.0.0.1:${ports.ui}` },
    sandbox: { url: `http://127.0.0.1:${ports.sandbox}` },
    api: { url: `http://127.0.0.1:${ports.api}`, userId: 'local', keyFile: join(dataDir, 'api.key') },
    codec: { off: false, keyFile: join(dataDir, 'codec.key') },
  });
  const codecSecret = readFileSync(join(dataDir, 'codec.key'), 'utf8').trim().split(':')[1];
  expect([stateText.includes(codecSecret), stateText.includes(apiKey())]).toEqual([false, false]);
  expect(statSync(join(dataDir, 'api.key')).mode & 0o777).toBe(0o600);

  const t0 = Date.now();
  let toDemoDone = 0;
  for (const line of lines) {
    const r = await paste(line);
    const [, check] = checks.find(([re]) => re.test(line))!;
    try {
      await check(r);
    } catch (err) {
      throw new Error(`step \`${line}\` (exit ${r.code}):\n${r.out}\n${r.err}\n${(err as Error).message}`);
    }
    if (line === 'npx applyflow demo') toDemoDone = Date.now() - t0;
  }
  console.log(
    `walk-through: scripts/start to "applyflow is running" ${(toRunning / 1000).toFixed(1)} s; from there to the demo's finished campaign ${(toDemoDone / 1000).toFixed(1)} s`,
  );

  // A clean stop removes the state file; the CLI then says there is no main job instead of guessing.
  await ctrlC(main);
  expect(existsSync(statePath)).toBe(false);
  const after = await paste('npx applyflow demo');
  expect([after.code, after.err]).toEqual([1, expect.stringContaining('no running main job found')]);

  // A restart on the same data folder reuses the local API key: the README's curl line still answers.
  const keyBefore = apiKey();
  const again = startMain(startLines[0]);
  await untilRunning(again, 240_000);
  expect(again.output()).toContain(`API key for user local: reused ${join(dataDir, 'api.key')}`);
  expect(apiKey()).toBe(keyBefore);
  const curlLine = lines.find((l) => l.startsWith('curl'))!;
  const listed = JSON.parse((await paste(curlLine)).out) as { data: { sessionId: string }[] };
  expect(listed.data.map((c) => c.sessionId).sort()).toEqual([...campaigns.values()].sort());
  await ctrlC(again);
  expect(readdirSync(dataDir)).not.toContain('main.json');
}, 900_000);
