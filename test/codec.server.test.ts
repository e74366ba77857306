/**
 * The codec server as Temporal's own tools use it: over real HTTP (encode/decode, access, CORS for the UI
 * origin), and with the real `temporal` CLI's `--codec-endpoint` reading an encrypted workflow's history
 * in clear from a real dev server.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { dataConverterForKeys, EncryptionCodec, ENCRYPTED_ENCODING } from '../src/codec';
import { buildCodecServer } from '../src/codec/server';
import type { CodecKey } from '../src/config';
import { startDevEnv, TEMPORAL_CLI_PATH } from './support/temporal';
import { createTestWorker } from './support/worker';

const exec = promisify(execFile);
const keys: CodecKey[] = [
  { id: 'k2', key: randomBytes(32) },
  { id: 'k1', key: randomBytes(32) },
];
const TOKEN = 'af_codec_token_0123456789abcdef';
const SECRET = 'Zx9secret_path_0123456789';
const UI = 'http://127.0.0.1:8233';
const b64 = (s: string) => Buffer.from(s).toString('base64');

let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  app = await buildCodecServer({ keys, origins: [UI], tokens: [TOKEN], pathSecret: SECRET });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});
afterAll(async () => app?.close());

async function post(path: string, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const plain = { metadata: { encoding: b64('json/plain') }, data: b64(JSON.stringify({ email: 'grace@navy.example.mil' })) };

describe('over HTTP', () => {
  test('encode then decode is the original payload; the encoded one is ours (encrypted under the first key)', async () => {
    const enc = await post('/encode', { payloads: [plain] });
    expect(enc.status).toBe(200);
    const [encrypted] = enc.body.payloads;
    expect(Buffer.from(encrypted.metadata.encoding, 'base64').toString()).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(encrypted.metadata['encryption-key-id'], 'base64').toString()).toBe('k2');
    expect(Buffer.from(encrypted.data, 'base64').toString('latin1')).not.toContain('grace');
    const dec = await post('/decode', { payloads: [encrypted] });
    expect(dec.body.payloads).toEqual([plain]);
    // What the worker wrote under the older key decodes too, and plain payloads pass through.
    const [old] = await new EncryptionCodec([keys[1]]).encode([defaultPayloadConverter.toPayload('from k1')]);
    const both = await post('/decode', {
      payloads: [
        {
          metadata: { encoding: b64(ENCRYPTED_ENCODING), 'encryption-key-id': b64('k1') },
          data: Buffer.from(old.data!).toString('base64'),
        },
        plain,
      ],
    });
    expect(Buffer.from(both.body.payloads[0].data, 'base64').toString()).toBe('"from k1"');
    expect(both.body.payloads[1]).toEqual(plain);
  });

  test('access: a token, or the secret path; 401 otherwise', async () => {
    expect((await post('/decode', { payloads: [] }, {})).status).toBe(401);
    expect((await post('/decode', { payloads: [] }, { authorization: 'Bearer af_not_the_token_000000000' })).status).toBe(401);
    const viaSecret = await post(`/${SECRET}/decode`, { payloads: [plain] }, {});
    expect([viaSecret.status, viaSecret.body.payloads]).toEqual([200, [plain]]);
    expect((await post(`/not-the-secret/decode`, { payloads: [plain] }, {})).status).toBe(404);
  });

  test('CORS for the UI origin only: preflight and response headers', async () => {
    const preflight = (origin: string) =>
      fetch(`${base}/${SECRET}/decode`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
      });
    const ok = await preflight(UI);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(UI);
    expect(ok.headers.get('access-control-allow-headers')).toContain('x-namespace');
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
    const res = await post(`/${SECRET}/decode`, { payloads: [plain] }, { origin: UI, 'x-namespace': 'default' });
    expect(res.headers.get('access-control-allow-origin')).toBe(UI);
  });

  test('bad bodies are 400, a payload under an unknown key id is 422 naming the key id only', async () => {
    expect((await post('/decode', { nope: 1 })).status).toBe(400);
    expect((await post('/decode', { payloads: [{ metadata: { encoding: 7 } }] })).status).toBe(400);
    const unknown = await post('/decode', {
      payloads: [{ metadata: { encoding: b64(ENCRYPTED_ENCODING), 'encryption-key-id': b64('k0') }, data: b64('x'.repeat(40)) }],
    });
    expect([unknown.status, unknown.body.error]).toEqual([422, 'codec_error']);
    expect(unknown.body.message).toContain('"k0"');
  });
});

describe('with the temporal CLI', () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  beforeAll(async () => {
    env = await startDevEnv();
    worker = await createTestWorker(env, {
      taskQueue: 'codec-server',
      workflowsPath: resolve(__dirname, 'workflows', 'index.ts'),
      codecKeys: keys,
    });
    running = worker.run();
  }, 120_000);
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  test('`temporal workflow show --codec-endpoint` shows an encrypted workflow in clear; without it, ciphertext', async () => {
    const client = new Client({ connection: env.connection, namespace: 'default', dataConverter: dataConverterForKeys(keys) });
    const email = `ada.${Date.now()}@example.org`;
    const handle = await client.workflow.start('candidateEcho', {
      taskQueue: 'codec-server',
      workflowId: `codec-server/${Date.now()}`,
      args: [{ profile: { first_name: 'Ada', last_name: 'Lovelace', email }, jobUrl: 'https://boards.greenhouse.io/acme/jobs/1' }],
    });
    await handle.result();
    const show = (...extra: string[]) =>
      exec(TEMPORAL_CLI_PATH, [
        'workflow',
        'show',
        '--workflow-id',
        handle.workflowId,
        '--address',
        env.address,
        '--namespace',
        'default',
        '-o',
        'json',
        ...extra,
      ]).then((r) => {
        // The JSON keeps payload data base64: read it decoded, as a person would.
        const decoded: string[] = [];
        JSON.parse(
          r.stdout,
          (k, v) => (k === 'data' && typeof v === 'string' && decoded.push(Buffer.from(v, 'base64').toString('utf8')), v),
        );
        expect(decoded.length).toBeGreaterThan(0);
        return `${r.stdout}\n${decoded.join('\n')}`;
      });
    expect(await show()).not.toContain(email);
    expect(await show('--codec-endpoint', `${base}/${SECRET}`)).toContain(email);
    expect(await show('--codec-endpoint', base, '--codec-auth', `Bearer ${TOKEN}`)).toContain(email);
  });
});

describe('npm run codec-server (standalone, as docker-compose runs it)', () => {
  const root = resolve(__dirname, '..');
  const keyEnv = `${keys[0].id}:${keys[0].key.toString('base64')},${keys[1].id}:${keys[1].key.toString('base64')}`;
  const baseEnv = { PATH: process.env.PATH ?? '', APPLYFLOW_CODEC_SERVER_HOST: '127.0.0.1', APPLYFLOW_CODEC_SERVER_PORT: '0' };

  test('serves the secret path for the configured UI origin and stops on SIGTERM', async () => {
    const proc = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/codec/main.ts'], {
      cwd: root,
      env: {
        ...baseEnv,
        APPLYFLOW_CODEC_KEYS: keyEnv,
        APPLYFLOW_CODEC_SERVER_SECRET: SECRET,
        APPLYFLOW_CODEC_UI_ORIGINS: 'http://localhost:8080',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((res) => proc.once('exit', (code) => res(code)));
    try {
      const url = await new Promise<string>((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`no start line:\n${out}`)), 60_000);
        proc.stdout.on('data', () => {
          const m = /codec server on (http:\/\/\S+) for http:\/\/localhost:8080;/.exec(out);
          if (m) {
            clearTimeout(timer);
            res(m[1]);
          }
        });
      });
      expect(out).not.toContain(SECRET); // the secret is not printed
      const [encrypted] = await new EncryptionCodec([keys[1]]).encode([defaultPayloadConverter.toPayload('standalone')]);
      const res = await fetch(`${url}/${SECRET}/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'http://localhost:8080' },
        body: JSON.stringify({
          payloads: [
            {
              metadata: Object.fromEntries(Object.entries(encrypted.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
              data: Buffer.from(encrypted.data!).toString('base64'),
            },
          ],
        }),
      });
      expect([res.status, res.headers.get('access-control-allow-origin')]).toEqual([200, 'http://localhost:8080']);
      expect(Buffer.from(((await res.json()) as { payloads: { data: string }[] }).payloads[0].data, 'base64').toString()).toBe(
        '"standalone"',
      );
    } finally {
      proc.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  test.each([
    ['without keys', {}, 'APPLYFLOW_CODEC_KEYS'],
    ['with the codec off', { APPLYFLOW_CODEC: 'off' }, 'APPLYFLOW_CODEC'],
    ['with neither a secret nor API keys', { APPLYFLOW_CODEC_KEYS: keyEnv }, 'APPLYFLOW_CODEC_SERVER_SECRET'],
  ])('refuses to start %s (exit 2 naming the variable)', async (_what, env, variable) => {
    const r = await exec(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/codec/main.ts'], {
      cwd: root,
      env: { ...baseEnv, ...env },
      timeout: 60_000,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${variable}:`);
  });
});
