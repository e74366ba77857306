/**
 * Opaque, tamper-evident cursors: a keyset position (time, seq) plus the query it belongs to, signed with
 * HMAC-SHA256. A cursor that was edited is `invalid_cursor`. A feed cursor carries the whole first request
 * (filters, order, batch size), so a continuation sends the cursor alone (published JobFeedRequest).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ErrorCodes } from '../src/jobo/schemas';
import { HttpError } from './http';

export type CursorKind = 'feed' | 'expired';

export interface CursorPosition {
  /** Epoch ms of the last delivered item (updated_at for the feed, expired_at for /expired). */
  at: number;
  /** Sequence number of the last delivered job: the tie-breaker within one millisecond. */
  seq: number;
  /** The filter the pagination started with (epoch ms), or null when none was given. */
  bound: number | null;
  /** The first request's query, for feed cursors (plain JSON). */
  query?: unknown;
}

export const invalidCursor = () => new HttpError(400, ErrorCodes.invalidCursor, 'Invalid cursor');

export class CursorCodec {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(secret, 'utf8');
  }

  encode(kind: CursorKind, p: CursorPosition): string {
    const query = p.query === undefined ? '' : Buffer.from(JSON.stringify(p.query)).toString('base64url');
    const payload = Buffer.from(`v1|${kind}|${p.at}|${p.seq}|${p.bound ?? ''}|${query}`).toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  /** Throws 400 invalid_cursor on any tampering, kind mismatch or malformed content. */
  decode(kind: CursorKind, cursor: string): CursorPosition {
    const dot = cursor.indexOf('.');
    if (dot <= 0) throw invalidCursor();
    const payload = cursor.slice(0, dot);
    // Compare the text, not decoded bytes: base64 ignores trailing pad bits, so a byte compare would accept edits.
    const given = Buffer.from(cursor.slice(dot + 1));
    const expected = Buffer.from(this.sign(payload));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalidCursor();
    const parts = Buffer.from(payload, 'base64url').toString('utf8').split('|');
    if (parts.length !== 6 || parts[0] !== 'v1' || parts[1] !== kind) throw invalidCursor();
    const at = Number(parts[2]);
    const seq = Number(parts[3]);
    const bound = parts[4] === '' ? null : Number(parts[4]);
    if (!Number.isFinite(at) || !Number.isInteger(seq) || (bound !== null && !Number.isFinite(bound))) throw invalidCursor();
    if (parts[5] === '') return { at, seq, bound };
    try {
      return { at, seq, bound, query: JSON.parse(Buffer.from(parts[5], 'base64url').toString('utf8')) as unknown };
    } catch {
      throw invalidCursor();
    }
  }

  private sign(payload: string): string {
    // 128 bits of the MAC are plenty to make forgery hopeless and keep cursors short.
    return createHmac('sha256', this.key).update(payload).digest().subarray(0, 16).toString('base64url');
  }
}
