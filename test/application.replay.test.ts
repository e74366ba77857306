/**
 * Application and campaign histories recorded with the code before job keys (issue 12: a submitted
 * application, a FAILED one, a run-once campaign whose list named one job twice; generated against the
 * sandbox on commit 1364d1a and stored as protobuf) replay on the current workflows: every change to
 * their commands since is behind patched('never-twice-by-job') / patched('campaign-job-keys').
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { quietTemporalLogs } from './support/temporal';
import { PRODUCT_WORKFLOWS_PATH } from './support/worker';

jest.setTimeout(120_000);

const load = (file: string) => JSON.parse(readFileSync(resolve(__dirname, 'fixtures', file), 'utf8')) as Record<string, string>;
const decode = (b64: string) => temporal.api.history.v1.History.decode(Buffer.from(b64, 'base64'));
const applications = load('application.v1.histories.json');
const campaigns = load('campaign.v1.histories.json');

beforeAll(() => quietTemporalLogs());

test.each(Object.keys(applications))('the %s application recorded before job keys replays on the current workflow', async (name) => {
  await Worker.runReplayHistory({ workflowsPath: PRODUCT_WORKFLOWS_PATH }, decode(applications[name]));
});

test.each(Object.keys(campaigns))('the %s campaign recorded before job keys replays on the current workflow', async (name) => {
  await Worker.runReplayHistory({ workflowsPath: PRODUCT_WORKFLOWS_PATH }, decode(campaigns[name]));
});
