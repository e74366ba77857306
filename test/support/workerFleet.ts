/**
 * Several product worker processes (./workerProcess) with one configuration, as when users scale out:
 * started together, told apart by the identity Temporal records for them (the SDK's default, pid@host), and
 * stopped one by one with the signal a test chooses (SIGKILL: a crashed host; SIGTERM: a drain).
 *
 *   const fleet = await startWorkerFleet(3, { TEMPORAL_ADDRESS: env.address, ... });
 *   await fleet.stop(fleet.workers[0], 'SIGKILL'); ...; await fleet.close(); // afterAll
 */
import { hostname } from 'node:os';
import { spawnWorker, type WorkerProcess } from './workerProcess';

/** The configuration of a fleet on one PostgreSQL store, as a user scaling out sets it (the codec on, one limit N). */
export function postgresFleetEnv(o: {
  temporalAddress: string;
  taskQueue: string;
  sandbox: { url: string; apiKey: string };
  databaseUrl: string;
  codecKey: { id: string; key: Buffer };
  upstreamRatePerSecond: number;
}): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: o.temporalAddress,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: o.taskQueue,
    JOBO_BASE_URL: o.sandbox.url,
    JOBO_API_KEY: o.sandbox.apiKey,
    APPLYFLOW_STORE: 'postgres',
    DATABASE_URL: o.databaseUrl,
    APPLYFLOW_CODEC_KEYS: `${o.codecKey.id}:${o.codecKey.key.toString('base64')}`,
    UPSTREAM_RATE_LIMIT_PER_SECOND: String(o.upstreamRatePerSecond),
    LOG_LEVEL: 'WARN',
  };
}

export interface WorkerFleet {
  workers: WorkerProcess[];
  /** The worker behind a Temporal worker identity (e.g. a pending activity's lastWorkerIdentity), if ours. */
  byIdentity(identity: string | undefined | null): WorkerProcess | undefined;
  /** Sends `signal` and resolves with how the process ended once it is gone (at once if it already is). */
  stop(worker: WorkerProcess, signal: NodeJS.Signals): Promise<number | NodeJS.Signals | null>;
  /** SIGKILLs every worker still running and waits for them (for afterAll). */
  close(): Promise<void>;
}

const running = (w: WorkerProcess) => w.child.exitCode === null && w.child.signalCode === null;

/** Spawns `count` workers with `env` and resolves once every one polls; a failed start stops them all. */
export async function startWorkerFleet(count: number, env: Record<string, string>): Promise<WorkerFleet> {
  const workers = Array.from({ length: count }, () => spawnWorker(env));
  const stop = async (w: WorkerProcess, signal: NodeJS.Signals) => {
    if (running(w)) w.child.kill(signal);
    return w.exited;
  };
  const close = async () => {
    await Promise.all(workers.map((w) => stop(w, 'SIGKILL')));
  };
  try {
    await Promise.all(workers.map((w) => w.ready));
  } catch (err) {
    await close();
    throw err;
  }
  const host = hostname();
  return {
    workers,
    byIdentity: (identity) => workers.find((w) => identity === `${w.child.pid}@${host}`),
    stop,
    close,
  };
}
