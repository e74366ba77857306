/**
 * POST /api/jobs/feed and GET /api/jobs/expired (004 + the published 4.0.0 JobFeedRequest): request
 * validation, every documented filter, stable and legacy scans, the cursor carrying the first request,
 * estimated_total on the first page, credits. Paging itself is the corpus's keyset indexes.
 */
import {
  CREDITS_HEADER,
  ErrorCodes,
  EXPIRED_DEFAULT_LOOKBACK_HOURS,
  EXPIRED_MAX_LOOKBACK_DAYS,
  ExpiredQuery,
  FeedRequestAsServed,
  wireFilterValue,
  type ExpiredResponse,
  type LocationFilter,
  type WireFeedResponse,
  type WireJob,
} from '../src/jobo/schemas';
import type { Corpus, FeedScan } from './corpus';
import { CursorCodec, invalidCursor, type CursorKind, type CursorPosition } from './cursor';
import type { FaultInjector } from './faults';
import { HttpError, badRequest, parseOr400 } from './http';
import type { JobAttributes } from './jobgen';
import { DEFAULT_SHAPES, makeOdd, oddFieldOf, toUpstream, type Shapes } from './shapes';

/** A feed scan's query as the cursor carries it (plain JSON). */
export interface FeedQuery {
  stable: boolean;
  updatedAfter: number | null;
  postedAfter: number | null;
  batchSize: number;
  locations: LocationFilter[] | null;
  sources: string[] | null;
  workModels: string[] | null;
  employmentTypes: string[] | null;
  experienceLevels: string[] | null;
}

const eqi = (a: string, b: string | null) => b !== null && a.toLowerCase() === b.toLowerCase();

/** Does a job match the query's filters? Lists match ANY value; a location filter needs every given part. */
export function matchesFilters(q: FeedQuery, a: JobAttributes): boolean {
  if (q.sources && !q.sources.some((s) => eqi(s, a.source))) return false;
  if (q.workModels && !(a.workplace_type && q.workModels.includes(a.workplace_type))) return false;
  // Filter values are hyphenated and matched exactly (published enums.py): "full_time" matches nothing.
  if (q.employmentTypes && !(a.employment_type && q.employmentTypes.includes(wireFilterValue(a.employment_type)))) return false;
  if (q.experienceLevels && !(a.experience_level && q.experienceLevels.includes(a.experience_level))) return false;
  if (q.locations) {
    const hit = q.locations.some((f) =>
      a.locations.some(
        (l) =>
          (!f.country || eqi(f.country, l.country) || eqi(f.country, l.country_code)) &&
          (!f.region || eqi(f.region, l.region)) &&
          (!f.city || eqi(f.city, l.city)),
      ),
    );
    if (!hit) return false;
  }
  return true;
}

const hasFilters = (q: FeedQuery) => !!(q.locations || q.sources || q.workModels || q.employmentTypes || q.experienceLevels);

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
    private readonly shapes: () => Shapes = () => DEFAULT_SHAPES,
  ) {
    this.credits = startingCredits;
  }

  get creditsBalance(): number {
    return this.credits;
  }

  feed(rawBody: unknown): { body: WireFeedResponse; headers: Record<string, string> } {
    const req = parseOr400(FeedRequestAsServed, rawBody);
    let query: FeedQuery;
    let after: CursorPosition | null = null;
    if (req.cursor) {
      // The cursor alone continues a scan; anything sent beside it is ignored (published JobFeedRequest).
      after = this.position('feed', req.cursor);
      if (this.faults.takeCursorRestart()) {
        throw new HttpError(409, ErrorCodes.cursorRestartRequired, 'Cursor restart required: start a new scan');
      }
      query = after.query as FeedQuery;
      if (typeof query !== 'object' || query === null || typeof query.batchSize !== 'number') throw invalidCursor();
    } else {
      query = {
        stable: req.stable_scan ?? true,
        updatedAfter: req.updated_after ? Date.parse(req.updated_after) : null,
        postedAfter: req.posted_after ? Date.parse(req.posted_after) : null,
        batchSize: req.batch_size ?? FEED_DEFAULT_BATCH,
        locations: req.locations ?? null,
        sources: req.sources ?? null,
        workModels: req.work_models ?? null,
        employmentTypes: req.employment_types ?? null,
        experienceLevels: req.experience_levels ?? null,
      };
    }
    const scan: FeedScan = {
      stable: query.stable,
      updatedAfter: query.updatedAfter,
      postedAfter: query.postedAfter,
      match: hasFilters(query) ? (seq) => matchesFilters(query, this.corpus.gen.attributes(seq)) : null,
    };
    const page = this.corpus.feedPage(scan, after, query.batchSize);
    const shapes = this.shapes();
    const jobs = page.seqs.map((seq) => this.wireJob(seq, shapes));
    this.credits -= jobs.length * CREDITS_PER_JOB;
    const last = page.seqs[page.seqs.length - 1];
    const next =
      page.hasMore && last !== undefined
        ? this.cursors.encode('feed', { at: this.corpus.scanKeyOf(scan, last), seq: last, bound: null, query })
        : null;
    const body: WireFeedResponse = { jobs, next_cursor: next, has_more: page.hasMore };
    // The scan's size at its start, on the first page only (published JobFeedResponse).
    if (!req.cursor) body.estimated_total = this.corpus.countScan(scan);
    return { body, headers: this.creditHeaders() };
  }

  /** A corpus job in the wire shape currently switched on, with this version's oddity if it has one. */
  wireJob(seq: number, shapes: Shapes): WireJob {
    const job = this.corpus.job(seq);
    const wire: WireJob = shapes.jobs === 'upstream' ? toUpstream(job) : job;
    const odd = oddFieldOf(this.corpus.gen.seed, seq, this.corpus.versionOf(seq), shapes.oddJobRate);
    return odd ? makeOdd(wire, odd) : wire;
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
