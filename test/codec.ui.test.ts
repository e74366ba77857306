/**
 * The real Temporal UI in headless Chromium (Debian's package, installed by test/support/chromium.ts) with
 * the codec on: the dev server is started as the main job starts it (`--ui-codec-endpoint` at our codec
 * server), a campaign's workflow page is loaded, and its decoded input text is in the page, while the
 * stored history holds only ciphertext.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { CampaignActivities } from '../src/campaign/activities';
import { createAutopilotRecurring, getCampaign } from '../src/campaign/client';
import { dataConverterForKeys } from '../src/codec';
import { startCodecServer, type RunningCodecServer } from '../src/codec/server';
import type { CodecKey } from '../src/config';
import { startOrReuseDevServer, type DevServer } from '../src/devServer';
import { ensureChromium, loadPage } from './support/chromium';
import { quietTemporalLogs, TEMPORAL_CLI_PATH } from './support/temporal';
import { waitFor } from './support/waitFor';

const exec = promisify(execFile);
const keys: CodecKey[] = [{ id: 'ui-k1', key: randomBytes(32) }];
const TITLE = 'Principal Lighthouse Keeper';
const taskQueue = 'codec-ui';
const noJobs: CampaignActivities = {
  searchCampaignJobs: async () => [],
  campaignCandidateEmail: async () => null,
  campaignApplicationOutcome: async () => null,
};

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

let chromium: string;
let dir: string;
let codec: RunningCodecServer | undefined;
let dev: DevServer | undefined;
let worker: Worker | undefined;
let running: Promise<void> | undefined;
let connection: Connection | undefined;
let client: Client;

beforeAll(async () => {
  quietTemporalLogs();
  chromium = ensureChromium();
  dir = mkdtempSync(join(tmpdir(), 'applyflow-codec-ui-'));
  const [port, uiPort] = [await freePort(), await freePort()];
  codec = await startCodecServer(keys, { host: '127.0.0.1', port: 0, uiPort, tokens: [] });
  dev = await startOrReuseDevServer({
    host: '127.0.0.1',
    port,
    uiPort,
    namespace: 'default',
    dbFilename: join(dir, 'temporal.sqlite'),
    logFile: join(dir, 'temporal.log'),
    uiCodecEndpoint: codec.endpoint,
    readyTimeoutMs: 120_000,
  });
  const dataConverter = dataConverterForKeys(keys);
  worker = await Worker.create({
    connection: await NativeConnection.connect({ address: dev.address }),
    taskQueue,
    workflowsPath: require.resolve('../src/workflows'),
    activities: noJobs,
    dataConverter,
  });
  running = worker.run();
  connection = await Connection.connect({ address: dev.address });
  client = new Client({ connection, dataConverter });
}, 300_000);

afterAll(async () => {
  worker?.shutdown();
  await running;
  await connection?.close();
  await dev?.stop();
  await codec?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("a campaign's page in the Temporal UI shows its input decoded; the server holds ciphertext", async () => {
  const created = await createAutopilotRecurring(
    client,
    {
      candidateProfileId: '7e4c2a10-5b3d-4f6e-9a8b-0c1d2e3f4a5b',
      schedule: { pattern: 'weekly', daysOfWeek: ['monday'], time: '09:00', timezone: 'UTC' },
      filters: { jobTitle: TITLE, location: ['Portland, ME'] },
    },
    { taskQueue },
  );
  await waitFor('the campaign to be active', async () => (await getCampaign(client, created.campaignId)).status === 'active');
  const runId = (await created.handle.describe()).runId;

  // Control: what the server stores (and exports) does not have the text, even with base64 decoded.
  const { stdout } = await exec(TEMPORAL_CLI_PATH, [
    'workflow',
    'show',
    '--workflow-id',
    created.workflowId,
    '--address',
    dev!.address,
    '-o',
    'json',
  ]);
  const decoded: string[] = [];
  JSON.parse(stdout, (k, v) => (k === 'data' && typeof v === 'string' && decoded.push(Buffer.from(v, 'base64').toString('utf8')), v));
  expect(`${stdout}\n${decoded.join('\n')}`).not.toContain(TITLE);

  const page = `${dev!.uiUrl}/namespaces/default/workflows/${encodeURIComponent(created.workflowId)}/${runId}/history`;
  const { text, screenshot } = await loadPage(chromium, page, (t) => t.includes(TITLE), 90_000);
  if (process.env.UI_SCREENSHOT) writeFileSync(process.env.UI_SCREENSHOT, screenshot);
  expect(text).toContain(created.workflowId); // the page really is the campaign's
  expect(text).toContain(TITLE); // decoded by the UI through the codec server
  expect(text).toContain('Portland, ME');
}, 300_000);
