/**
 * `npm start` end to end: src/main.ts as a child process on free ports brings up the dev server (UI answering
 * HTTP), the sandbox and a worker polling the task queue; SIGINT stops all of it and releases the ports.
 * With the default configuration it is private: it makes its codec key, and after a campaign, applications,
 * an interactive session and feed sync, no exported history holds a profile value (plain or base64), nor
 * the API or Jobo key, and neither does its own output.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../src/searchAttributes';
import { APPLICANT, CALLER_ANSWERS } from './application.fixtures';
import { validAnswersFor } from './support/formAnswers';
import { quietTemporalLogs, startDevEnv, TEMPORAL_CLI_PATH } from './support/temporal';

const root = resolve(__dirname, '..');
const exec = promisify(execFile);
const TASK_QUEUE = 'main-job-test';

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

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const srv = createServer();
    srv.once('error', () => res(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => res(true)));
  });
}

/** Pids of processes whose command line mentions `needle` (the dev server carries our temp data dir). */
function pidsMentioning(needle: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d) && Number(d) !== process.pid)
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(needle);
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function eventually<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined | false>, child?: Job): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && child.proc.exitCode !== null)
      throw new Error(`main exited (${child.proc.exitCode}) while waiting for ${what}:\n${child.output()}`);
    const v = await probe().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${child?.output() ?? ''}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

interface Job {
  proc: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

function startMain(env: Record<string, string>): Job {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(JOBO_|TEMPORAL_|SANDBOX_|APPLYFLOW_)/.test(k)),
  ) as Record<string, string>;
  const proc = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
    cwd: root,
    env: { ...clean, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    proc.once('exit', (code, signal) => res({ code, signal })),
  );
  return { proc, exited, output: () => out };
}

async function pollerCount(address: string): Promise<number> {
  const connection = await Connection.connect({ address, connectTimeout: 2_000 });
  try {
    const r = await connection.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: TASK_QUEUE },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    return r.pollers?.length ?? 0;
  } finally {
    await connection.close();
  }
}

async function stop(job: Job, timeoutMs = 60_000) {
  job.proc.kill('SIGINT');
  const timer = setTimeout(() => job.proc.kill('SIGKILL'), timeoutMs);
  const result = await job.exited;
  clearTimeout(timer);
  return result;
}

const cleanupDirs: string[] = [];
/** The first main job's key, reused by the next start. */
let firstKeyFile: string | undefined;
const jobs: Job[] = [];

beforeAll(() => quietTemporalLogs());

afterAll(() => {
  // Never leave a server behind, whatever happened above.
  for (const job of jobs) if (job.proc.exitCode === null) job.proc.kill('SIGKILL');
  for (const dir of cleanupDirs) {
    for (const pid of pidsMentioning(dir)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('npm start on the default configuration', () => {
  const API_KEY = 'af_main_test_key_0123456789';
  const JOBO_KEY = 'sandbox-key-main-test-0123456789';
  let dataDir: string;
  let codecEndpoint: string;
  let job: Job;
  let address: string;
  let ports: { temporal: number; ui: number; sandbox: number; api: number; codec: number };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'applyflow-main-'));
    cleanupDirs.push(dataDir);
    ports = { temporal: await freePort(), ui: await freePort(), sandbox: await freePort(), api: await freePort(), codec: await freePort() };
    address = `127.0.0.1:${ports.temporal}`;
    job = startMain({
      TEMPORAL_ADDRESS: address,
      TEMPORAL_UI_PORT: String(ports.ui),
      TEMPORAL_TASK_QUEUE: TASK_QUEUE,
      SANDBOX_PORT: String(ports.sandbox),
      SANDBOX_JOBS: '50',
      JOBO_API_KEY: JOBO_KEY,
      APPLYFLOW_DATA_DIR: dataDir,
      API_PORT: String(ports.api),
      APPLYFLOW_API_KEYS: `main-test:${API_KEY}`,
      APPLYFLOW_CODEC_SERVER_PORT: String(ports.codec),
    });
    jobs.push(job);
  });

  test('dev server with UI, sandbox, worker and API come up; the codec key is made (0600) and its id printed', async () => {
    const uiStatus = await eventually('the Temporal UI', 180_000, async () => (await fetch(`http://127.0.0.1:${ports.ui}/`)).status, job);
    expect(uiStatus).toBe(200);
    expect(await eventually('a worker poller', 180_000, () => pollerCount(address), job)).toBeGreaterThan(0);
    const health = (await (await fetch(`http://127.0.0.1:${ports.sandbox}/__admin/health`)).json()) as { ok: boolean };
    expect(health.ok).toBe(true);
    await eventually('the banner', 10_000, async () => job.output().includes('Press Ctrl-C to stop'), job);
    expect(job.output()).toContain(`http://127.0.0.1:${ports.ui}`);
    // The main job also serves the HTTP API, with the configured keys.
    const sessions = await fetch(`http://127.0.0.1:${ports.api}/api/v1/sessions`, { headers: { authorization: `Bearer ${API_KEY}` } });
    expect(sessions.status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${ports.api}/api/v1/sessions`)).status).toBe(401);
    // The dev server is ours, persisted under the data folder.
    expect(pidsMentioning(dataDir).length).toBeGreaterThan(0);
    expect(existsSync(join(dataDir, 'temporal.sqlite'))).toBe(true);
    // Private by default: a key of its own, readable by its owner only, announced by id.
    const keyFile = join(dataDir, 'codec.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const keyId = readFileSync(keyFile, 'utf8').split(':')[0];
    expect(job.output()).toContain(`payload codec on: key id ${keyId} (created ${keyFile})`);
    expect(job.output()).toContain(`codec on (key ${keyId})`);
    firstKeyFile = keyFile;
    // The UI was started pointing at our codec server (its settings are what the browser app reads).
    const settings = (await (await fetch(`http://127.0.0.1:${ports.ui}/api/v1/settings`)).json()) as { Codec: { Endpoint: string } };
    codecEndpoint = settings.Codec.Endpoint;
    expect(codecEndpoint).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${ports.codec}/[A-Za-z0-9_-]{32}$`));
    expect(job.output()).toContain(`--codec-endpoint ${codecEndpoint}`);
  }, 240_000);

  test('after a campaign, its applications, an interactive session and feed sync, no exported history holds a profile value', async () => {
    const api = `http://127.0.0.1:${ports.api}/api/v1`;
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${api}${path}`, {
        method,
        headers: { authorization: `Bearer ${API_KEY}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    };
    // Distinctive values, so a match cannot be a coincidence.
    const pii = {
      first_name: 'Zenobia',
      last_name: 'Quillfeather',
      email: 'zenobia.quillfeather.e2e@example.org',
      phone: '+1 415 555 0199',
      date_of_birth: '1987-06-19',
    };
    const home = {
      address_line1: '77 Marigold Lantern Street',
      city: 'Austin',
      state: 'TX',
      postal_code: '78701',
      country: 'United States',
    };
    const selfId = {
      gender: 'female',
      ethnicity: 'hispanic_or_latino',
      veteran_status: 'not_a_veteran',
      disability_status: 'no_disability',
    } as const;
    const created = await call('POST', '/profiles', {
      ...APPLICANT,
      contact: { ...APPLICANT.contact, ...pii },
      location: home,
      self_identification: selfId,
    });
    expect([created.status, created.body.fields]).toEqual([201, undefined]);
    const profileId: string = created.body.id;
    const upload = await fetch(`${api}/profiles/${profileId}/resume`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/pdf', 'x-file-name': 'zq.pdf' },
      body: Buffer.from('%PDF-1.4 Zenobia Quillfeather'),
    });
    expect(upload.status).toBe(202);

    // A run-once campaign over two sandbox jobs (its applications are workflows of their own).
    const sandbox = `http://127.0.0.1:${ports.sandbox}`;
    const truth = (await (await fetch(`${sandbox}/__admin/ground-truth/jobs`)).json()) as { active: { id: string }[] };
    const picked: { id: string; url: string; source: string }[] = [];
    for (const { id } of truth.active) {
      const { job } = (await (await fetch(`${sandbox}/__admin/jobs/${id}`)).json()) as {
        job: { id: string; apply_url: string; source: string };
      };
      if (['greenhouse', 'lever'].includes(job.source) && !picked.some((p) => p.source === job.source))
        picked.push({ id: job.id, url: job.apply_url, source: job.source });
      if (picked.length === 2) break;
    }
    expect(picked).toHaveLength(2);
    const campaign = await call('POST', '/sessions/apply', {
      candidateProfileId: profileId,
      jobs: picked.map((j, i) => ({ companyName: `Company ${i}`, title: `Engineer ${i}`, jobId: j.id, link: j.url })),
      answers: CALLER_ANSWERS,
    });
    expect(campaign.status).toBe(201);
    const done = await eventually(
      'the campaign to complete',
      180_000,
      async () => {
        const s = await call('GET', `/sessions/${campaign.body.sessionId}`);
        return s.body.status === 'completed' && s.body;
      },
      job,
    );
    expect(done.stats.totalApplications).toBe(2);
    // The API still reads everything back in clear: the codec decrypts for its clients.
    const apps = await call('GET', `/applications?sessionId=${campaign.body.sessionId}`);
    expect(apps.body.data.map((a: { candidate_email: string }) => a.candidate_email)).toEqual([pii.email, pii.email]);

    // An interactive session answered with the candidate's own values, then ended.
    const started = await call('POST', '/interactive-sessions', { job_url: picked[0].url, profile_id: profileId });
    expect(started.status).toBe(201);
    const fields = started.body.fields as { name: string; type: string }[];
    const answers = Object.fromEntries(
      Object.entries(validAnswersFor(started.body.fields)).map(([name, v]) => {
        const type = fields.find((f) => f.name === name)!.type;
        return [
          name,
          type === 'email' ? pii.email : type === 'phone' ? pii.phone : type === 'text' ? `${pii.first_name} ${pii.last_name}` : v,
        ];
      }),
    );
    const answered = await call('POST', `/interactive-sessions/${started.body.session_id}/answers`, { answers, page: started.body.page });
    expect(answered.status).toBe(200);
    expect((await call('DELETE', `/interactive-sessions/${started.body.session_id}`)).status).toBe(204);

    // Every workflow on the server, exported as `temporal workflow show -o json` does.
    const temporalCli = (...args: string[]) =>
      exec(TEMPORAL_CLI_PATH, [...args, '--address', address, '--namespace', 'default', '-o', 'json'], {
        maxBuffer: 256 * 1024 * 1024,
      }).then((r) => r.stdout);
    const listed = (await temporalCli('workflow', 'list')).trim();
    const executions = (
      listed.startsWith('[')
        ? JSON.parse(listed)
        : listed
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l))
    ) as {
      execution: { workflowId: string; runId: string };
    }[];
    const ids = executions.map((e) => e.execution.workflowId);
    for (const kind of ['campaign/', 'application/', 'interactive-session/', 'feed-sync/']) {
      expect({ kind, found: ids.some((id) => id.startsWith(kind)) }).toEqual({ kind, found: true });
    }
    const exports: { id: string; text: string }[] = [];
    for (const { execution } of executions) {
      const json = await temporalCli('workflow', 'show', '--workflow-id', execution.workflowId, '--run-id', execution.runId);
      // Base64 is an encoding, not protection: read every payload's data decoded too.
      const decoded: string[] = [];
      JSON.parse(json, (k, v) => {
        if (k === 'data' && typeof v === 'string') decoded.push(Buffer.from(v, 'base64').toString('utf8'));
        return v;
      });
      exports.push({ id: execution.workflowId, text: `${json}\n${decoded.join('\n')}` });
    }
    expect(exports.length).toBeGreaterThanOrEqual(5);

    const secrets = [
      pii.first_name,
      pii.last_name,
      `${pii.first_name} ${pii.last_name}`,
      pii.email,
      pii.phone,
      pii.date_of_birth,
      home.address_line1,
      selfId.ethnicity,
      selfId.veteran_status,
      selfId.disability_status,
      API_KEY,
      JOBO_KEY,
    ];
    // A value inside a longer base64 string, at each of the three byte alignments (long values only: short
    // ones could occur in ciphertext's base64 by chance).
    const base64Forms = (v: string) =>
      v.length < 12
        ? []
        : [0, 1, 2].map((pad) =>
            Buffer.concat([Buffer.alloc(pad), Buffer.from(v)])
              .toString('base64')
              .slice(pad ? pad + 2 : 0, -4),
          );
    const found = exports.flatMap(({ id, text }) =>
      secrets.flatMap((v) =>
        [v, ...base64Forms(v)]
          .filter((form) => text.includes(form))
          .map((form) => `${id}: ${v}${form === v ? '' : ` (as base64 ${form})`}`),
      ),
    );
    expect(found).toEqual([]);
    // Every history is ours: its payloads are encrypted (the control for the check above).
    for (const { id, text } of exports)
      expect({ id, encrypted: text.includes(Buffer.from('binary/encrypted').toString('base64')) }).toEqual({ id, encrypted: true });
    // The UI's codec endpoint reads the campaign's input in clear, as the browser app asks for it.
    const campaignExport = JSON.parse(await temporalCli('workflow', 'show', '--workflow-id', `campaign/${campaign.body.sessionId}`)) as {
      events: { workflowExecutionStartedEventAttributes?: { input: { payloads: unknown[] } } }[];
    };
    const input = campaignExport.events[0].workflowExecutionStartedEventAttributes!.input;
    const ui = `http://127.0.0.1:${ports.ui}`;
    const decodedRes = await fetch(`${codecEndpoint}/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ui, 'x-namespace': 'default' },
      body: JSON.stringify(input),
    });
    expect([decodedRes.status, decodedRes.headers.get('access-control-allow-origin')]).toEqual([200, ui]);
    const [decodedInput] = ((await decodedRes.json()) as { payloads: { data: string }[] }).payloads;
    expect(JSON.parse(Buffer.from(decodedInput.data, 'base64').toString())).toMatchObject({
      candidateProfileId: profileId,
      userId: 'main-test',
    });
    // The main job's own output (worker logs included) carries ids, never the profile's values.
    expect(secrets.slice(0, 10).filter((v) => job.output().includes(v))).toEqual([]);
  }, 420_000);

  test('Ctrl-C stops everything and frees the ports', async () => {
    const { code } = await stop(job);
    expect({ code, output: code === 0 ? '' : job.output() }).toEqual({ code: 0, output: '' });
    expect(job.output()).toContain('stopped');
    for (const port of Object.values(ports)) {
      expect({ port, free: await portIsFree(port) }).toEqual({ port, free: true });
    }
    expect(pidsMentioning(dataDir)).toEqual([]);
  }, 120_000);
});

test('a Temporal server already on the port is reused (search attributes added) and left running', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'applyflow-main-'));
  cleanupDirs.push(dataDir);
  // A plain dev server without our search attributes, as someone might have started by hand.
  const env = await startDevEnv({ searchAttributes: false });
  // A later start on a data folder that has a key: the same key, not a new one.
  copyFileSync(firstKeyFile!, join(dataDir, 'codec.key'));
  chmodSync(join(dataDir, 'codec.key'), 0o600);
  const keyId = readFileSync(firstKeyFile!, 'utf8').split(':')[0];
  try {
    const job = startMain({
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: TASK_QUEUE,
      SANDBOX_PORT: '0',
      SANDBOX_JOBS: '50',
      APPLYFLOW_DATA_DIR: dataDir,
      API_PORT: '0',
      APPLYFLOW_CODEC_SERVER_PORT: '0',
    });
    jobs.push(job);
    expect(await eventually('a worker poller', 180_000, () => pollerCount(env.address), job)).toBeGreaterThan(0);
    expect(job.output()).toContain('reusing the Temporal server');
    expect(job.output()).toContain(`payload codec on: key id ${keyId} (reused ${join(dataDir, 'codec.key')})`);
    expect(readFileSync(join(dataDir, 'codec.key'), 'utf8')).toBe(readFileSync(firstKeyFile!, 'utf8'));
    expect(job.output()).toContain('its UI was not started by us: to see payloads decoded, set its codec endpoint');
    const { customAttributes } = await env.connection.operatorService.listSearchAttributes({ namespace: 'default' });
    for (const def of SEARCH_ATTRIBUTE_DEFINITIONS) expect(Object.keys(customAttributes ?? {})).toContain(def.name);

    expect((await stop(job)).code).toBe(0);
    // Not ours to stop: it still answers.
    await expect(env.connection.workflowService.getSystemInfo({})).resolves.toBeDefined();
    expect(existsSync(join(dataDir, 'temporal.sqlite'))).toBe(false);
  } finally {
    await env.teardown();
  }
}, 240_000);

test('JOBO_BASE_URL without JOBO_API_KEY exits 2 naming the variable, starting nothing', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'applyflow-main-'));
  cleanupDirs.push(dataDir);
  const temporalPort = await freePort();
  const job = startMain({
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    JOBO_BASE_URL: 'https://jobo.example.com',
    APPLYFLOW_DATA_DIR: dataDir,
  });
  jobs.push(job);
  const { code } = await job.exited;
  expect(code).toBe(2);
  expect(job.output()).toContain('JOBO_API_KEY');
  expect(await portIsFree(temporalPort)).toBe(true);
  expect(readdirSync(dataDir)).toEqual([]);
});

test('a codec key file other users can read is refused: exit 2 naming it, starting nothing', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'applyflow-main-'));
  cleanupDirs.push(dataDir);
  const keyFile = join(dataDir, 'codec.key');
  copyFileSync(firstKeyFile!, keyFile);
  chmodSync(keyFile, 0o644);
  const temporalPort = await freePort();
  const job = startMain({ TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`, APPLYFLOW_DATA_DIR: dataDir });
  jobs.push(job);
  const { code } = await job.exited;
  expect(code).toBe(2);
  expect(job.output()).toContain(`${keyFile} is readable by other users (mode 644): chmod 600 it`);
  expect(await portIsFree(temporalPort)).toBe(true);
  expect(readdirSync(dataDir)).toEqual(['codec.key']);
});
