/**
 * File answers stored once (src/store/ledger.ts `answer_files`) and handed around by reference: a campaign's
 * upload enters no history, however many applications carry it. Node side only (hashing, the database).
 */
import { createHash } from 'node:crypto';
import type { AnswerValue } from '../jobo/schemas';
import type { ApplicationsLedger } from '../store/ledger';
import { isStoredFile, type CallerAnswer, type StoredFileAnswer } from './input';

/** Every inline upload in `answers` stored once and replaced by its reference; other answers as they are. */
export async function storeAnswerFiles(
  ledger: ApplicationsLedger,
  answers: Record<string, CallerAnswer>,
): Promise<Record<string, CallerAnswer>> {
  const out: Record<string, CallerAnswer> = {};
  for (const [name, v] of Object.entries(answers)) {
    if (typeof v !== 'object' || v === null || Array.isArray(v) || v.kind !== 'upload') {
      out[name] = v;
      continue;
    }
    const sha256 = createHash('sha256').update(v.content_base64).digest('hex');
    await ledger.putFile({ sha256, fileName: v.file_name, contentType: v.content_type, contentBase64: v.content_base64 });
    const ref: StoredFileAnswer = {
      kind: 'stored_file',
      sha256,
      file_name: v.file_name,
      content_type: v.content_type,
      bytes: Buffer.byteLength(v.content_base64, 'base64'),
    };
    out[name] = ref;
  }
  return out;
}

/** A stored file's reference that names no stored file: the answers cannot be sent. */
export class AnswerFileMissingError extends Error {
  constructor(
    readonly field: string,
    readonly sha256: string,
  ) {
    super(`the file answer for ${field} (sha256 ${sha256}) is not stored`);
    this.name = 'AnswerFileMissingError';
  }
}

/** The answers as the upstream takes them: each stored file read back into an upload. */
export async function resolveAnswerFiles(
  ledger: ApplicationsLedger,
  answers: Record<string, CallerAnswer>,
): Promise<Record<string, AnswerValue>> {
  const out: Record<string, AnswerValue> = {};
  for (const [name, v] of Object.entries(answers)) {
    if (!isStoredFile(v)) {
      out[name] = v;
      continue;
    }
    const file = await ledger.getFile(v.sha256);
    if (!file) throw new AnswerFileMissingError(name, v.sha256);
    out[name] = { kind: 'upload', file_name: v.file_name, content_type: v.content_type, content_base64: file.contentBase64 };
  }
  return out;
}
