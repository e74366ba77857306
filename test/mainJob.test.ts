/**
 * `npm start` end to end: src/main.ts as a child process on free ports brings up the dev server (UI answering
 * HTTP), the sandbox and a worker polling the task queue; SIGINT stops all of it and releases the ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../src/searchAttributes';
import { quietTemporalLogs, startDevEnv } from './support/temporal';

const root = resolve(__dirname, '..');
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
    if (child && child.proc.exitCode !== null) throw new Error(`main exited (${child.proc.exitCode}) while waiting for ${what}:\n${child.output()}`);
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
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
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

test('npm start: dev server with UI, sandbox and worker come up; Ctrl-C stops them and frees the ports', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'applyflow-main-'));
  cleanupDirs.push(dataDir);
  const [temporalPort, uiPort, sandboxPort, apiPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const address = `127.0.0.1:${temporalPort}`;
  const job = startMain({
    TEMPORAL_ADDRESS: address,
    TEMPORAL_UI_PORT: String(uiPort),
    TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    SANDBOX_PORT: String(sandboxPort),
    SANDBOX_JOBS: '50',
    APPLYFLOW_DATA_DIR: dataDir,
    API_PORT: String(apiPort),
    APPLYFLOW_API_KEYS: 'main-test:af_main_test_key_0123456789',
  });
  jobs.push(job);

  const uiStatus = await eventually('the Temporal UI', 180_000, async () => (await fetch(`http://127.0.0.1:${uiPort}/`)).status, job);
  expect(uiStatus).toBe(200);
  expect(await eventually('a worker poller', 180_000, () => pollerCount(address), job)).toBeGreaterThan(0);
  const health = (await (await fetch(`http://127.0.0.1:${sandboxPort}/__admin/health`)).json()) as { ok: boolean };
  expect(health.ok).toBe(true);
  await eventually('the banner', 10_000, async () => job.output().includes('Press Ctrl-C to stop'), job);
  expect(job.output()).toContain(`http://127.0.0.1:${uiPort}`);
  // The main job also serves the HTTP API, with the configured keys.
  const sessions = await fetch(`http://127.0.0.1:${apiPort}/api/v1/sessions`, { headers: { authorization: 'Bearer af_main_test_key_0123456789' } });
  expect(sessions.status).toBe(200);
  expect((await fetch(`http://127.0.0.1:${apiPort}/api/v1/sessions`)).status).toBe(401);
  // The dev server is ours, persisted under the data folder.
  expect(pidsMentioning(dataDir).length).toBeGreaterThan(0);
  expect(existsSync(join(dataDir, 'temporal.sqlite'))).toBe(true);

  const { code } = await stop(job);
  expect({ code, output: code === 0 ? '' : job.output() }).toEqual({ code: 0, output: '' });
  expect(job.output()).toContain('stopped');
  for (const port of [temporalPort, uiPort, sandboxPort, apiPort]) {
    expect({ port, free: await portIsFree(port) }).toEqual({ port, free: true });
  }
  expect(pidsMentioning(dataDir)).toEqual([]);
}, 240_000);

test('a Temporal server already on the port is reused (search attributes added) and left running', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'applyflow-main-'));
  cleanupDirs.push(dataDir);
  // A plain dev server without our search attributes, as someone might have started by hand.
  const env = await startDevEnv({ searchAttributes: false });
  try {
    const job = startMain({
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: TASK_QUEUE,
      SANDBOX_PORT: '0',
      SANDBOX_JOBS: '50',
      APPLYFLOW_DATA_DIR: dataDir,
      API_PORT: '0',
    });
    jobs.push(job);
    expect(await eventually('a worker poller', 180_000, () => pollerCount(env.address), job)).toBeGreaterThan(0);
    expect(job.output()).toContain('reusing the Temporal server');
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
