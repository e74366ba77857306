/**
 * AES-256-GCM payload codec with key ids. Candidate PII (names, emails, answers) lives in workflow inputs and
 * results; this keeps it out of the Temporal server's database and of exported histories.
 *
 * Wire format (interoperable with the Temporal samples' encryption codec and any codec server):
 *   metadata: { encoding: "binary/encrypted", "encryption-key-id": <key id> }
 *   data:     12-byte IV || ciphertext || 16-byte GCM tag, where the plaintext is the whole original
 *             Payload serialised as protobuf (so its own metadata, e.g. encoding json/plain, is hidden too).
 * The key id is bound as additional authenticated data, so relabelling a payload with another key id fails.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { CodecKey } from '../config';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** A payload names a key id that no configured key has: add the old key back to APPLYFLOW_CODEC_KEYS. */
export class UnknownCodecKeyError extends Error {
  constructor(
    readonly keyId: string,
    known: string[],
  ) {
    super(
      `Payload is encrypted with codec key id "${keyId}", which is not in APPLYFLOW_CODEC_KEYS (known: ${
        known.join(', ') || 'none'
      }). Keep retired keys in the list (after the current one) until no history uses them.`,
    );
    this.name = 'UnknownCodecKeyError';
  }
}

/** Authentication failed: the payload was altered, truncated, or encrypted under a different key. */
export class CodecIntegrityError extends Error {
  constructor(
    readonly keyId: string,
    cause?: unknown,
  ) {
    super(`Encrypted payload (key id "${keyId}") failed authentication: it was tampered with or the key is wrong`);
    this.name = 'CodecIntegrityError';
    this.cause = cause;
  }
}

export class EncryptionCodec implements PayloadCodec {
  private readonly current: CodecKey;
  private readonly byId: Map<string, Buffer>;

  /** The first key encrypts; every key decrypts (rotation: prepend the new key, keep the old ones). */
  constructor(keys: CodecKey[]) {
    if (keys.length === 0) throw new TypeError('EncryptionCodec needs at least one key');
    for (const k of keys) {
      if (k.key.length !== 32) throw new TypeError(`codec key "${k.id}" must be 32 bytes (AES-256)`);
    }
    this.current = keys[0];
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
    if (this.byId.size !== keys.length) throw new TypeError('codec key ids must be unique');
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
      cipher.setAAD(utf8.encode(this.current.id));
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return {
        metadata: {
          encoding: utf8.encode(ENCRYPTED_ENCODING),
          [KEY_ID_METADATA]: utf8.encode(this.current.id),
        },
        data: Buffer.concat([iv, body, cipher.getAuthTag()]),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      // Payloads written before the codec was switched on stay readable.
      if (!isEncrypted(payload)) return payload;
      const rawKeyId = payload.metadata?.[KEY_ID_METADATA];
      if (!rawKeyId) throw new CodecIntegrityError('(missing)');
      const keyId = fromUtf8.decode(rawKeyId);
      const key = this.byId.get(keyId);
      if (!key) throw new UnknownCodecKeyError(keyId, [...this.byId.keys()]);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      if (data.length < IV_BYTES + TAG_BYTES) throw new CodecIntegrityError(keyId);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
        decipher.setAAD(utf8.encode(keyId));
        decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
        const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
        return temporal.api.common.v1.Payload.decode(plain);
      } catch (err) {
        throw new CodecIntegrityError(keyId, err);
      }
    });
  }
}

export function isEncrypted(payload: Payload): boolean {
  const enc = payload.metadata?.encoding;
  return enc !== undefined && fromUtf8.decode(enc) === ENCRYPTED_ENCODING;
}
