/**
 * POST /api/jobs/feed and GET /api/jobs/expired (004): request validation, cursor binding, credits.
 * Paging itself is the corpus's keyset index.
 */
import {
  CREDITS_HEADER,
  EXPIRED_DEFAULT_LOOKBACK_HOURS,
  EXPIRED_MAX_LOOKBACK_DAYS,
  ExpiredQuery,
  FeedRequest,
  type ExpiredResponse,
  type FeedResponse,
} from '../src/jobo/schemas';
import type { Corpus } from './corpus';
import { CursorCodec, invalidCursor, type CursorKind, type CursorPosition } from './cursor';
import type { FaultInjector } from './faults';
import { badRequest, parseOr400 } from './http';

const FEED_DEFAULT_BATCH = 100;
const EXPIRED_DEFAULT_BATCH = 1000;
const CREDITS_PER_JOB = 0.5;
const HOUR = 3_600_000;

export interface Answer<T> {
  body: T;
  headers: Record<string, string>;
}

export class FeedService {
  private credits: number;

  constructor(
    private readonly corpus: Corpus,
    private readonly cursors: CursorCodec,
    private readonly faults: FaultInjector,
    startingCredits: number,
  ) {
    this.credits = startingCredits;
  }

  get creditsBalance(): number {
    return this.credits;
  }

  feed(rawBody: unknown): Answer<FeedResponse> {
    const req = parseOr400(FeedRequest, rawBody);
    const postedAfter = req.posted_after ? Date.parse(req.posted_after) : null;
    const after = req.cursor ? this.position('feed', req.cursor) : null;
    if (after && after.bound !== postedAfter) throw invalidCursor();
    const page = this.corpus.feedPage(after, postedAfter, req.batch_size ?? FEED_DEFAULT_BATCH);
    const jobs = page.seqs.map((seq) => this.corpus.job(seq));
    this.credits -= jobs.length * CREDITS_PER_JOB;
    const last = page.seqs[page.seqs.length - 1];
    const next =
      page.hasMore && last !== undefined
        ? this.cursors.encode('feed', { at: this.corpus.updatedAtOf(last), seq: last, bound: postedAfter })
        : null;
    return { body: { jobs, next_cursor: next, has_more: page.hasMore }, headers: this.creditHeaders() };
  }

  expired(query: URLSearchParams): Answer<ExpiredResponse> {
    const q = parseOr400(ExpiredQuery, queryObject(query, ['batch_size']));
    const now = this.corpus.now;
    const explicit = q.expired_since ? Date.parse(q.expired_since) : null;
    const after = q.cursor ? this.position('expired', q.cursor) : null;
    if (after && explicit !== null && after.bound !== explicit) throw invalidCursor();
    // The cursor carries the bound its pagination started with, so an omitted expired_since stays put.
    const since = after?.bound ?? explicit ?? now - EXPIRED_DEFAULT_LOOKBACK_HOURS * HOUR;
    if (since < now - EXPIRED_MAX_LOOKBACK_DAYS * 24 * HOUR) {
      const message = `must not be older than ${EXPIRED_MAX_LOOKBACK_DAYS} days`;
      throw badRequest(`expired_since ${message}`, [{ field: 'expired_since', message }]);
    }
    if (since > now) throw badRequest('expired_since is in the future', [{ field: 'expired_since', message: 'must not be in the future' }]);
    const page = this.corpus.expiredPage(after, since, q.batch_size ?? EXPIRED_DEFAULT_BATCH);
    const last = page.seqs[page.seqs.length - 1];
    const next =
      page.hasMore && last !== undefined
        ? this.cursors.encode('expired', { at: this.corpus.expiredAtOf(last), seq: last, bound: since })
        : null;
    return {
      body: { job_ids: page.seqs.map((seq) => this.corpus.gen.idOf(seq)), next_cursor: next, has_more: page.hasMore },
      headers: this.creditHeaders(),
    };
  }

  /** Decodes a cursor, honouring the invalid-cursor fault. */
  private position(kind: CursorKind, cursor: string): CursorPosition {
    if (this.faults.takeInvalidCursor()) throw invalidCursor();
    return this.cursors.decode(kind, cursor);
  }

  private creditHeaders(): Record<string, string> {
    return { [CREDITS_HEADER]: String(this.credits) };
  }
}

/** Query string → plain object for zod: first value wins, numeric params become numbers when they look like one. */
function queryObject(query: URLSearchParams, numeric: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of query) {
    if (k in out) continue;
    out[k] = numeric.includes(k) && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  }
  return out;
}
