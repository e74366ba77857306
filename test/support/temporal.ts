/**
 * Real Temporal for tests, from the binaries scripts/install-tools.mjs put in .tools/bin (nothing is
 * downloaded at test time). Always `await env.teardown()` in afterAll.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
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

/** `temporal server start-dev` (in memory, random port, headless) with every applyflow search attribute. */
export async function startDevEnv(opts: TestEnvOptions = {}): Promise<TestWorkflowEnvironment> {
  quietTemporalLogs();
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: requireBinary(TEMPORAL_CLI_PATH) },
      ip: '127.0.0.1',
      log: { format: 'pretty', level: 'error' },
      extraArgs: searchAttributeArgs(),
    },
    client: { dataConverter: opts.dataConverter },
  });
}

/** The Java time-skipping test server: timers fire as soon as the workflow is blocked on them. */
export async function startTimeSkippingEnv(opts: TestEnvOptions = {}): Promise<TestWorkflowEnvironment> {
  quietTemporalLogs();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: requireBinary(TEMPORAL_TEST_SERVER_PATH) } },
    client: { dataConverter: opts.dataConverter },
  });
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
