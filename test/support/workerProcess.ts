/**
 * The product worker as a separate process, so a test can kill it with SIGKILL like a crashed host.
 * Configured by environment (TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE, JOBO_BASE_URL, APPLYFLOW_SQLITE_PATH, ...).
 * Prints READY once it polls, so the parent knows when it is serving; SIGTERM/SIGINT drain it (SDK default).
 *
 *   const w = spawnWorker({ TEMPORAL_ADDRESS: env.address, ... }); await w.ready; ...; w.kill('SIGKILL');
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export interface WorkerProcess {
  child: ChildProcess;
  ready: Promise<void>;
  /** Resolves with the exit code or signal once the process is gone. */
  exited: Promise<number | NodeJS.Signals | null>;
  output(): string;
}

export function spawnWorker(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', __filename], {
    cwd: resolve(__dirname, '..', '..'),
    env: { ...process.env, ...env, TS_NODE_TRANSPILE_ONLY: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | NodeJS.Signals | null>((res) => child.once('exit', (code, sig) => res(sig ?? code)));
  const ready = new Promise<void>((res, rej) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('READY')) res();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    void exited.then((how) => rej(new Error(`worker exited (${how}) before READY:\n${out.slice(-3000)}`)));
  });
  return { child, ready, exited, output: () => out };
}

if (require.main === module) {
  void (async () => {
    const { loadConfig } = await import('../../src/config');
    const { createWorker } = await import('../../src/worker');
    const { worker, close } = await createWorker(loadConfig());
    const running = worker.run();
    console.log('READY');
    try {
      await running;
    } finally {
      await close();
    }
  })().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
