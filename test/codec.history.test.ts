/**
 * Proof for the payload codec on a real dev server: with the codec on, a candidate's email never reaches the
 * server in plain text (neither in the workflow's input/result nor in a failure message), so an exported
 * history does not contain it; with the codec off (the control) the same check finds it.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client, WorkflowFailedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { dataConverterForKeys, ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../src/codec';
import type { CodecKey } from '../src/config';
import { startDevEnv, TEMPORAL_CLI_PATH } from './support/temporal';
import { createTestWorker } from './support/worker';
import type { CandidateInput } from './workflows';

const WORKFLOWS = resolve(__dirname, 'workflows', 'index.ts');
const keys: CodecKey[] = [{ id: 'test-2024', key: randomBytes(32) }];
const exec = promisify(execFile);

let env: TestWorkflowEnvironment;
const workers: Worker[] = [];
const running: Promise<void>[] = [];
const clients: Record<'on' | 'off', Client> = {} as never;

beforeAll(async () => {
  env = await startDevEnv();
  for (const mode of ['on', 'off'] as const) {
    const codecKeys = mode === 'on' ? keys : [];
    clients[mode] = new Client({ connection: env.connection, namespace: 'default', dataConverter: dataConverterForKeys(codecKeys) });
    const worker = await createTestWorker(env, { taskQueue: `codec-${mode}`, workflowsPath: WORKFLOWS, codecKeys });
    workers.push(worker);
    running.push(worker.run());
  }
});

afterAll(async () => {
  for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
  await Promise.all(running);
  await env?.teardown();
});

function input(tag: string, reject = false): CandidateInput {
  return {
    profile: { first_name: 'Grace', last_name: 'Hopper', email: `grace.${tag}@navy.example.mil`, phone: '+1 555 0100' },
    jobUrl: 'https://boards.greenhouse.io/acme/jobs/123',
    reject,
  };
}

/** JSON as an export tool writes it: bytes as base64 (historyToJSON trips over jest's module registry). */
function toJson(history: unknown): string {
  return JSON.stringify(history, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v));
}

/**
 * What a person reading an export sees: the JSON plus every payload's base64 `data` decoded, since base64 is
 * an encoding, not protection.
 */
function readable(json: string): string {
  const decoded: string[] = [];
  JSON.parse(json, (k, v) => {
    if (k === 'data' && typeof v === 'string') decoded.push(Buffer.from(v, 'base64').toString('utf8'));
    return v;
  });
  expect(decoded.length).toBeGreaterThan(0); // the export really carries payloads
  return `${json}\n${decoded.join('\n')}`;
}

/** The history as the server stores and exports it: protobuf bytes and the `temporal workflow show` JSON. */
async function exported(workflowId: string) {
  const history = await clients.off.workflow.getHandle(workflowId).fetchHistory();
  const protoBytes = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
  const { stdout: cliJson } = await exec(TEMPORAL_CLI_PATH, [
    'workflow',
    'show',
    '--workflow-id',
    workflowId,
    '--address',
    env.address,
    '--namespace',
    'default',
    '--output',
    'json',
  ]);
  return { history, protoBytes, cliJson: readable(cliJson), sdkJson: readable(toJson(history)) };
}

async function run(mode: 'on' | 'off', reject: boolean) {
  const tag = `${mode}-${reject ? 'reject' : 'ok'}-${Date.now()}`;
  const arg = input(tag, reject);
  const workflowId = `codec-proof/${tag}`;
  const handle = await clients[mode].workflow.start('candidateEcho', { taskQueue: `codec-${mode}`, workflowId, args: [arg] });
  const outcome = await handle.result().then(
    (r: { applicant: string }) => r.applicant,
    (err: unknown) => {
      if (err instanceof WorkflowFailedError) return String(err.cause?.message);
      throw err;
    },
  );
  return { email: arg.profile.email, outcome, ...(await exported(workflowId)) };
}

describe('payload codec in workflow history', () => {
  it('with the codec on, the email is not in the history, yet the workflow saw it', async () => {
    const r = await run('on', false);
    // The workflow got the decrypted profile and the client decrypted the result.
    expect(r.outcome).toBe(`Grace Hopper <${r.email}>`);
    expect(r.protoBytes.includes(r.email)).toBe(false);
    expect(r.protoBytes.includes('Hopper')).toBe(false);
    expect(r.cliJson).not.toContain(r.email);
    // Every payload the server holds is ours: encrypted under the current key id.
    const started = r.history.events!.find((e) => e.workflowExecutionStartedEventAttributes)!;
    const payload = started.workflowExecutionStartedEventAttributes!.input!.payloads![0];
    expect(Buffer.from(payload.metadata!.encoding).toString()).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(payload.metadata![KEY_ID_METADATA]).toString()).toBe('test-2024');
  });

  it('with the codec on, a failure message quoting the email is encrypted too', async () => {
    const r = await run('on', true);
    expect(r.outcome).toContain(r.email); // decoded for the client
    expect(r.protoBytes.includes(r.email)).toBe(false);
    expect(r.cliJson).not.toContain(r.email);
    expect(r.sdkJson).not.toContain(r.email);
  });

  it('control: with the codec off the same checks find the email in plain text', async () => {
    const ok = await run('off', false);
    expect(ok.outcome).toBe(`Grace Hopper <${ok.email}>`);
    expect(ok.protoBytes.includes(ok.email)).toBe(true);
    expect(ok.cliJson).toContain(ok.email);
    const failed = await run('off', true);
    expect(failed.protoBytes.includes(failed.email)).toBe(true);
    expect(failed.cliJson).toContain(failed.email);
    expect(failed.sdkJson).toContain(failed.email); // failure messages are plain strings without the codec
  });
});
