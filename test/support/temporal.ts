/**
 * Real Temporal for tests, from the binaries scripts/install-tools.mjs put in .tools/bin (nothing is
 * downloaded at test time). Always `await env.teardown()` in afterAll.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { searchAttributeArgs } from '../../src/temporal';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../src/searchAttributes';

export const TEMPORAL_CLI_PATH = resolve(__dirname, '..', '..', '.tools', 'bin', 'temporal');
export const TEMPORAL_TEST_SERVER_PATH = resolve(__dirname, '..', '..', '.tools', 'bin', 'temporal-test-server');

export interface TestEnvOptions {
  /** The client's data converter (e.g. `dataConverterForKeys(keys)` to run with the codec on). */
  dataConverter?: DataConverter;
}

export interface DevEnvOptions extends TestEnvOptions {
  /** Register every applyflow search attribute (default); false for a plain server, as someone might start by hand. */
  searchAttributes?: boolean;
}

/**
 * Workers log every state change at INFO; tests keep WARN and up (TEST_LOG_LEVEL=INFO to see everything).
 * Must run before the first connection creates the SDK runtime; later calls are no-ops.
 */
export function quietTemporalLogs(): void {
  try {
    const level = (process.env.TEST_LOG_LEVEL ?? 'WARN') as 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
    Runtime.install({ logger: new DefaultLogger(level) });
  } catch {
    // Already created by an earlier env or worker in this test file.
  }
}

function requireBinary(path: string): string {
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run tools\` (npm test does it first)`);
  return path;
}

/**
 * Starts a server binary whose output goes to a log file, not into the jest output: the SDK starts it with
 * the test process's stdout and stderr, so its banner and its own ERROR logs (e.g. `context canceled` at
 * teardown) would land between the test results. The binary is run through a small `exec` wrapper, so the
 * SDK still starts and stops the server itself. A start that fails shows the log's last lines in its error;
 * teardown removes the log unless TEST_SERVER_LOGS=keep (TEST_SERVER_LOGS=inherit: print as before).
 */
async function withServerLog(
  binary: string,
  start: (executable: string) => Promise<TestWorkflowEnvironment>,
): Promise<TestWorkflowEnvironment> {
  const mode = process.env.TEST_SERVER_LOGS;
  if (mode === 'inherit') return start(binary);
  const dir = mkdtempSync(join(tmpdir(), 'applyflow-server-'));
  const log = join(dir, 'server.log');
  const wrapper = join(dir, 'server.sh');
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  writeFileSync(wrapper, `#!/bin/sh\nexec ${quote(binary)} "$@" >>${quote(log)} 2>&1\n`);
  chmodSync(wrapper, 0o755);
  const removeLog = () => {
    if (mode !== 'keep') rmSync(dir, { recursive: true, force: true });
  };
  let env: TestWorkflowEnvironment;
  try {
    env = await start(wrapper);
  } catch (err) {
    const tail = existsSync(log) ? readFileSync(log, 'utf8').trimEnd().split('\n').slice(-20).join('\n') : '';
    rmSync(dir, { recursive: true, force: true });
    if (err instanceof Error && tail) err.message += `\n${binary} output (last lines):\n${tail}`;
    throw err;
  }
  const teardown = env.teardown.bind(env);
  env.teardown = async () => {
    try {
      await teardown();
    } finally {
      removeLog();
    }
  };
  return env;
}

/** `temporal server start-dev` (in memory, random port, headless) with every applyflow search attribute; its output in a log. */
export async function startDevEnv(opts: DevEnvOptions = {}): Promise<TestWorkflowEnvironment> {
  quietTemporalLogs();
  return withServerLog(requireBinary(TEMPORAL_CLI_PATH), (path) =>
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path },
        ip: '127.0.0.1',
        log: { format: 'pretty', level: 'error' },
        extraArgs: opts.searchAttributes === false ? [] : searchAttributeArgs(),
      },
      client: { dataConverter: opts.dataConverter },
    }),
  );
}

/** The Java time-skipping test server: timers fire as soon as the workflow is blocked on them. */
export async function startTimeSkippingEnv(opts: TestEnvOptions = {}): Promise<TestWorkflowEnvironment> {
  quietTemporalLogs();
  const env = await withServerLog(requireBinary(TEMPORAL_TEST_SERVER_PATH), (path) =>
    TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path } },
      client: { dataConverter: opts.dataConverter },
    }),
  );
  // The test server takes no --search-attribute flags and has no ListSearchAttributes, so register ours
  // directly; workflows that upsert them would fail otherwise.
  const { IndexedValueType } = temporal.api.enums.v1;
  const types = {
    Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    Int: IndexedValueType.INDEXED_VALUE_TYPE_INT,
    Double: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  };
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTE_DEFINITIONS.map((d) => [d.name, types[d.type]])),
  });
  return env;
}
