/**
 * The main job on embedded defaults (`npm start`): Temporal dev server (SQLite under the data folder, UI on
 * 8233), the Jobo sandbox in-process (unless JOBO_BASE_URL points at the real service), the worker, and
 * whatever capabilities registered in mainHooks.ts. Ctrl-C drains the worker, then stops the rest in reverse.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import { mainCodec } from './codec/keyFile';
import { startCodecServer, type RunningCodecServer } from './codec/server';
import { ConfigError, requireJobo, type Config } from './config';
import { startOrReuseDevServer, type DevServer } from './devServer';
import { QuietSdkLogger } from './logging';
import { afterStartHooks, type MainContext } from './mainHooks';
import { LOCAL_API_USER, localApiKey, mainStatePath, removeMainState, writeMainState } from './mainState';
import { connectClient, parseAddress } from './temporal';
import { abortOnSignals, createWorker, loadConfigOrExit, untilAborted, type AppWorker } from './worker';

interface RunningSandbox {
  url: string;
  apiKey: string;
  close(): Promise<void>;
}

const log = (message: string) => console.log(`[applyflow] ${message}`);

export async function main(given: Config, signal: AbortSignal): Promise<void> {
  // Undo in reverse order whatever got started, also when a later step fails.
  const cleanups: { name: string; run: () => Promise<void> }[] = [];
  const stopAll = async () => {
    for (const c of cleanups.reverse()) {
      try {
        await c.run();
      } catch (err) {
        console.error(`[applyflow] stopping ${c.name} failed:`, err);
      }
    }
  };

  // Bad input fails before anything is started.
  if (given.jobo.baseUrl) requireJobo(given); // the real service needs its key
  const { host, port } = parseAddress(given.temporal.address);
  // Private by default: our key (made on first start under the data folder) unless configured or off.
  const codec = mainCodec(given);
  const config: Config = { ...codec.config };
  if (codec.source === 'off') log('payload codec off (APPLYFLOW_CODEC=off): workflow data is stored in plain text');
  else if (codec.path) log(`payload codec on: key id ${config.codecKeys[0].id} (${codec.source} ${codec.path})`);
  else log(`payload codec on: key id ${config.codecKeys[0].id} (APPLYFLOW_CODEC_KEYS)`);

  // One API key per machine, reused across restarts, unless APPLYFLOW_API_KEYS names the keys.
  let apiKeyFile: string | null = null;
  if (config.api.keys.length === 0) {
    const local = localApiKey(config.dataDir);
    apiKeyFile = local.path;
    config.api = { ...config.api, keys: [local.key] };
    log(`API key for user ${local.key.userId}: ${local.created ? 'created' : 'reused'} ${local.path} (APPLYFLOW_API_KEYS overrides)`);
  }
  let stateWritten = false;

  try {
    mkdirSync(config.dataDir, { recursive: true });

    // The UI reads payloads through our codec server, so it shows them decoded out of the box.
    let codecServer: RunningCodecServer | null = null;
    if (config.codecKeys.length) {
      const started = await startCodecServer(config.codecKeys, {
        host,
        port: config.codecServerPort,
        uiPort: config.temporal.uiPort,
        tokens: config.api.keys.map((k) => k.key),
      });
      codecServer = started;
      cleanups.push({ name: 'codec server', run: () => started.close() });
      log(`codec server for the Temporal UI and CLI on ${new URL(started.endpoint).origin}`);
    }

    log(`starting Temporal dev server on ${config.temporal.address} ...`);
    const devServer: DevServer = await startOrReuseDevServer({
      uiCodecEndpoint: codecServer?.endpoint,
      host,
      port,
      uiPort: config.temporal.uiPort,
      namespace: config.temporal.namespace,
      dbFilename: resolve(config.dataDir, 'temporal.sqlite'),
      logFile: resolve(config.dataDir, 'temporal.log'),
    });
    cleanups.push({ name: 'Temporal dev server', run: () => devServer.stop() });
    if (devServer.reused) {
      log(`reusing the Temporal server already running on ${devServer.address}`);
      if (codecServer)
        log(
          `its UI was not started by us: to see payloads decoded, set its codec endpoint (Data Encoder settings) to ${codecServer.endpoint}`,
        );
    }
    throwIfAborted(signal);

    let sandbox: RunningSandbox | null = null;
    let workerConfig = config;
    if (config.jobo.baseUrl) {
      log(`using the Jobo API at ${config.jobo.baseUrl}`);
    } else {
      // Loaded lazily so a deployment against the real API never loads the sandbox.
      const { startSandbox } = await import('../sandbox/server');
      const started = await startSandbox({
        host: config.sandbox.host,
        port: config.sandbox.port,
        seed: config.sandbox.seed,
        jobs: config.sandbox.jobs,
        churnIntervalMs: config.sandbox.churnIntervalMs,
        demoProfiles: true,
        ...(config.jobo.apiKey ? { apiKey: config.jobo.apiKey } : {}),
      });
      sandbox = started;
      cleanups.push({ name: 'sandbox', run: () => started.close() });
      workerConfig = { ...config, jobo: { ...config.jobo, baseUrl: started.url, apiKey: started.apiKey } };
      log(`Jobo sandbox listening on ${started.url}`);
    }
    throwIfAborted(signal);

    log('bundling workflows and starting the worker ...');
    const appWorker: AppWorker = await createWorker(workerConfig);
    const running = appWorker.worker.run();
    cleanups.push({
      name: 'worker',
      run: async () => {
        if (appWorker.worker.getState() === 'RUNNING') appWorker.worker.shutdown();
        try {
          await running;
        } finally {
          await appWorker.close();
        }
      },
    });
    // A worker that dies on its own (lost connection for good) ends the job instead of idling half-alive.
    const workerDied = running.then(
      () => new Error('worker stopped'),
      (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
    );

    const client: Client = await connectClient(workerConfig);
    cleanups.push({ name: 'Temporal client', run: () => client.connection.close() });

    const ctx: MainContext = {
      config: workerConfig,
      client,
      sandbox: sandbox && { url: sandbox.url, apiKey: sandbox.apiKey },
      temporalUiUrl: devServer.uiUrl,
      log,
      tryNext: [],
      localApiKeyFile: apiKeyFile,
      apiUrl: null,
      demoProfiles: [],
    };
    for (const hook of afterStartHooks) {
      const cleanup = await hook.run(ctx);
      if (cleanup) cleanups.push({ name: hook.name, run: cleanup });
      log(`${hook.name} started`);
    }

    if (codecServer) {
      ctx.tryNext.push(
        `  .tools/bin/temporal workflow show --workflow-id <id> --address ${devServer.address} --codec-endpoint ${codecServer.endpoint}   # payloads decoded`,
      );
    }
    // The CLI, `npm run worker` and `npm run api` find us through this file (removed on a clean stop).
    const statePath = writeMainState(config.dataDir, {
      pid: process.pid,
      startedAt: new Date().toISOString(),
      temporal: {
        address: devServer.address,
        namespace: config.temporal.namespace,
        taskQueue: config.temporal.taskQueue,
        uiUrl: devServer.uiUrl,
      },
      sandbox: sandbox && { url: sandbox.url, apiKey: sandbox.apiKey },
      api: { url: ctx.apiUrl ?? '', userId: config.api.keys[0]?.userId ?? LOCAL_API_USER, keyFile: apiKeyFile && resolve(apiKeyFile) },
      codec: config.codecKeys.length
        ? { off: false, keyId: config.codecKeys[0].id, keyFile: codec.path && resolve(codec.path) }
        : { off: true },
      store: { kind: config.store.kind, sqlitePath: config.store.kind === 'sqlite' ? resolve(config.store.sqlitePath) : null },
      codecEndpoint: codecServer?.endpoint ?? null,
      demoProfiles: ctx.demoProfiles,
    });
    stateWritten = true;
    log(`endpoints written to ${statePath} (the CLI, npm run worker and npm run api read it)`);
    printBanner(workerConfig, devServer, sandbox, ctx);
    const stopped = await Promise.race([untilAborted(signal).then(() => null), workerDied]);
    if (stopped) throw stopped;
  } finally {
    log('stopping ...');
    if (stateWritten) removeMainState(config.dataDir);
    await stopAll();
    log('stopped');
  }
}

function printBanner(config: Config, dev: DevServer, sandbox: RunningSandbox | null, ctx: MainContext): void {
  const extra = ctx.tryNext;
  const lines = [
    '',
    'applyflow is running',
    `  Temporal UI      ${dev.uiUrl ?? '(headless)'}`,
    `  Temporal server  ${dev.address}  namespace ${config.temporal.namespace}${dev.reused ? '  (reused)' : `  data ${config.dataDir}/temporal.sqlite`}`,
    `  Worker           task queue ${config.temporal.taskQueue}, codec ${config.codecKeys.length ? `on (key ${config.codecKeys[0].id})` : 'off'}`,
    sandbox
      ? `  Jobo sandbox     ${sandbox.url}  (X-Api-Key: ${sandbox.apiKey}; admin ${sandbox.url}/__admin/health)`
      : `  Jobo API         ${config.jobo.baseUrl}`,
    ...ctx.demoProfiles.map((p, i) => `  ${i === 0 ? 'Demo profiles   ' : '                '} ${p.id}  ${p.name}`),
    `  State file       ${mainStatePath(config.dataDir)}  (the CLI finds this job through it: nothing to export)`,
    '',
    'Try next (in a second terminal, from this folder):',
    '  npx applyflow demo                 # a short run-once campaign on a demo profile, end to end',
    `  open ${dev.uiUrl ?? 'the Temporal UI'} and look at the workflows`,
    '  npx applyflow --help',
    `  .tools/bin/temporal workflow list --address ${dev.address} --namespace ${config.temporal.namespace}`,
    ...(sandbox ? [`  curl -s ${sandbox.url}/__admin/ground-truth/jobs | head -c 400`] : []),
    ...extra.map((l) => `  ${l.trimStart()}`),
    '',
    'Press Ctrl-C to stop (twice to force).',
    '',
  ];
  console.log(lines.join('\n'));
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new Error('interrupted during start-up');
}

if (require.main === module) {
  const config = loadConfigOrExit();
  // We own SIGINT/SIGTERM so the stop order is ours: worker drains first, the dev server goes last.
  Runtime.install({ shutdownSignals: [], logger: new QuietSdkLogger(config.logLevel) });
  const signal = abortOnSignals((s) => log(`${s} received`));
  main(config, signal).then(
    () => process.exit(0),
    (err) => {
      if (err instanceof ConfigError) {
        console.error(err.message);
        process.exit(2);
      }
      console.error('[applyflow] failed:', err instanceof Error ? err.message : err);
      process.exit(signal.aborted ? 130 : 1);
    },
  );
}
