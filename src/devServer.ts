/**
 * The embedded Temporal: `temporal server start-dev` from .tools/bin, persisted to SQLite under the data
 * folder, with applyflow's search attributes registered. A server already answering on the port is reused
 * (e.g. a second `npm start`, or one started by hand) and left running when we stop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { ensureSearchAttributes, searchAttributeArgs } from './temporal';

export const TEMPORAL_CLI = resolve(__dirname, '..', '.tools', 'bin', 'temporal');

export interface DevServerOptions {
  host: string;
  port: number;
  /** null = headless. */
  uiPort: number | null;
  namespace: string;
  dbFilename: string;
  logFile: string;
  cliPath?: string;
  readyTimeoutMs?: number;
  /** The UI decodes payloads through this codec server (`--ui-codec-endpoint`). */
  uiCodecEndpoint?: string;
}

export interface DevServer {
  address: string;
  uiUrl: string | null;
  /** True when a server was already running: we neither started it nor stop it. */
  reused: boolean;
  pid: number | null;
  stop(): Promise<void>;
}

export async function startOrReuseDevServer(opts: DevServerOptions): Promise<DevServer> {
  const address = `${opts.host}:${opts.port}`;
  const uiUrl = opts.uiPort === null ? null : `http://${opts.host}:${opts.uiPort}`;
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);

  if (await portOpen(opts.host, opts.port)) {
    if (!(await answersTemporal(address, 3_000))) {
      throw new Error(
        `Port ${opts.port} on ${opts.host} is in use by something that is not a Temporal server (set TEMPORAL_ADDRESS to another port)`,
      );
    }
    const connection = await Connection.connect({ address });
    try {
      await ensureNamespace(connection, opts.namespace);
      await ensureSearchAttributes(connection, opts.namespace);
    } finally {
      await connection.close();
    }
    return { address, uiUrl, reused: true, pid: null, stop: async () => undefined };
  }

  const cli = opts.cliPath ?? TEMPORAL_CLI;
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run tools\` (npm start does it for you)`);
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    opts.dbFilename,
    '--ip',
    opts.host,
    '--port',
    String(opts.port),
    ...(opts.uiPort === null ? ['--headless'] : ['--ui-port', String(opts.uiPort), '--ui-disable-news-fetch']),
    ...(opts.uiPort !== null && opts.uiCodecEndpoint ? ['--ui-codec-endpoint', opts.uiCodecEndpoint] : []),
    ...(opts.namespace === 'default' ? [] : ['--namespace', opts.namespace]),
    ...searchAttributeArgs(),
    '--log-level',
    'warn',
  ];
  const logFd = openSync(opts.logFile, 'a');
  // Own process group: a terminal Ctrl-C reaches only us, so the server outlives the worker's drain and we
  // stop it last.
  const child = spawn(cli, args, { detached: true, stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  const killOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  const exited = new Promise<void>((res) => child.once('exit', () => res()));

  const stop = async () => {
    process.off('exit', killOnExit);
    await stopChild(child, exited);
  };

  try {
    await waitUntil(
      deadline,
      child,
      opts.logFile,
      async () => (await portOpen(opts.host, opts.port)) && (await answersTemporal(address, 2_000)),
    );
    if (uiUrl) await waitUntil(deadline, child, opts.logFile, () => httpAnswers(uiUrl));
  } catch (err) {
    await stop();
    throw err;
  }
  return { address, uiUrl, reused: false, pid: child.pid ?? null, stop };
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

async function waitUntil(deadline: number, child: ChildProcess, logFile: string, ready: () => Promise<boolean>): Promise<void> {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`temporal server start-dev exited (${child.exitCode ?? child.signalCode}); last log lines:\n${tail(logFile)}`);
    }
    if (await ready()) return;
    if (Date.now() > deadline) throw new Error(`temporal server start-dev did not become ready in time; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((res) => {
    const socket = tcpConnect({ host, port });
    socket.setTimeout(1_000);
    const done = (open: boolean) => {
      socket.destroy();
      res(open);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

export async function answersTemporal(address: string, timeoutMs: number): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: timeoutMs });
    await connection.workflowService.getSystemInfo({});
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

export async function httpAnswers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await res.body?.cancel();
    return res.status < 500;
  } catch {
    return false;
  }
}

async function ensureNamespace(connection: Connection, namespace: string): Promise<void> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
  } catch {
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('3 days'),
    });
  }
}
