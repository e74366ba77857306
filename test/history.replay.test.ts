/**
 * Every history under test/histories/ (one per workflow type and per path that matters, recorded by
 * test/histories/record.ts on the commit named in each file) replays on the current workflows: a change
 * to a workflow's commands that running workflows would trip over fails here, in CI, before a deploy.
 * The control replays the same histories on workflows with one unguarded timer added, which must fail for
 * every one of them, so the check can tell.
 */
import { resolve } from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';
import { recordedHistories } from './support/histories';
import { quietTemporalLogs } from './support/temporal';
import { PRODUCT_WORKFLOWS_PATH } from './support/worker';

jest.setTimeout(180_000);

const recorded = recordedHistories();
const replayable = () => recorded.map(({ name, history }) => ({ workflowId: name, history }));

beforeAll(() => quietTemporalLogs());

test('the recorded paths cover every workflow type and the paths the architecture issue names', () => {
  const names = recorded.map((r) => r.name);
  expect(names).toEqual(
    expect.arrayContaining([
      'application.asked',
      'campaign.recurringContinuedAsNew',
      'interactiveSession.redirect',
      'feedSync.invalidCursor',
    ]),
  );
  for (const r of recorded)
    expect(r.history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name).toBe(r.fixture.workflowType);
});

test('every recorded history replays on the current workflows', async () => {
  const failed: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowsPath: PRODUCT_WORKFLOWS_PATH }, replayable())) {
    if (result.error) failed.push(`${result.workflowId}: ${String(result.error)}`);
  }
  expect(failed).toEqual([]);
});

test('control: on workflows with an unguarded extra command every history is a determinism violation', async () => {
  const outcomes: Record<string, string> = {};
  for await (const result of Worker.runReplayHistories({ workflowsPath: resolve(__dirname, 'workflows', 'unguarded.ts') }, replayable())) {
    outcomes[result.workflowId] = result.error instanceof DeterminismViolationError ? 'violation' : String(result.error ?? 'replayed');
  }
  expect(outcomes).toEqual(Object.fromEntries(recorded.map((r) => [r.name, 'violation'])));
});
