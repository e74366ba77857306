/**
 * The job corpus: compact typed-array state per job (timestamps, version, expiry) plus three ordered indexes
 * so every page is a binary search and a short scan, never an O(n) pass:
 *  - the created index: jobs by (created_at, seq), the stable scan's order (published: stable_scan, the
 *    upstream's default); an edit never moves a job, new jobs append at the end, expired ones are skipped;
 *  - the feed index: active jobs by (updated_at, seq), the legacy scan's order; an edit tombstones the old
 *    entry and appends a new one (churn happens at the simulated "now", after every existing entry);
 *  - the expired index: expired jobs by (expired_at, seq), append-only for the same reason.
 * Keyset pagination over (time, seq) means churn between pages never skips a job: a job edited mid-way
 * moves behind the cursor's frontier and is delivered again, never lost.
 *
 * Churn is defined per simulated minute from hash(seed, minute), so advancing 10 + 20 minutes produces
 * exactly what advancing 30 does.
 */
import type { JobDto } from '../src/jobo/schemas';
import { JobGenerator } from './jobgen';
import { Rng } from './rng';

/** Fractions of the initial corpus size per simulated hour. */
export interface ChurnRates {
  newPerHour: number;
  updatedPerHour: number;
  expiredPerHour: number;
}

export const DEFAULT_CHURN: ChurnRates = { newPerHour: 0.01, updatedPerHour: 0.02, expiredPerHour: 0.01 };

export interface CorpusOptions {
  seed: number;
  /** Active jobs at the start; about 2% more start out expired within the last week. */
  jobs: number;
  startTime: number;
  churn?: Partial<ChurnRates>;
}

export interface Position {
  at: number;
  seq: number;
}

/** One feed scan's query, fixed for its whole pagination (the cursor carries it). */
export interface FeedScan {
  /** true: (created_at, seq) order; false: legacy (updated_at, seq) order. */
  stable: boolean;
  /** updated_at >= this (epoch ms). */
  updatedAfter: number | null;
  /** created_at (first indexed) >= this (epoch ms). */
  postedAfter: number | null;
  /** The request's filters, or null for none. */
  match: ((seq: number) => boolean) | null;
}

export interface ChurnResult {
  created: number;
  updated: number;
  expired: number;
}

const MINUTE = 60_000;
const DAY = 86_400_000;
const MAX_EVENTS_PER_MINUTE = 59_998;
export const MIN_JOBS = 10;
export const MAX_JOBS = 1_000_000;

/** Ordered (key, seq) pairs with binary search; the feed's entries may be tombstoned via `pos`. */
class KeysetIndex {
  seqs = new Int32Array(1024);
  keys = new Float64Array(1024);
  len = 0;

  append(seq: number, key: number): number {
    if (this.len === this.seqs.length) {
      this.seqs = grow(this.seqs, this.len * 2);
      this.keys = grow(this.keys, this.len * 2);
    }
    this.seqs[this.len] = seq;
    this.keys[this.len] = key;
    return this.len++;
  }

  /** First index whose (key, seq) is > (at, seq). */
  upperBound(at: number, seq: number): number {
    let lo = 0;
    let hi = this.len;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const k = this.keys[mid];
      if (k < at || (k === at && this.seqs[mid] <= seq)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index whose key is >= at. */
  lowerBound(at: number): number {
    let lo = 0;
    let hi = this.len;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid] < at) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function grow<T extends Float64Array | Int32Array | Uint32Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

export class Corpus {
  readonly gen: JobGenerator;
  readonly origin: number;
  readonly initialJobs: number;
  private readonly seed: number;
  private readonly churn: ChurnRates;
  now: number;
  private minutesApplied = 0;

  private total = 0;
  private createdAt = new Float64Array(0);
  private updatedAt = new Float64Array(0);
  /** 0 while active. */
  private expiredAt = new Float64Array(0);
  private version = new Uint32Array(0);
  /** Index of the job's live entry in `feed`, or -1 once it expired. */
  private pos = new Int32Array(0);
  private readonly feed = new KeysetIndex();
  private readonly created = new KeysetIndex();
  /** Entries of `created` whose job has expired. */
  private createdDead = 0;
  private readonly expired = new KeysetIndex();
  private live = 0;

  constructor(opts: CorpusOptions) {
    if (!Number.isInteger(opts.jobs) || opts.jobs < MIN_JOBS || opts.jobs > MAX_JOBS) {
      throw new RangeError(`jobs must be an integer from ${MIN_JOBS} to ${MAX_JOBS}, got ${opts.jobs}`);
    }
    this.seed = opts.seed;
    this.initialJobs = opts.jobs;
    this.origin = opts.startTime;
    this.now = opts.startTime;
    this.churn = { ...DEFAULT_CHURN, ...opts.churn };
    this.gen = new JobGenerator(opts.seed, Math.min(20_000, Math.max(25, Math.ceil(opts.jobs / 25))));
    this.seedInitial(opts.jobs);
  }

  /** Initial timestamps are whole seconds before the start, so every later churn event sorts after them. */
  private seedInitial(active: number): void {
    const preExpired = Math.max(1, Math.round(active * 0.02));
    const n = active + preExpired;
    this.ensure(n);
    const start = this.origin - 1000;
    const sec = (ms: number) => Math.floor(ms / 1000) * 1000;
    for (let seq = 0; seq < n; seq++) {
      const rng = Rng.of(this.seed, seq, 0x71);
      if (seq < active) {
        const created = sec(start - rng.next() * 90 * DAY);
        const edited = rng.chance(0.4);
        this.createdAt[seq] = created;
        this.updatedAt[seq] = edited ? sec(created + rng.next() * (start - created)) : created;
        this.version[seq] = edited ? rng.int(1, 3) : 0;
      } else {
        const expired = sec(start - rng.next() * 6.5 * DAY);
        this.expiredAt[seq] = expired;
        this.createdAt[seq] = this.updatedAt[seq] = sec(expired - (1 + rng.next() * 60) * DAY);
      }
    }
    this.total = n;
    const byKey = (times: Float64Array) => (a: number, b: number) => times[a] - times[b] || a - b;
    const activeSeqs = Int32Array.from({ length: active }, (_, i) => i).sort(byKey(this.updatedAt));
    for (const seq of activeSeqs) this.pos[seq] = this.feed.append(seq, this.updatedAt[seq]);
    for (const seq of Int32Array.from({ length: active }, (_, i) => i).sort(byKey(this.createdAt))) {
      this.created.append(seq, this.createdAt[seq]);
    }
    this.live = active;
    const expiredSeqs = Int32Array.from({ length: preExpired }, (_, i) => active + i).sort(byKey(this.expiredAt));
    for (const seq of expiredSeqs) {
      this.pos[seq] = -1;
      this.expired.append(seq, this.expiredAt[seq]);
    }
  }

  private ensure(n: number): void {
    if (n <= this.createdAt.length) return;
    const size = Math.max(n, Math.ceil(this.createdAt.length * 1.5), 1024);
    this.createdAt = grow(this.createdAt, size);
    this.updatedAt = grow(this.updatedAt, size);
    this.expiredAt = grow(this.expiredAt, size);
    this.version = grow(this.version, size);
    this.pos = grow(this.pos, size);
  }

  get size(): number {
    return this.total;
  }

  get activeCount(): number {
    return this.live;
  }

  isActive(seq: number): boolean {
    return seq >= 0 && seq < this.total && this.pos[seq] >= 0;
  }

  job(seq: number): JobDto {
    return this.gen.job(seq, { createdAt: this.createdAt[seq], updatedAt: this.updatedAt[seq], version: this.version[seq] });
  }

  updatedAtOf(seq: number): number {
    return this.updatedAt[seq];
  }

  expiredAtOf(seq: number): number {
    return this.expiredAt[seq];
  }

  // ---- paging ------------------------------------------------------------------------------------

  versionOf(seq: number): number {
    return this.version[seq];
  }

  createdAtOf(seq: number): number {
    return this.createdAt[seq];
  }

  /** The keyset time of a job in a scan's order. */
  scanKeyOf(scan: FeedScan, seq: number): number {
    return scan.stable ? this.createdAt[seq] : this.updatedAt[seq];
  }

  /** Active jobs matching `scan` after `after`, in the scan's order; hasMore only when another one matches. */
  feedPage(scan: FeedScan, after: Position | null, limit: number): { seqs: number[]; hasMore: boolean } {
    const seqs: number[] = [];
    for (const seq of this.scanFrom(scan, after)) {
      if (seqs.length === limit) return { seqs, hasMore: true };
      seqs.push(seq);
    }
    return { seqs, hasMore: false };
  }

  /** How many jobs the scan would deliver right now (the first page's estimated_total). */
  countScan(scan: FeedScan): number {
    if (!scan.match && scan.updatedAfter === null && scan.postedAfter === null) return this.live;
    let n = 0;
    for (const _ of this.scanFrom(scan, null)) n++;
    return n;
  }

  private *scanFrom(scan: FeedScan, after: Position | null): Generator<number> {
    const idx = scan.stable ? this.created : this.feed;
    const from = scan.stable ? scan.postedAfter : scan.updatedAfter;
    let k = after ? idx.upperBound(after.at, after.seq) : from === null ? 0 : idx.lowerBound(from);
    for (; k < idx.len; k++) {
      const seq = idx.seqs[k];
      if (scan.stable ? this.pos[seq] < 0 : this.pos[seq] !== k) continue; // expired, or an edit's tombstone
      if (scan.stable && scan.updatedAfter !== null && this.updatedAt[seq] < scan.updatedAfter) continue;
      if (!scan.stable && scan.postedAfter !== null && this.createdAt[seq] < scan.postedAfter) continue;
      if (scan.match && !scan.match(seq)) continue;
      yield seq;
    }
  }

  /** Jobs expired after `after` (or at/after `since`), in (expired_at, seq) order. */
  expiredPage(after: Position | null, since: number, limit: number): { seqs: number[]; hasMore: boolean } {
    const idx = this.expired;
    const start = after ? idx.upperBound(after.at, after.seq) : idx.lowerBound(since);
    const end = Math.min(idx.len, start + limit);
    return { seqs: Array.from(idx.seqs.subarray(start, end)), hasMore: end < idx.len };
  }

  /** Every active job in feed order and every expired job in expiry order (for tests' ground truth). */
  *activeSeqs(): Generator<number> {
    for (let k = 0; k < this.feed.len; k++) if (this.pos[this.feed.seqs[k]] === k) yield this.feed.seqs[k];
  }

  *expiredSeqs(): Generator<number> {
    for (let k = 0; k < this.expired.len; k++) yield this.expired.seqs[k];
  }

  // ---- churn -------------------------------------------------------------------------------------

  /** Moves the simulated clock and applies the churn of every whole minute it crosses. */
  advance(minutes: number): ChurnResult {
    const result: ChurnResult = { created: 0, updated: 0, expired: 0 };
    this.now += Math.round(minutes * MINUTE);
    while (this.origin + (this.minutesApplied + 1) * MINUTE <= this.now) this.applyMinute(this.minutesApplied++, result);
    return result;
  }

  private applyMinute(minute: number, out: ChurnResult): void {
    const rng = Rng.of(this.seed, 0xc4a7, minute);
    const draw = (perHour: number) => {
      const lambda = (this.initialJobs * perHour) / 60;
      return Math.floor(lambda) + (rng.next() < lambda % 1 ? 1 : 0);
    };
    const kinds: number[] = [];
    const counts = [draw(this.churn.newPerHour), draw(this.churn.updatedPerHour), draw(this.churn.expiredPerHour)];
    counts.forEach((c, kind) => kinds.push(...new Array<number>(c).fill(kind)));
    const events = rng.sample(kinds, Math.min(kinds.length, MAX_EVENTS_PER_MINUTE));
    if (events.length === 0) return;
    // Distinct, increasing times inside the minute keep the appended index entries strictly ordered.
    const slot = Math.floor(MAX_EVENTS_PER_MINUTE / events.length);
    const base = this.origin + minute * MINUTE + 1;
    events.forEach((kind, j) => {
      const t = base + j * slot + Math.floor(rng.next() * slot);
      if (kind === 0) {
        this.create(t);
        out.created++;
        return;
      }
      const seq = this.pickActive(rng);
      if (seq < 0) return;
      if (kind === 1) {
        this.touch(seq, t);
        out.updated++;
      } else {
        this.expire(seq, t);
        out.expired++;
      }
    });
    this.compactIfSparse();
  }

  private pickActive(rng: Rng): number {
    for (let tries = 0; tries < 8; tries++) {
      const seq = Math.floor(rng.next() * this.total);
      if (this.pos[seq] >= 0) return seq;
    }
    return -1;
  }

  private create(t: number): void {
    const seq = this.total;
    this.ensure(seq + 1);
    this.total++;
    this.createdAt[seq] = this.updatedAt[seq] = t;
    this.version[seq] = 0;
    this.expiredAt[seq] = 0;
    this.pos[seq] = this.feed.append(seq, t);
    this.created.append(seq, t);
    this.live++;
  }

  private touch(seq: number, t: number): void {
    this.updatedAt[seq] = t;
    this.version[seq]++;
    this.pos[seq] = this.feed.append(seq, t);
  }

  private expire(seq: number, t: number): void {
    this.expiredAt[seq] = t;
    this.pos[seq] = -1;
    this.live--;
    this.createdDead++;
    this.expired.append(seq, t);
  }

  /** Drops tombstones once they outnumber live entries, keeping scans short. */
  private compactIfSparse(): void {
    if (this.createdDead > Math.max(4096, this.live)) {
      const c = this.created;
      let w = 0;
      for (let k = 0; k < c.len; k++) {
        if (this.pos[c.seqs[k]] < 0) continue;
        c.seqs[w] = c.seqs[k];
        c.keys[w++] = c.keys[k];
      }
      c.len = w;
      this.createdDead = 0;
    }
    const idx = this.feed;
    if (idx.len - this.live <= Math.max(4096, this.live)) return;
    let w = 0;
    for (let k = 0; k < idx.len; k++) {
      const seq = idx.seqs[k];
      if (this.pos[seq] !== k) continue;
      idx.seqs[w] = seq;
      idx.keys[w] = idx.keys[k];
      this.pos[seq] = w++;
    }
    idx.len = w;
  }
}
