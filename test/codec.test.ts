import { randomBytes } from 'node:crypto';
import type { Payload } from '@temporalio/common';
import { defaultPayloadConverter } from '@temporalio/common';
import {
  CodecIntegrityError,
  dataConverterFor,
  ENCRYPTED_ENCODING,
  EncryptionCodec,
  KEY_ID_METADATA,
  UnknownCodecKeyError,
} from '../src/codec';
import { ConfigError, loadConfig, type CodecKey } from '../src/config';

const text = (b: Uint8Array | undefined) => Buffer.from(b ?? []).toString('utf8');
const key = (id: string): CodecKey => ({ id, key: randomBytes(32) });
const profile = { first_name: 'Ada', last_name: 'Lovelace', email: 'ada.lovelace@example.org' };
const toPayload = (v: unknown): Payload => defaultPayloadConverter.toPayload(v);

describe('EncryptionCodec', () => {
  const k1 = key('k1');
  const k2 = key('k2');

  it('round-trips payloads, keeping the original metadata and data', async () => {
    const codec = new EncryptionCodec([k1]);
    const originals = [toPayload(profile), toPayload(null), toPayload(new Uint8Array([0, 1, 2, 255])), toPayload('')];
    const decoded = await codec.decode(await codec.encode(originals));
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([profile, null, new Uint8Array([0, 1, 2, 255]), '']);
    expect(text(decoded[0].metadata?.encoding)).toBe('json/plain');
  });

  it('hides the content and marks the payload with its encoding and key id', async () => {
    const [enc] = await new EncryptionCodec([k1]).encode([toPayload(profile)]);
    expect(text(enc.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(enc.metadata?.[KEY_ID_METADATA])).toBe('k1');
    expect(Object.keys(enc.metadata ?? {}).sort()).toEqual(['encoding', KEY_ID_METADATA].sort());
    const raw = Buffer.from(enc.data!);
    expect(raw.includes('ada.lovelace')).toBe(false);
    expect(raw.includes('json/plain')).toBe(false); // the inner metadata is encrypted too
  });

  it('uses a fresh IV per payload', async () => {
    const codec = new EncryptionCodec([k1]);
    const [a, b] = await codec.encode([toPayload(profile), toPayload(profile)]);
    expect(Buffer.from(a.data!).equals(Buffer.from(b.data!))).toBe(false);
  });

  it('rotates keys: the first key encrypts, older keys still decrypt', async () => {
    const before = new EncryptionCodec([k1]);
    const after = new EncryptionCodec([k2, k1]);
    const old = await before.encode([toPayload(profile)]);
    expect(defaultPayloadConverter.fromPayload((await after.decode(old))[0])).toEqual(profile);
    const fresh = await after.encode([toPayload(profile)]);
    expect(text(fresh[0].metadata?.[KEY_ID_METADATA])).toBe('k2');
    // Once the old key is dropped, its payloads fail with a message naming the key id and the variable.
    const dropped = new EncryptionCodec([k2]);
    await expect(dropped.decode(old)).rejects.toThrow(UnknownCodecKeyError);
    await expect(dropped.decode(old)).rejects.toThrow(/"k1".*APPLYFLOW_CODEC_KEYS/);
  });

  it('rejects tampered ciphertext, IV and tag', async () => {
    const codec = new EncryptionCodec([k1]);
    const [enc] = await codec.encode([toPayload(profile)]);
    const n = enc.data!.length;
    for (const index of [0 /* IV */, 20 /* ciphertext */, n - 1 /* tag */]) {
      const data = Uint8Array.from(enc.data!);
      data[index] ^= 0x01;
      await expect(codec.decode([{ ...enc, data }])).rejects.toThrow(CodecIntegrityError);
    }
    await expect(codec.decode([{ ...enc, data: enc.data!.subarray(0, 20) }])).rejects.toThrow(CodecIntegrityError);
  });

  it('rejects a payload relabelled with another known key id', async () => {
    const codec = new EncryptionCodec([k1, k2]);
    const [enc] = await codec.encode([toPayload(profile)]);
    const relabelled = { ...enc, metadata: { ...enc.metadata, [KEY_ID_METADATA]: Buffer.from('k2') } };
    await expect(codec.decode([relabelled])).rejects.toThrow(CodecIntegrityError);
  });

  it('rejects a key that is not the one used (same id, different bytes)', async () => {
    const [enc] = await new EncryptionCodec([k1]).encode([toPayload(profile)]);
    await expect(new EncryptionCodec([key('k1')]).decode([enc])).rejects.toThrow(CodecIntegrityError);
  });

  it('passes through payloads written before the codec was on', async () => {
    const plain = toPayload(profile);
    const [out] = await new EncryptionCodec([k1]).decode([plain]);
    expect(out).toBe(plain);
  });

  it('refuses bad key sets', () => {
    expect(() => new EncryptionCodec([])).toThrow(TypeError);
    expect(() => new EncryptionCodec([{ id: 'short', key: randomBytes(16) }])).toThrow(/32 bytes/);
    expect(() => new EncryptionCodec([k1, { id: 'k1', key: randomBytes(32) }])).toThrow(/unique/);
  });
});

describe('dataConverterFor', () => {
  const b64 = () => randomBytes(32).toString('base64');

  it('is the default converter with APPLYFLOW_CODEC=off (without it and without keys: see codec.default.test.ts)', () => {
    expect(dataConverterFor(loadConfig({ APPLYFLOW_CODEC: 'off' }))).toEqual({});
  });

  it('encrypts payloads and failures when APPLYFLOW_CODEC_KEYS is set, first key first', async () => {
    const config = loadConfig({ APPLYFLOW_CODEC_KEYS: `new:${b64()},old:${b64()}` });
    expect(config.codecKeys.map((k) => k.id)).toEqual(['new', 'old']);
    const dc = dataConverterFor(config);
    expect(dc.payloadCodecs).toHaveLength(1);
    expect(dc.failureConverterPath).toMatch(/failureConverter/);
    const [enc] = await dc.payloadCodecs![0].encode([toPayload(profile)]);
    expect(text(enc.metadata?.[KEY_ID_METADATA])).toBe('new');
    // Loaded by path, as the worker loads it.
    const { failureConverter } = (await import(dc.failureConverterPath!)) as {
      failureConverter: { options: { encodeCommonAttributes: boolean } };
    };
    expect(failureConverter.options.encodeCommonAttributes).toBe(true);
  });

  it('names APPLYFLOW_CODEC_KEYS for a malformed key', () => {
    for (const bad of ['nokey', `:${b64()}`, `k1:${randomBytes(16).toString('base64')}`, `bad id!:${b64()}`]) {
      let err: unknown;
      try {
        loadConfig({ APPLYFLOW_CODEC_KEYS: bad });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems.map((p) => p.variable)).toEqual(['APPLYFLOW_CODEC_KEYS']);
    }
  });
});
