/**
 * A worker on a test environment's connection with the project's workflows and data converter. Run it with
 * `await worker.runUntil(async () => { ... })` so it always shuts down.
 */
import { resolve } from 'node:path';
import type { DataConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkerOptions } from '@temporalio/worker';
import { dataConverterForKeys } from '../../src/codec';
import type { CodecKey } from '../../src/config';

export const PRODUCT_WORKFLOWS_PATH = resolve(__dirname, '..', '..', 'src', 'workflows.ts');

export interface TestWorkerOptions extends Partial<
  Omit<WorkerOptions, 'connection' | 'namespace' | 'taskQueue' | 'workflowsPath' | 'workflowBundle'>
> {
  taskQueue: string;
  /** Default: src/workflows.ts. A test may bring its own tiny workflows (test/workflows/). */
  workflowsPath?: string;
  /** The codec keys to run with (the project's data converter for them); default: codec off. */
  codecKeys?: CodecKey[];
  /** Overrides codecKeys with a converter of your own (e.g. a deliberately broken codec). */
  dataConverter?: DataConverter;
}

// Bundling takes seconds on a shared machine; reuse one bundle per test file and workflows/converter pair.
const bundles = new Map<string, ReturnType<typeof bundleWorkflowCode>>();

function bundleFor(workflowsPath: string, dataConverter: DataConverter) {
  const key = `${workflowsPath}|${dataConverter.payloadConverterPath ?? ''}|${dataConverter.failureConverterPath ?? ''}`;
  let bundle = bundles.get(key);
  if (!bundle) {
    bundle = bundleWorkflowCode({
      workflowsPath,
      payloadConverterPath: dataConverter.payloadConverterPath,
      failureConverterPath: dataConverter.failureConverterPath,
      logger: {
        log: () => undefined,
        trace: () => undefined,
        debug: () => undefined,
        info: () => undefined,
        warn: console.warn,
        error: console.error,
      },
    });
    bundles.set(key, bundle);
  }
  return bundle;
}

export async function createTestWorker(env: TestWorkflowEnvironment, opts: TestWorkerOptions): Promise<Worker> {
  const { taskQueue, workflowsPath = PRODUCT_WORKFLOWS_PATH, codecKeys = [], dataConverter, ...rest } = opts;
  const converter = dataConverter ?? dataConverterForKeys(codecKeys);
  return Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: await bundleFor(workflowsPath, converter),
    dataConverter: converter,
    ...rest,
  });
}
