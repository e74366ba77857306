/**
 * Interactive-session histories recorded on commit 879a548, before answers were submitted as a local
 * activity (8849f72): multi-page forms answered by update, by signal, and a redirect chain; generated against
 * the sandbox and a dev server and stored as protobuf. They replay on the current workflow because that
 * change is behind patched('interactive-submit-local'): runs without the marker keep the regular activity.
 * Checked by hand: on the workflow without the marker (commit 3a38ca7) all three fail with a nondeterminism
 * error (ActivityTaskScheduled where the code now runs a local activity). The cost: a session started on
 * 8849f72..3a38ca7 (local activity, no marker) looks the same to workflow code and no longer replays; see
 * docs/interactiveSession.md, "Replay".
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { quietTemporalLogs } from './support/temporal';
import { PRODUCT_WORKFLOWS_PATH } from './support/worker';

jest.setTimeout(120_000);

const recorded = JSON.parse(readFileSync(resolve(__dirname, 'fixtures', 'interactiveSession.v1.histories.json'), 'utf8')) as Record<
  string,
  string
>;
const history = (name: string) => temporal.api.history.v1.History.decode(Buffer.from(recorded[name], 'base64'));

beforeAll(() => quietTemporalLogs());

test.each(Object.keys(recorded))('the %s session recorded before the local-activity submit replays', async (name) => {
  await Worker.runReplayHistory({ workflowsPath: PRODUCT_WORKFLOWS_PATH }, history(name));
});
