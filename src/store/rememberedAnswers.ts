/**
 * Remembered answers per profile (src/answers/remembered.ts), beside the profile owners on the job
 * store's database (either backend). One row per (profile, key); the key is the question's normalized
 * label and field type, so remembering the same question again updates the row.
 *
 * Values are candidate data (a date of birth, a salary): with the payload codec on they are sealed at
 * rest with its current key (AES-256-GCM, the codec's own format and key ids), and read back with
 * whichever configured key sealed them. The sealed plaintext carries the profile id and key, so a
 * value copied onto another row does not open there. Labels and options are the form's words, kept
 * in plain text so answers can be listed and matched without a key. A row sealed with a key that is no
 * longer configured (or written with the codec on and read with it off) is listed as unreadable and
 * never used; setting it again replaces it.
 */
import type { Payload } from '@temporalio/common';
import type { CodecKey } from '../config';
import { EncryptionCodec, KEY_ID_METADATA, ENCRYPTED_ENCODING } from '../codec/encryptionCodec';
import {
  rememberedKey,
  type RememberableType,
  type RememberedAnswer,
  type RememberedOption,
  type RememberedValue,
} from '../answers/remembered';
import type { JobStore } from './types';
import type { SqlRunner } from './users';

export interface RememberAnswer {
  label: string;
  type: RememberableType;
  options?: RememberedOption[] | null;
  value: RememberedValue;
}

/** A stored answer as listed: readable (value set) or not (value null, `unreadable` says why). */
export type StoredRememberedAnswer =
  (RememberedAnswer & { unreadable: null }) | (Omit<RememberedAnswer, 'value'> & { value: null; unreadable: string });

export interface RememberedAnswers {
  /** The profile's answers by key. */
  list(profileId: string): Promise<StoredRememberedAnswer[]>;
  /** The readable ones, what the answer engine uses; with `keys`, only those (a page's questions: fewer values to open). */
  usable(profileId: string, keys?: readonly string[]): Promise<RememberedAnswer[]>;
  get(profileId: string, key: string): Promise<StoredRememberedAnswer | null>;
  /**
   * Idempotent upsert by (profile, key of label and type): the same answer again changes nothing (not even
   * updatedAt); a different label spelling, options or value updates the row and keeps createdAt.
   */
  remember(profileId: string, answer: RememberAnswer): Promise<{ answer: RememberedAnswer; created: boolean; changed: boolean }>;
  forget(profileId: string, key: string): Promise<boolean>;
}

export const REMEMBERED_ANSWERS_SCHEMA = (time: string) => `
  CREATE TABLE IF NOT EXISTS remembered_answers (
    profile_id   TEXT NOT NULL,
    answer_key   TEXT NOT NULL,
    label        TEXT NOT NULL,
    field_type   TEXT NOT NULL,
    options      TEXT,
    value        TEXT NOT NULL,
    value_key_id TEXT,
    created_at   ${time} NOT NULL,
    updated_at   ${time} NOT NULL,
    PRIMARY KEY (profile_id, answer_key)
  );
`;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** Sealing and opening values with the payload codec's keys; plain JSON when the codec is off. */
export class AnswerSeal {
  private readonly codec: EncryptionCodec | null;

  constructor(keys: readonly CodecKey[]) {
    this.codec = keys.length > 0 ? new EncryptionCodec([...keys]) : null;
  }

  async seal(profileId: string, key: string, value: RememberedValue): Promise<{ value: string; keyId: string | null }> {
    if (!this.codec) return { value: JSON.stringify(value), keyId: null };
    const plain: Payload = {
      metadata: { encoding: utf8.encode('json/plain') },
      data: utf8.encode(JSON.stringify({ profile_id: profileId, key, value })),
    };
    const [sealed] = await this.codec.encode([plain]);
    return { value: Buffer.from(sealed.data!).toString('base64'), keyId: fromUtf8.decode(sealed.metadata![KEY_ID_METADATA]) };
  }

  /** The value, or why it cannot be read (never the codec's exception: a listing must not fail on one row). */
  async open(
    profileId: string,
    key: string,
    stored: string,
    keyId: string | null,
  ): Promise<{ value: RememberedValue } | { unreadable: string }> {
    if (keyId === null) return { value: JSON.parse(stored) as RememberedValue };
    if (!this.codec) return { unreadable: `sealed with codec key ${keyId}, and the payload codec is off` };
    try {
      const [plain] = await this.codec.decode([
        {
          metadata: { encoding: utf8.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8.encode(keyId) },
          data: Buffer.from(stored, 'base64'),
        },
      ]);
      const body = JSON.parse(fromUtf8.decode(plain.data)) as { profile_id: string; key: string; value: RememberedValue };
      if (body.profile_id !== profileId || body.key !== key) return { unreadable: 'sealed for another profile or question' };
      return { value: body.value };
    } catch (err) {
      return { unreadable: (err as Error).message };
    }
  }
}

interface Row {
  profile_id: string;
  answer_key: string;
  label: string;
  field_type: string;
  options: string | null;
  value: string;
  value_key_id: string | null;
  created_at: string | Date;
  updated_at: string | Date;
}

const iso = (t: string | Date) => (t instanceof Date ? t.toISOString() : t);
const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The store on either backend's runner (`?` placeholders). */
export class SqlRememberedAnswers implements RememberedAnswers {
  constructor(
    private readonly db: SqlRunner,
    private readonly seal: AnswerSeal,
  ) {}

  private async toAnswer(r: Row): Promise<StoredRememberedAnswer> {
    const meta = {
      key: r.answer_key,
      label: r.label,
      type: r.field_type as RememberedAnswer['type'],
      options: r.options === null ? null : (JSON.parse(r.options) as RememberedOption[]),
      createdAt: iso(r.created_at),
      updatedAt: iso(r.updated_at),
    };
    const opened = await this.seal.open(r.profile_id, r.answer_key, r.value, r.value_key_id);
    return 'value' in opened ? { ...meta, value: opened.value, unreadable: null } : { ...meta, value: null, unreadable: opened.unreadable };
  }

  async list(profileId: string): Promise<StoredRememberedAnswer[]> {
    const rows = await this.db.all<Row>(`SELECT * FROM remembered_answers WHERE profile_id = ? ORDER BY answer_key`, [profileId]);
    return Promise.all(rows.map((r) => this.toAnswer(r)));
  }

  async usable(profileId: string, keys?: readonly string[]): Promise<RememberedAnswer[]> {
    let listed: StoredRememberedAnswer[];
    if (keys === undefined) listed = await this.list(profileId);
    else {
      const wanted = [...new Set(keys)];
      if (wanted.length === 0) return [];
      const rows = await this.db.all<Row>(
        `SELECT * FROM remembered_answers WHERE profile_id = ? AND answer_key IN (${wanted.map(() => '?').join(', ')}) ORDER BY answer_key`,
        [profileId, ...wanted],
      );
      listed = await Promise.all(rows.map((r) => this.toAnswer(r)));
    }
    return listed.filter((a): a is RememberedAnswer & { unreadable: null } => a.unreadable === null).map(({ unreadable: _, ...a }) => a);
  }

  async get(profileId: string, key: string): Promise<StoredRememberedAnswer | null> {
    const [row] = await this.db.all<Row>(`SELECT * FROM remembered_answers WHERE profile_id = ? AND answer_key = ?`, [profileId, key]);
    return row ? this.toAnswer(row) : null;
  }

  async remember(profileId: string, a: RememberAnswer): Promise<{ answer: RememberedAnswer; created: boolean; changed: boolean }> {
    const key = rememberedKey(a.label, a.type);
    if (!key) throw new TypeError('a remembered answer needs a label with words');
    const options = a.options ?? null;
    const before = await this.get(profileId, key);
    if (
      before &&
      before.unreadable === null &&
      before.label === a.label &&
      sameJson(before.options, options) &&
      sameJson(before.value, a.value)
    ) {
      const { unreadable: _, ...answer } = before;
      return { answer, created: false, changed: false };
    }
    const now = new Date().toISOString();
    const sealed = await this.seal.seal(profileId, key, a.value);
    await this.db.run(
      `INSERT INTO remembered_answers (profile_id, answer_key, label, field_type, options, value, value_key_id, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (profile_id, answer_key) DO UPDATE SET label = excluded.label, options = excluded.options, value = excluded.value,
         value_key_id = excluded.value_key_id, updated_at = excluded.updated_at`,
      [profileId, key, a.label, a.type, options === null ? null : JSON.stringify(options), sealed.value, sealed.keyId, now, now],
    );
    const after = (await this.get(profileId, key))!;
    if (after.unreadable !== null) throw new Error(`remembered answer ${key} unreadable right after writing: ${after.unreadable}`);
    const { unreadable: _, ...answer } = after;
    return { answer, created: before === null, changed: true };
  }

  async forget(profileId: string, key: string): Promise<boolean> {
    return (await this.db.run(`DELETE FROM remembered_answers WHERE profile_id = ? AND answer_key = ?`, [profileId, key])) > 0;
  }
}

/** The remembered answers on the job store's own connection, sealed with `codecKeys` (none: codec off). */
export async function rememberedAnswersFor(store: JobStore, opts: { codecKeys: readonly CodecKey[] }): Promise<RememberedAnswers> {
  const seal = new AnswerSeal(opts.codecKeys);
  if (store.kind === 'postgres') {
    const [{ PostgresJobStore }, { openPostgresRememberedAnswers }] = await Promise.all([
      import('./postgres'),
      import('./rememberedAnswersPostgres'),
    ]);
    if (!(store instanceof PostgresJobStore)) throw new TypeError('a postgres job store without its pool');
    return openPostgresRememberedAnswers(store.pool, seal);
  }
  const [{ SqliteJobStore }, { sqliteRememberedAnswers }] = await Promise.all([import('./sqlite'), import('./rememberedAnswersSqlite')]);
  if (!(store instanceof SqliteJobStore)) throw new TypeError('a sqlite job store without its handle');
  return sqliteRememberedAnswers(store.db, seal);
}

/** Opened on first use and shared after; a failed open is retried on the next call. */
export function lazyRememberedAnswers(
  store: () => Promise<JobStore>,
  opts: { codecKeys: readonly CodecKey[] },
): () => Promise<RememberedAnswers> {
  let opening: Promise<RememberedAnswers> | undefined;
  return () =>
    (opening ??= store()
      .then((s) => rememberedAnswersFor(s, opts))
      .catch((err: unknown) => {
        opening = undefined;
        throw err;
      }));
}
