/**
 * The shared test support really starts both Temporal environments from .tools/bin and registers the
 * applyflow search attributes, so every other integration test can rely on it.
 */
import { resolve } from 'node:path';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../src/searchAttributes';
import { startDevEnv, startTimeSkippingEnv } from './support/temporal';
import { createTestWorker } from './support/worker';

const WORKFLOWS = resolve(__dirname, 'workflows', 'index.ts');

test('dev server: search attributes registered with their types, workflows run', async () => {
  const env = await startDevEnv();
  try {
    const { customAttributes } = await env.connection.operatorService.listSearchAttributes({ namespace: 'default' });
    const T = temporal.api.enums.v1.IndexedValueType;
    const typeNames: Record<number, string> = {
      [T.INDEXED_VALUE_TYPE_KEYWORD]: 'Keyword',
      [T.INDEXED_VALUE_TYPE_INT]: 'Int',
      [T.INDEXED_VALUE_TYPE_DOUBLE]: 'Double',
    };
    for (const def of SEARCH_ATTRIBUTE_DEFINITIONS) {
      expect([def.name, typeNames[Number(customAttributes?.[def.name])]]).toEqual([def.name, def.type]);
    }
    const worker = await createTestWorker(env, { taskQueue: 'env-dev', workflowsPath: WORKFLOWS });
    const result = await worker.runUntil(
      env.client.workflow.execute('candidateEcho', {
        taskQueue: 'env-dev',
        workflowId: 'env/dev',
        args: [{ profile: { first_name: 'A', last_name: 'B', email: 'a@b.example' }, jobUrl: 'https://x.example/j' }],
      }),
    );
    expect(result).toEqual({ applicant: 'A B <a@b.example>' });
  } finally {
    await env.teardown();
  }
});

test('time-skipping server: a one-day timer completes and simulated time moves a day', async () => {
  const env = await startTimeSkippingEnv();
  try {
    expect(env.supportsTimeSkipping).toBe(true);
    const worker = await createTestWorker(env, { taskQueue: 'env-ts', workflowsPath: WORKFLOWS });
    const before = await env.currentTimeMs();
    const result = await worker.runUntil(env.client.workflow.execute('sleepADay', { taskQueue: 'env-ts', workflowId: 'env/ts' }));
    expect(result).toBe('awake');
    expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(24 * 3600_000);
  } finally {
    await env.teardown();
  }
});
