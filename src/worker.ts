/**
 * The applyflow worker: one task queue, every workflow (bundled from src/workflows.ts) and every activity
 * (built from configuration). `npm run worker` runs it against an existing Temporal server and Jobo API;
 * `npm start` (src/main.ts) runs it next to an embedded dev server and the sandbox.
 */
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities';
import { dataConverterFor } from './codec';
import { ConfigError, loadConfig, type Config } from './config';
import { JoboClient } from './jobo/client';
import { QuietSdkLogger } from './logging';
import { applyMainState } from './mainState';
import { lazyStore } from './store';

export const WORKFLOWS_PATH = require.resolve('./workflows');

export interface AppWorker {
  worker: Worker;
  /** Closes what the worker owns (Jobo client, connection); call after `worker.run()` has returned. */
  close: () => Promise<void>;
}

export async function createWorker(
  config: Config,
  opts: { deps?: Partial<ActivityDeps>; workflowsPath?: string } = {},
): Promise<AppWorker> {
  // Configuration problems (no codec decision, no JOBO_BASE_URL/JOBO_API_KEY) fail before we touch Temporal.
  const dataConverter = dataConverterFor(config);
  // One store for the activities and the upstream limit (shared with every other worker on it).
  const store = opts.deps?.store ?? lazyStore(config);
  const jobo = opts.deps?.jobo ?? JoboClient.fromConfig(config, { store });
  let connection: NativeConnection | undefined;
  try {
    connection = await NativeConnection.connect({ address: config.temporal.address });
    const worker = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      workflowsPath: opts.workflowsPath ?? WORKFLOWS_PATH,
      activities: createActivities({ ...opts.deps, config, jobo, store }),
      dataConverter,
      // A bound on the worker's memory: idle campaigns cost ~0.45 MB each while cached (docs/configuration.md).
      ...(config.temporal.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: config.temporal.maxCachedWorkflows } : {}),
      // Running activities get this long to finish (and see cancellation) on Ctrl-C before being abandoned.
      shutdownGraceTime: '10s',
    });
    const conn = connection;
    return {
      worker,
      async close() {
        await jobo.close();
        await conn.close();
      },
    };
  } catch (err) {
    await jobo.close().catch(() => undefined);
    await connection?.close().catch(() => undefined);
    throw err;
  }
}

/** Runs the worker until `signal` aborts (or, without one, the SDK's own SIGINT/SIGTERM handling stops it). */
export async function runWorker(config: Config, opts: { signal?: AbortSignal } = {}): Promise<void> {
  const { worker, close } = await createWorker(config);
  try {
    await worker.runUntil(untilAborted(opts.signal));
  } finally {
    await close();
  }
}

/** Resolves when `signal` aborts; without a signal, never. */
export function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!signal) return; // never: the SDK stops the worker on SIGINT/SIGTERM and runUntil returns
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/**
 * The configuration for a process entry point; bad configuration prints what is wrong and exits with 2.
 * `mainState`: unset variables come from a running main job's state file (explicit ones win), said in one line.
 */
export function loadConfigOrExit(opts: { mainState?: boolean } = {}): Config {
  try {
    if (opts.mainState) {
      const note = applyMainState(process.env);
      if (note) console.log(note);
    }
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
}

/** SIGINT/SIGTERM → abort once; a second signal exits at once (for a stuck shutdown). */
export function abortOnSignals(onFirst?: (signal: NodeJS.Signals) => void): AbortSignal {
  const controller = new AbortController();
  const handler = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    onFirst?.(signal);
    controller.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return controller.signal;
}

if (require.main === module) {
  const config = loadConfigOrExit({ mainState: true });
  // Our handler (not the SDK's) owns the signals, so a second Ctrl-C can force the exit.
  Runtime.install({ shutdownSignals: [], logger: new QuietSdkLogger(config.logLevel) });
  const signal = abortOnSignals((s) => console.log(`worker: ${s} received, draining (Ctrl-C again to force)`));
  runWorker(config, { signal }).then(
    () => process.exit(0),
    (err) => {
      console.error(err instanceof ConfigError ? err.message : err);
      process.exit(err instanceof ConfigError ? 2 : 1);
    },
  );
}
