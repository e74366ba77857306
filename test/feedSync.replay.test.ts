/**
 * feedSync histories recorded with the code before issue 20 (one backfill run that continued-as-new, one
 * incremental run; generated against the sandbox and stored as protobuf) replay on the current workflow:
 * every change to its commands since is behind patched(). The control replays them on a copy with one
 * unguarded command added, which must fail, so the check can tell.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { temporal } from '@temporalio/proto';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';
import { quietTemporalLogs } from './support/temporal';
import { PRODUCT_WORKFLOWS_PATH } from './support/worker';

jest.setTimeout(120_000);

const recorded = JSON.parse(readFileSync(resolve(__dirname, 'fixtures', 'feedSync.v1.histories.json'), 'utf8')) as Record<string, string>;
const history = (name: string) => temporal.api.history.v1.History.decode(Buffer.from(recorded[name], 'base64'));

beforeAll(() => quietTemporalLogs());

test.each(['backfill', 'incremental'])('the %s run recorded before issue 20 replays on the current feedSync', async (name) => {
  await Worker.runReplayHistory({ workflowsPath: PRODUCT_WORKFLOWS_PATH }, history(name));
});

test('control: the same history on feedSync with an unguarded extra command is a determinism violation', async () => {
  const err = await Worker.runReplayHistory(
    { workflowsPath: resolve(__dirname, 'workflows', 'feedSyncUnguarded.ts') },
    history('backfill'),
  ).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(DeterminismViolationError);
});
