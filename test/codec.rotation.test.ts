/**
 * Key rotation across running workflows, on a real dev server with the product's campaign workflow: a
 * recurring campaign started under key k1 keeps running after every worker and client switch to [k2, k1]
 * (k2 encrypts, k1 still decrypts its history), takes signals and answers queries, and its history ends up
 * with payloads under both key ids. Without k1, its old payloads cannot be read (the reason k1 stays listed).
 */
import { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { randomBytes } from 'node:crypto';
import type { Worker } from '@temporalio/worker';
import type { CampaignActivities } from '../src/campaign/activities';
import { createAutopilotRecurring, getCampaign, pauseCampaign, stopCampaign } from '../src/campaign/client';
import { dataConverterForKeys, EncryptionCodec, KEY_ID_METADATA, UnknownCodecKeyError } from '../src/codec';
import type { CodecKey } from '../src/config';
import { startDevEnv } from './support/temporal';
import { createTestWorker } from './support/worker';
import { waitFor } from './support/waitFor';

const taskQueue = 'codec-rotation';
const k1: CodecKey = { id: 'k1', key: randomBytes(32) };
const k2: CodecKey = { id: 'k2', key: randomBytes(32) };
const PROFILE = '5d1f2b9e-3c4a-4e6b-8f70-112233445566';
const noJobs: CampaignActivities = {
  searchCampaignJobs: async () => [],
  campaignCandidateEmail: async () => 'rotation.candidate@example.org',
  campaignApplicationOutcome: async () => null,
};

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await startDevEnv();
}, 120_000);
afterAll(async () => env?.teardown());

async function withWorker<T>(keys: CodecKey[], fn: (client: Client) => Promise<T>): Promise<T> {
  const worker: Worker = await createTestWorker(env, { taskQueue, activities: noJobs, codecKeys: keys });
  const client = new Client({ connection: env.connection, namespace: 'default', dataConverter: dataConverterForKeys(keys) });
  return worker.runUntil(() => fn(client));
}

const keyIds = (payloads: (Payload | null | undefined)[]) =>
  payloads.filter(Boolean).map((p) => Buffer.from(p!.metadata![KEY_ID_METADATA]).toString());

test('a campaign started under k1 keeps running, and reads and takes signals, after rotating to [k2, k1]', async () => {
  const created = await withWorker([k1], async (client) => {
    const c = await createAutopilotRecurring(
      client,
      {
        candidateProfileId: PROFILE,
        schedule: { pattern: 'weekly', daysOfWeek: ['monday'], time: '09:00', timezone: 'UTC' },
        filters: { jobTitle: 'Engineer' },
      },
      { taskQueue },
    );
    await waitFor('the campaign to be active', async () => (await getCampaign(client, c.campaignId)).status === 'active');
    return c;
  });

  // New worker and client: k2 first. The old worker is gone, so the campaign's history (under k1) is
  // replayed by the new one.
  await withWorker([k2, k1], async (client) => {
    expect((await getCampaign(client, created.campaignId)).candidateProfileId).toBe(PROFILE);
    await pauseCampaign(client, created.campaignId);
    await waitFor('the pause to apply', async () => (await getCampaign(client, created.campaignId)).status === 'paused');
    await stopCampaign(client, created.campaignId);
    await waitFor('the stop to apply', async () => (await getCampaign(client, created.campaignId)).status === 'cancelled');

    const history = await client.workflow.getHandle(created.workflowId).fetchHistory();
    const events = history.events ?? [];
    const started = events.find((e) => e.workflowExecutionStartedEventAttributes)!.workflowExecutionStartedEventAttributes!;
    const signals = events
      .filter((e) => e.workflowExecutionSignaledEventAttributes)
      .flatMap((e) => e.workflowExecutionSignaledEventAttributes!.input?.payloads ?? []);
    const completions = events.filter((e) => e.workflowTaskCompletedEventAttributes);
    expect(keyIds(started.input!.payloads!)).toEqual(['k1']);
    // Signals without arguments carry no payload; the later commands (markers, results, upserts) do.
    const later = events
      .slice(events.findIndex((e) => e.workflowExecutionSignaledEventAttributes))
      .flatMap((e) => [
        ...(e.workflowExecutionCompletedEventAttributes?.result?.payloads ?? []),
        ...(e.markerRecordedEventAttributes
          ? Object.values(e.markerRecordedEventAttributes.details ?? {}).flatMap((d) => d.payloads ?? [])
          : []),
        ...(e.activityTaskScheduledEventAttributes?.input?.payloads ?? []),
        ...signals,
      ]);
    expect(completions.length).toBeGreaterThan(0);
    expect(new Set(keyIds(later))).toEqual(new Set(['k2']));

    // Without k1 in the list, the campaign's own input is unreadable: why retired keys stay listed.
    await expect(new EncryptionCodec([k2]).decode(started.input!.payloads!)).rejects.toThrow(UnknownCodecKeyError);
    await expect(new EncryptionCodec([k2, k1]).decode(started.input!.payloads!)).resolves.toHaveLength(1);
  });
}, 180_000);
