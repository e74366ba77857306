/**
 * Private by default: the main job's key file (made once, 0600, reused), and every other entry point
 * (worker, API, CLI) refusing to start without APPLYFLOW_CODEC_KEYS unless APPLYFLOW_CODEC=off, run as
 * real processes, before they connect to anything.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { dataConverterFor } from '../src/codec';
import { CODEC_KEY_FILE, mainCodec } from '../src/codec/keyFile';
import { ConfigError, loadConfig } from '../src/config';

const exec = promisify(execFile);
const root = resolve(__dirname, '..');
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'applyflow-codec-default-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('no ConfigError');
}

describe('the main job’s key', () => {
  test('made on first start (32 random bytes, 0600, the APPLYFLOW_CODEC_KEYS format) and reused after', () => {
    const dir = tempDir();
    const first = mainCodec(loadConfig({ APPLYFLOW_DATA_DIR: dir }));
    const path = join(dir, CODEC_KEY_FILE);
    expect([first.source, first.path]).toEqual(['created', path]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const [key] = first.config.codecKeys;
    expect(key.key).toHaveLength(32);
    expect(key.id).toMatch(/^local-[0-9a-f]{8}$/);
    // The file is a valid APPLYFLOW_CODEC_KEYS value for the other entry points.
    const text = readFileSync(path, 'utf8').trim();
    expect(loadConfig({ APPLYFLOW_CODEC_KEYS: text }).codecKeys).toEqual([key]);

    const again = mainCodec(loadConfig({ APPLYFLOW_DATA_DIR: dir }));
    expect(again.source).toBe('reused');
    expect(again.config.codecKeys).toEqual([key]);
    // Another data folder, another key.
    expect(mainCodec(loadConfig({ APPLYFLOW_DATA_DIR: tempDir() })).config.codecKeys[0].key.equals(key.key)).toBe(false);
  });

  test('configured keys and APPLYFLOW_CODEC=off write no file', () => {
    const dir = tempDir();
    const keys = `k1:${Buffer.alloc(32, 7).toString('base64')}`;
    expect(mainCodec(loadConfig({ APPLYFLOW_DATA_DIR: dir, APPLYFLOW_CODEC_KEYS: keys })).source).toBe('APPLYFLOW_CODEC_KEYS');
    const off = mainCodec(loadConfig({ APPLYFLOW_DATA_DIR: dir, APPLYFLOW_CODEC: 'off' }));
    expect([off.source, off.config.codecKeys]).toEqual(['off', []]);
    expect(() => statSync(join(dir, CODEC_KEY_FILE))).toThrow();
  });

  test('a key file others can read, or one that is not a key, is refused naming the data folder', () => {
    const dir = tempDir();
    mainCodec(loadConfig({ APPLYFLOW_DATA_DIR: dir }));
    chmodSync(join(dir, CODEC_KEY_FILE), 0o644);
    const open = configError(() => mainCodec(loadConfig({ APPLYFLOW_DATA_DIR: dir })));
    expect(open.problems).toEqual([{ variable: 'APPLYFLOW_DATA_DIR', message: expect.stringContaining('chmod 600') }]);
    const bad = tempDir();
    writeFileSync(join(bad, CODEC_KEY_FILE), 'not a key\n', { mode: 0o600 });
    expect(configError(() => mainCodec(loadConfig({ APPLYFLOW_DATA_DIR: bad }))).message).toContain('is not a codec key file');
  });
});

describe('without keys, only an explicit APPLYFLOW_CODEC=off runs in plain text', () => {
  test('dataConverterFor refuses an undecided configuration and names both ways out', () => {
    const err = configError(() => dataConverterFor(loadConfig({ APPLYFLOW_DATA_DIR: '/srv/af' })));
    expect(err.problems.map((p) => p.variable)).toEqual(['APPLYFLOW_CODEC_KEYS']);
    expect(err.message).toContain('APPLYFLOW_CODEC_KEYS=$(cat /srv/af/codec.key)');
    expect(err.message).toContain('APPLYFLOW_CODEC=off');
    expect(dataConverterFor(loadConfig({ APPLYFLOW_CODEC: 'off' }))).toEqual({});
    expect(
      configError(() => loadConfig({ APPLYFLOW_CODEC: 'off', APPLYFLOW_CODEC_KEYS: `k:${Buffer.alloc(32).toString('base64')}` }))
        .problems[0].variable,
    ).toBe('APPLYFLOW_CODEC');
  });

  // A port that accepts connections and counts them: a refusing entry point must not even connect.
  let listener: Server;
  let connections = 0;
  let address: string;
  beforeAll(async () => {
    listener = createServer((s) => (connections++, s.destroy()));
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    address = `127.0.0.1:${(listener.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => listener.close(() => r())));

  test.each([
    ['worker', ['src/worker.ts']],
    ['API', ['src/api/main.ts']],
    ['CLI', ['src/cli/index.ts', 'campaign', 'list']],
  ])('the %s exits 2 naming APPLYFLOW_CODEC_KEYS, connecting to nothing', async (_name, args) => {
    const env = {
      PATH: process.env.PATH ?? '',
      TEMPORAL_ADDRESS: address,
      JOBO_BASE_URL: `http://${address}`,
      JOBO_API_KEY: 'k',
      APPLYFLOW_API_KEYS: 'alice:af_0123456789abcdef',
      APPLYFLOW_DATA_DIR: tempDir(),
    };
    const r = await exec(process.execPath, ['-r', 'ts-node/register/transpile-only', ...args], { cwd: root, env, timeout: 60_000 }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('APPLYFLOW_CODEC_KEYS: required (payloads are encrypted by default)');
    expect(connections).toBe(0);
  });
});
